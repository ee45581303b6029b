/**
 * `syslet-aio plugins`: the plugin registry — every built-in canned syslet with its parameters
 * and the calls its atoms make, so a user can see what `run` and the POSIX layer have to work with.
 */
import { describeParams } from '../../plugins/loader.js';
import type { Plugin } from '../../plugins/plugin.js';
import { defaultRegistry } from '../../plugins/registry.js';
import { MAX_PLUGIN_ATOMS } from '../../plugins/types.js';
import { defineCommand } from '../command.js';
import { EXIT } from '../errors.js';
import { labelled } from '../text.js';

/** The `plugins` command: list the default registry as text or JSON. Always exits 0. */
export default defineCommand({
  description:
    'Lists the plugin registry: each canned syslet\'s name, what it does, its typed parameters and ' +
    `the syscall of each atom in template order (at most ${MAX_PLUGIN_ATOMS} atoms; a loop shows ` +
    "as its atoms once). Run one with 'syslet-aio run <name> --param name=value ...'.",
  options: {
    json: { type: 'boolean', description: 'Print the registry as one JSON array' },
  },
  positionals: [],
  examples: ['syslet-aio plugins', "syslet-aio plugins --json | jq '.[].name'"],
  run({ values, io }) {
    const plugins = defaultRegistry.list();
    if (values.json === true) {
      io.out(`${JSON.stringify(plugins.map(pluginDocument), null, 2)}\n`);
      return EXIT.ok;
    }
    const width = Math.max(...plugins.map((plugin) => plugin.name.length));
    const blocks = plugins.map((plugin) =>
      [
        labelled(plugin.name, plugin.description, width, 0),
        labelled('', `params: ${describeParams(plugin)}`, width, 0),
        labelled('', `atoms:  ${plugin.calls.join(' → ')}`, width, 0),
      ].join('\n'),
    );
    io.out(`${plugins.length} plugins:\n\n${blocks.join('\n\n')}\n`);
    return EXIT.ok;
  },
});

/** One registry entry as JSON: the template's shape, without its literal arguments. */
function pluginDocument(plugin: Plugin): unknown {
  return {
    name: plugin.name,
    description: plugin.description,
    params: plugin.params,
    atoms: plugin.definition.atoms.map((atom, index) => ({
      index,
      ...(atom.id === undefined ? {} : { id: atom.id }),
      call: atom.call,
      flags: atom.flags ?? 0,
      next: plugin.layout.next[index] === -1 ? null : plugin.layout.next[index],
    })),
  };
}
