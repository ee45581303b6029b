/**
 * `--help` text, generated from the same specs the parser uses, so help cannot drift from what
 * the command accepts.
 */
import type { Command, OptionSpec } from './command.js';
import type { CommandEntry } from './commands/index.js';
import { labelled, wrap } from './text.js';

const WIDTH = 80;
const PROGRAM = 'syslet-aio';

/**
 * programHelp - the help for `syslet-aio --help`: usage, the registered commands, global options.
 *
 * @param version - the package version for the first line.
 * @param commands - the registry, in the order to list them.
 * @param defaultCommand - the command that runs when none is given.
 * @returns the text, ending in a newline.
 */
export function programHelp(version: string, commands: readonly CommandEntry[], defaultCommand: string): string {
  const nameWidth = Math.max(...commands.map((entry) => entry.name.length), 'help'.length);
  const lines = [
    `${PROGRAM} ${version}: syslets for Node.js. Chains of system calls run inline until one`,
    'would block, then continue on cachemiss threads.',
    '',
    `Usage: ${PROGRAM} [<command>] [options]`,
    '',
    'Commands:',
    ...commands.map((entry) => `  ${entry.name.padEnd(nameWidth)}  ${entry.summary}${entry.name === defaultCommand ? ' (default)' : ''}`),
    `  ${'help'.padEnd(nameWidth)}  Show this help, or a command's with 'help <command>'`,
    '',
    'Options:',
    '  -h, --help     Show help (after a command: that command\'s help)',
    '  -v, --version  Print the version',
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage error.',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * commandHelp - the help for `syslet-aio <command> --help`.
 *
 * @param name - the command's name on the command line.
 * @param summary - its one-line summary from the registry.
 * @param command - the loaded command (options, positionals, description, examples).
 * @returns the text, ending in a newline.
 */
export function commandHelp(name: string, summary: string, command: Command): string {
  const positionals = command.positionals.map((spec) => (spec.optional === true ? `[<${spec.name}>]` : `<${spec.name}>`));
  const options: [string, string][] = [
    ...Object.entries(command.options).map(([long, spec]): [string, string] => [optionLabel(long, spec), spec.description]),
    ['-h, --help', 'Show this help'],
  ];
  const labelWidth = Math.max(...options.map(([label]) => label.length), ...command.positionals.map((spec) => spec.name.length + 2));
  const lines = [
    `${PROGRAM} ${name}: ${summary}`,
    '',
    `Usage: ${[PROGRAM, name, '[options]', ...positionals].join(' ')}`,
    '',
    ...wrap(command.description, WIDTH),
  ];
  if (command.positionals.length > 0) {
    lines.push('', 'Arguments:', ...command.positionals.map((spec) => row(`<${spec.name}>`, spec.description, labelWidth)));
  }
  lines.push('', 'Options:', ...options.map(([label, description]) => row(label, description, labelWidth)));
  if (command.examples.length > 0) lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  return `${lines.join('\n')}\n`;
}

function optionLabel(long: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : '';
  return spec.short === undefined ? `    --${long}${value}` : `-${spec.short}, --${long}${value}`;
}

function row(label: string, description: string, labelWidth: number): string {
  return labelled(label, description, labelWidth, 2, WIDTH);
}
