/**
 * The command registry. Each subcommand is one module in this folder whose default export is a
 * {@link Command}; registering it is one line below. Modules are loaded only when their command
 * runs, so `--help` and `--version` never load koffi, and a broken command cannot break the others.
 */
import type { Command } from '../command.js';

/** A registered subcommand: what the program list shows, and how to load the rest. */
export interface CommandEntry {
  /** The word on the command line. */
  readonly name: string;
  /** One line for `syslet-aio --help`. */
  readonly summary: string;
  /** Imports the command's module. */
  readonly load: () => Promise<{ readonly default: Command }>;
}

/**
 * Every subcommand, in the order `--help` lists them.
 *
 * @example
 * ```ts
 * // Adding `cp` (cli/commands/cp.ts, `export default defineCommand({...})`):
 * { name: 'cp', summary: 'Copy a file with a chain of syslets', load: () => import('./cp.js') },
 * ```
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'cp', summary: 'Copy a file with POSIX AIO and report throughput, inline share and latency', load: () => import('./cp.js') },
  { name: 'info', summary: 'Report kernel features and the syscall policy in force', load: () => import('./info.js') },
  { name: 'run', summary: 'Run a syslet plugin once and print each atom with its errno name', load: () => import('./run.js') },
  { name: 'plugins', summary: 'List the registered syslet plugins with their parameters and atoms', load: () => import('./plugins.js') },
  { name: 'compat32', summary: 'Inspect, convert or run an i386 syslet image, or write a sample', load: () => import('./compat32.js') },
];

/** The command that runs when none is given (`npm start`): `cp` with no files copies a built-in sample. */
export const DEFAULT_COMMAND = 'cp';

/** findCommand - the registered command called `name`, or undefined. */
export function findCommand(name: string, commands: readonly CommandEntry[] = COMMANDS): CommandEntry | undefined {
  return commands.find((entry) => entry.name === name);
}
