/**
 * The program: picks the subcommand, handles the global `--help` and `--version`, and turns
 * whatever a command throws into one line on stderr and an exit code. Separate from main.ts so
 * that it can be driven in-process with any argv, io and registry.
 */
import { parseCommandArgs } from './args.js';
import { COMMANDS, DEFAULT_COMMAND, findCommand, type CommandEntry } from './commands/index.js';
import { CliError, EXIT, UsageError, type ExitCode } from './errors.js';
import { commandHelp, programHelp } from './help.js';
import type { CliIo } from './io.js';
import { oneLine } from './text.js';
import { packageVersion } from './version.js';

const PROGRAM = 'syslet-aio';

/** Where {@link runCli} finds its commands; tests pass their own. */
export interface Registry {
  readonly commands: readonly CommandEntry[];
  readonly defaultCommand: string;
}

const DEFAULT_REGISTRY: Registry = { commands: COMMANDS, defaultCommand: DEFAULT_COMMAND };

/**
 * runCli - run the syslet-aio command line.
 *
 * @param argv - the arguments after `node main.js` (`process.argv.slice(2)`).
 * @param io - where output goes.
 * @param registry - the commands (default: the real registry).
 * @returns the exit code: 0 ok, 1 the command failed, 2 the command line was wrong. Errors are
 *   already printed, as one line on stderr (plus the stack when SYSLET_AIO_DEBUG=1).
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo, registry: Registry = DEFAULT_REGISTRY): Promise<ExitCode> {
  let prefix = PROGRAM;
  try {
    const [first, ...rest] = argv;
    if (first === '-h' || first === '--help' || first === 'help') {
      // `help <command>` and `--help <command>` show that command's help.
      // `help help` and `help --help` ask about help itself: the program's help says what it does.
      const topic = rest[0];
      if (topic === undefined || topic === 'help' || topic === '-h' || topic === '--help') {
        io.out(programHelp(packageVersion(), registry.commands, registry.defaultCommand));
        return EXIT.ok;
      }
      return await runCommand(lookup(topic, registry), ['--help'], io);
    }
    if (first === '-v' || first === '--version') {
      io.out(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (first?.startsWith('-') === true) {
      throw new UsageError(`unknown option '${first}' (options go after the command, as in '${PROGRAM} ${registry.defaultCommand} ${first}')`);
    }
    const entry = lookup(first ?? registry.defaultCommand, registry);
    prefix = `${PROGRAM} ${entry.name}`;
    return await runCommand(entry, rest, io);
  } catch (error) {
    return report(error, prefix, io);
  }
}

function lookup(name: string, registry: Registry): CommandEntry {
  const entry = findCommand(name, registry.commands);
  if (entry === undefined) throw new UsageError(`unknown command '${name}'; run '${PROGRAM} --help' for the list`);
  return entry;
}

async function runCommand(entry: CommandEntry, args: readonly string[], io: CliIo): Promise<ExitCode> {
  const { default: command } = await entry.load();
  const parsed = parseCommandArgs(args, command.options, command.positionals);
  if (parsed.help) {
    io.out(commandHelp(entry.name, entry.summary, command));
    return EXIT.ok;
  }
  return await command.run({ values: parsed.values, positionals: parsed.positionals, io });
}

/** One line per error; the exit code comes from the error's kind. */
function report(error: unknown, prefix: string, io: CliIo): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  // A usage error inside a command points at that command's help; the program's own already says where to look.
  const hint = error instanceof UsageError && prefix !== PROGRAM ? `; run '${prefix} --help'` : '';
  io.err(`${prefix}: ${oneLine(message)}${hint}\n`);
  if (process.env.SYSLET_AIO_DEBUG === '1' && error instanceof Error && error.stack !== undefined) io.err(`${error.stack}\n`);
  if (error instanceof UsageError) return EXIT.usage;
  return error instanceof CliError ? error.exitCode : EXIT.failure;
}
