/**
 * The CLI's exit codes and the two errors that map onto them. Commands throw; the program turns
 * the error into one line on stderr and the matching exit code, so no command prints its own
 * failures or calls process.exit.
 */

/** Exit codes: the contract scripts rely on. */
export const EXIT = {
  /** Everything worked. */
  ok: 0,
  /** The command ran and failed (a probe, a copy, a benchmark). */
  failure: 1,
  /** The command line was wrong: nothing was attempted. */
  usage: 2,
} as const;

/** An exit code from {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * UsageError - the command line is wrong (unknown command or option, missing value). Exits 2.
 *
 * @example
 * ```ts
 * throw new UsageError("unknown option '--bogus'");
 * ```
 */
export class UsageError extends Error {
  override name = 'UsageError' as const;
  readonly exitCode = EXIT.usage;
}

/**
 * CliError - the command ran and failed, with a message meant for the user as it stands (no
 * stack trace). Exits 1. Other errors also exit 1, printed by their message.
 *
 * @example
 * ```ts
 * throw new CliError(`cannot read ${path}: ENOENT`, { cause: error });
 * ```
 */
export class CliError extends Error {
  override name = 'CliError' as const;
  readonly exitCode = EXIT.failure;
}
