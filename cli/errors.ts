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
  /** Stopped by SIGINT (Ctrl-C), after cleaning up: 128 + 2, as shells report it. */
  sigint: 130,
  /** Stopped by SIGTERM, after cleaning up: 128 + 15. */
  sigterm: 143,
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
  override name: string = 'CliError';
  readonly exitCode: ExitCode = EXIT.failure;
}

/**
 * InterruptedError - the command stopped because of SIGINT or SIGTERM, after cleaning up (the
 * in-flight requests ended, the fds closed, a sample removed). Exits 128 + the signal number.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => controller.abort(new InterruptedError('SIGTERM')));
 * ```
 */
export class InterruptedError extends CliError {
  override name = 'InterruptedError';
  override readonly exitCode: ExitCode;
  /** The signal that stopped the command. */
  readonly signal: 'SIGINT' | 'SIGTERM';

  constructor(signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
    this.signal = signal;
    this.exitCode = signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  }
}
