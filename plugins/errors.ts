/** The typed errors of plugin definitions and registries; both are {@link SysletError}s. */
import { SysletError } from '../engine/errors.js';

/**
 * PluginDefinitionError - a plugin template is invalid. Thrown by definePlugin at definition
 * time, never at run time. `code` is always `'EINVAL'` (errnum 22): an invalid argument, caught
 * before anything reaches the kernel.
 *
 * @example
 * ```ts
 * try { definePlugin(template); }
 * catch (error) { if (isPluginDefinitionError(error)) console.error(error.atomIndex, error.field); else throw error; }
 * ```
 */
export class PluginDefinitionError extends SysletError {
  /** Always `'PluginDefinitionError'` (what {@link isPluginDefinitionError} checks across realms). */
  override readonly name = 'PluginDefinitionError' as const;
  /** The plugin's name. */
  readonly plugin: string;
  /** The atom at fault, or -1 when the fault is not in one atom (a parameter, the atom count). */
  readonly atomIndex: number;
  /** The field at fault: `call`, `args[2]`, `flags`, `next`, `params.fd`, `atoms`, `name`... (`atom`: the atom itself). */
  readonly field: string;
  /**
   * Where the fault is, as a path into the definition (what a JSON editor shows):
   * `atoms[1].flgs`, `atoms[0].args[2].param`, `scratch.addr.fields[0].width`, `params.fd`.
   */
  readonly path: string;

  /**
   * @param plugin - the plugin's name ('?' when it has none).
   * @param atomIndex - the atom at fault, or -1.
   * @param field - the field, relative to the atom when there is one.
   * @param message - what is wrong.
   * @param path - the full path into the definition (default: built from atomIndex and field).
   */
  constructor(plugin: string, atomIndex: number, field: string, message: string, path?: string) {
    super('EINVAL', `plugin '${plugin}'${atomIndex >= 0 ? ` atom ${atomIndex}` : ''} ${field}: ${message}`);
    this.plugin = plugin;
    this.atomIndex = atomIndex;
    this.field = field;
    this.path = path ?? (atomIndex < 0 ? field : field === 'atom' ? `atoms[${atomIndex}]` : `atoms[${atomIndex}].${field}`);
  }
}

/** isPluginDefinitionError - type guard that works across realms (checks the name too). */
export function isPluginDefinitionError(error: unknown): error is PluginDefinitionError {
  return error instanceof PluginDefinitionError || (error instanceof Error && error.name === 'PluginDefinitionError');
}

/**
 * PluginRegistryError - a registry refused a name: a second plugin under a name already taken
 * (`code` `'EEXIST'`), or no plugin under the name asked for (`code` `'ENOENT'`). Names are how
 * the CLI, the POSIX layer and users find a plugin, so they must stay unique.
 *
 * @example
 * ```ts
 * try { registry.register(plugin); }
 * catch (error) { if (error instanceof PluginRegistryError && error.code === 'EEXIST') reuse(); else throw error; }
 * ```
 */
export class PluginRegistryError extends SysletError {
  /** Always `'PluginRegistryError'`. */
  override readonly name = 'PluginRegistryError' as const;
  /** The plugin name at fault. */
  readonly plugin: string;

  /**
   * @param plugin - the name at fault.
   * @param message - what was wrong with it.
   * @param code - `'EEXIST'` (the default: the name is taken) or `'ENOENT'` (nothing under it).
   */
  constructor(plugin: string, message: string, code: 'EEXIST' | 'ENOENT' = 'EEXIST') {
    super(code, `plugin '${plugin}': ${message}`);
    this.plugin = plugin;
  }
}
