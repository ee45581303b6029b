/**
 * What a subcommand is: its options and positionals (declared once, used both to parse the
 * command line and to print `--help`), and a `run` that returns an exit code or throws
 * {@link UsageError} / {@link CliError}. Its name and summary live in the registry
 * (commands/index.ts), so listing commands never loads them.
 */
import type { CliIo } from './io.js';
import type { ExitCode } from './errors.js';

/** One option of a command. `--help` is added to every command by the program. */
export interface OptionSpec {
  /** `boolean` for a flag, `string` for an option that takes a value. */
  readonly type: 'boolean' | 'string';
  /** A one-letter alias (`'j'` for `-j`). */
  readonly short?: string;
  /** What it does, for `--help`: one line. */
  readonly description: string;
  /** The placeholder shown in help for a string option's value (`'<dir>'`). */
  readonly valueName?: string;
  /** For a string option: may be given several times; the value is then every one, in order. */
  readonly multiple?: boolean;
}

/** A command's options, keyed by long name (`json` for `--json`). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The values parsed for a command's options: strings for string options, booleans for flags. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]?: O[K]['type'] extends 'string' ? (O[K] extends { readonly multiple: true } ? string[] : string) : boolean;
};

/** A positional argument, for help and for the count check. */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  /** True when it may be left out (optional positionals come last). */
  readonly optional?: boolean;
}

/** What `run` receives. */
export interface CommandContext<O extends OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
}

/** A subcommand. */
export interface Command<O extends OptionSpecs = OptionSpecs> {
  /** A paragraph for the command's own `--help` (why you would run it, what it prints). */
  readonly description: string;
  readonly options: O;
  readonly positionals: readonly PositionalSpec[];
  /** Examples for `--help`, each a full command line. */
  readonly examples: readonly string[];
  /**
   * Does the work.
   *
   * @returns the exit code (usually `EXIT.ok`).
   * @throws UsageError for a bad combination of arguments, CliError for a failure to report.
   */
  run(context: CommandContext<O>): ExitCode | Promise<ExitCode>;
}

/**
 * defineCommand - declare a subcommand with its option types inferred from the specs, so `run`
 * sees `values.json` as `boolean | undefined` and `values.dir` as `string | undefined`.
 *
 * @param command - the command; see {@link Command}.
 * @returns the same object, typed.
 * @example
 * ```ts
 * export default defineCommand({
 *   description: 'Prints a greeting.',
 *   options: { loud: { type: 'boolean', description: 'Shout' } },
 *   positionals: [], examples: ['syslet-aio hello --loud'],
 *   run({ values, io }) { io.out(values.loud === true ? 'HELLO\n' : 'hello\n'); return EXIT.ok; },
 * });
 * ```
 */
export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}
