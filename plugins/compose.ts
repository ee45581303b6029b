/**
 * composePlugins: one plugin that runs several in order — "glibc just adds an enclosing
 * sys_kill() to the syslet" (Ingo Molnar, 2007). Each part's chain continues with the next part
 * where it would have ended.
 */
import { PluginDefinitionError } from './errors.js';
import { Plugin } from './plugin.js';
import type { ArgTemplate, AtomRef, AtomTemplate, CellInit, ParamKind, PluginDefinition, ScratchTemplate } from './types.js';

/** Whether `value` is a compiled plugin, by shape (so it works across copies of the library). */
function isCompiled(value: unknown): value is Plugin {
  return value instanceof Plugin || (typeof value === 'object' && value !== null && 'layout' in value && 'definition' in value && typeof (value as Plugin).acquire === 'function');
}

/**
 * composePlugins - one plugin that runs `parts` in order: where a part's chain would end (a NULL
 * next), it continues with the next part. Parameters with the same name are shared (their kinds
 * must agree); cells, scratch areas and atom ids stay private to their part, prefixed with the
 * part's index (`0:cursor`, `1:open`).
 *
 * @param name - the composed plugin's name.
 * @param parts - compiled plugins, at least one.
 * @param description - its description.
 * @returns the composed plugin.
 * @throws PluginDefinitionError naming the field: a part that is not a plugin (`parts[i]`), a
 *   shared parameter whose kinds disagree (`params.x`), too many atoms in all (`atoms`).
 * @example
 * ```ts
 * const readThenSignal = composePlugins('aio.read.notifySignal', [aioRead, notifySignal]);
 * ```
 */
export function composePlugins(name: string, parts: readonly Plugin[], description = ''): Plugin {
  const label = typeof name === 'string' ? name : '?';
  if (!Array.isArray(parts) || parts.length === 0) throw new PluginDefinitionError(label, -1, 'parts', 'needs at least one plugin');
  const params: Record<string, ParamKind> = {};
  const cells: Record<string, CellInit> = {};
  const scratch: Record<string, ScratchTemplate | number> = {};
  const atoms: AtomTemplate[] = [];
  parts.forEach((part: unknown, partIndex) => {
    if (!isCompiled(part)) throw new PluginDefinitionError(label, -1, `parts[${partIndex}]`, 'is not a plugin (compile it with definePlugin first)');
    const definition: PluginDefinition = part.definition;
    const offset = atoms.length;
    const following = offset + definition.atoms.length;
    const isLast = partIndex === parts.length - 1;
    const prefix = `${partIndex}:`;
    const atomRef = (ref: AtomRef): AtomRef => (typeof ref === 'string' ? prefix + ref : ref + offset);
    for (const [param, kind] of Object.entries(definition.params)) {
      const existing = Object.hasOwn(params, param) ? params[param] : undefined;
      if (existing !== undefined && existing !== kind) throw new PluginDefinitionError(label, -1, `params.${param}`, `is ${existing} in one part and ${kind} in another`);
      params[param] = kind;
    }
    for (const [cell, value] of Object.entries(definition.cells ?? {})) cells[prefix + cell] = value;
    for (const [area, template] of Object.entries(definition.scratch ?? {})) scratch[prefix + area] = template;
    definition.atoms.forEach((atom, index) => {
      const naturalEnd = atom.next === null || (atom.next === undefined && index === definition.atoms.length - 1);
      const next = naturalEnd ? (isLast ? null : following) : atom.next === undefined ? undefined : atomRef(atom.next);
      atoms.push({
        ...(atom.id === undefined ? {} : { id: prefix + atom.id }),
        ...(atom.description === undefined ? {} : { description: atom.description }),
        call: atom.call,
        ...(atom.flags === undefined ? {} : { flags: atom.flags }),
        ...(next === undefined ? {} : { next }),
        args: atom.args.map((arg): ArgTemplate => {
          if (typeof arg !== 'object') return arg;
          if ('result' in arg) return { result: atomRef(arg.result) };
          if ('resultRef' in arg) return { resultRef: atomRef(arg.resultRef) };
          if ('cell' in arg) return { cell: prefix + arg.cell };
          if ('ref' in arg) return { ref: prefix + arg.ref };
          if ('scratch' in arg) return { scratch: prefix + arg.scratch };
          return arg;
        }),
      });
    });
  });
  return new Plugin({ name, description, params, cells, scratch, atoms });
}
