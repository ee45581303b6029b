/** The typed error of plugin definitions. */

/**
 * PluginDefinitionError - a plugin template is invalid. Thrown by definePlugin at definition
 * time, never at run time.
 */
export class PluginDefinitionError extends Error {
  override readonly name = 'PluginDefinitionError' as const;
  /** The plugin's name. */
  readonly plugin: string;
  /** The atom at fault, or -1 when the fault is not in one atom (a parameter, the atom count). */
  readonly atomIndex: number;
  /** The field at fault: `call`, `args[2]`, `flags`, `next`, `params.fd`, `atoms`, `name`... */
  readonly field: string;

  constructor(plugin: string, atomIndex: number, field: string, message: string) {
    super(`plugin '${plugin}'${atomIndex >= 0 ? ` atom ${atomIndex}` : ''} ${field}: ${message}`);
    this.plugin = plugin;
    this.atomIndex = atomIndex;
    this.field = field;
  }
}

/** isPluginDefinitionError - type guard that works across realms (checks the name too). */
export function isPluginDefinitionError(error: unknown): error is PluginDefinitionError {
  return error instanceof PluginDefinitionError || (error instanceof Error && error.name === 'PluginDefinitionError');
}

/**
 * PluginRegistryError - a registry refused a name: a second plugin under a name already taken.
 * Names are how the CLI, the POSIX layer and users find a plugin, so they must stay unique.
 */
export class PluginRegistryError extends Error {
  override readonly name = 'PluginRegistryError' as const;
  /** The plugin name at fault. */
  readonly plugin: string;

  constructor(plugin: string, message: string) {
    super(`plugin '${plugin}': ${message}`);
    this.plugin = plugin;
  }
}
