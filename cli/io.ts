/**
 * Where a command's output goes. Commands write through this instead of `process.stdout`, so the
 * program decides about broken pipes and tests can capture output in-process.
 */

/** The output channels of one CLI run. */
export interface CliIo {
  /** Write text to standard output (no newline is added). */
  out(text: string): void;
  /** Write text to standard error (no newline is added). */
  err(text: string): void;
}

/**
 * processIo - the real process's stdout and stderr.
 *
 * A reader that goes away early (`syslet-aio info | head -3`) makes stdout fail with EPIPE; that
 * is the reader's choice, not our failure, so it ends the process quietly instead of throwing.
 *
 * @returns a {@link CliIo} over `process.stdout` and `process.stderr`.
 */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  };
}

/**
 * bufferIo - a {@link CliIo} that collects everything written, for tests and for commands that
 * need to render before deciding what to print.
 *
 * @returns the io and the text collected so far on each channel.
 */
export function bufferIo(): CliIo & { readonly stdout: () => string; readonly stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
