/**
 * A progress display for long byte transfers, written for loops that block the JS thread.
 *
 * `cp` waits in aio_suspend, which blocks the event loop the way a C caller's thread blocks, so
 * a display driven by timers (setInterval, as the usual progress-bar packages are) would never
 * redraw. Instead the loop calls {@link Progress.update} after every batch of completions; the
 * call is a clock read and a compare until the next redraw is due. That inversion, plus about
 * sixty lines, is why this is ours rather than a dependency.
 */
import { formatBytes, formatEta, MIB } from './cp-units.js';

/** How {@link Progress} draws. */
export interface ProgressOptions {
  /** A word in front of the figures (`copy`, `verify`). */
  readonly label: string;
  /** The bytes the job will move (0 is allowed: the bar shows 100%). */
  readonly total: number;
  /**
   * True on a terminal: one line redrawn in place with `\r`, at most 10 times a second.
   * False (a pipe, a log file): a plain line at most once a second, so logs stay readable.
   */
  readonly tty: boolean;
  /** Where the text goes: stderr, so that stdout (a summary, JSON) is never garbled. */
  readonly write: (text: string) => void;
  /**
   * Terminal width (default 80), or a function read at every draw (a terminal can be resized
   * during a long copy). A terminal line never gets wider than this less one: a line that
   * reaches the last column wraps, and every `\r` redraw would then leave a line behind.
   */
  readonly columns?: number | (() => number | undefined);
  /** The clock, in milliseconds (default performance.now); tests pass their own. */
  readonly now?: () => number;
}

const TTY_INTERVAL_MS = 100;
const LINE_INTERVAL_MS = 1000;
const BAR_MIN = 10;
const BAR_MAX = 40;

/**
 * Progress - bytes done, percentage, MiB/s and ETA, on stderr.
 *
 * @example
 * ```ts
 * const progress = new Progress({ label: 'copy', total: size, tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) });
 * while (copying) { ...; progress.update(bytesDone); }
 * progress.finish();
 * ```
 */
export class Progress {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #start: number;
  readonly #interval: number;
  #due: number;
  #drawn = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#interval = options.tty ? TTY_INTERVAL_MS : LINE_INTERVAL_MS;
    // The first update draws at once: a long job shows that it started, then redraws at the interval.
    this.#due = this.#start;
  }

  /**
   * update - report `done` bytes; draws only when the interval has passed since the last draw.
   *
   * @returns true when it drew (the caller may use that as its own "a while has passed" tick).
   */
  update(done: number): boolean {
    const now = this.#now();
    if (now < this.#due) return false;
    this.#due = now + this.#interval;
    this.#options.write(this.render(done, now));
    this.#drawn = true;
    return true;
  }

  /** finish - clear the terminal line, so the next output starts on a clean line. No-op off a terminal. */
  finish(): void {
    if (this.#drawn && this.#options.tty) this.#options.write('\r\x1b[K');
    this.#drawn = false;
  }

  /** render - the text one draw writes (exposed for tests). */
  render(done: number, now: number = this.#now()): string {
    const { label, total, tty } = this.#options;
    const seconds = Math.max(1e-9, (now - this.#start) / 1000);
    const rate = done / seconds;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const percent = `${Math.floor(fraction * 100)}%`;
    const eta = formatEta(rate > 0 ? (total - done) / rate : NaN);
    const bytes = `${formatBytes(done)} / ${formatBytes(total)}`;
    const speed = `${(rate / MIB).toFixed(1)} MiB/s`;
    const figures = `${bytes}  ${speed}  ETA ${eta}`;
    if (!tty) return `${label}: ${percent}, ${figures}\n`;
    const head = `${label} ${percent.padStart(4)}`;
    const room = Math.max(1, this.#columns() - 1);
    // The widest form that fits: bar and figures, then fewer figures, then the head cut to fit.
    const barWidth = Math.min(BAR_MAX, room - head.length - figures.length - 4);
    let line: string;
    if (barWidth >= BAR_MIN) {
      const filled = Math.round(fraction * barWidth);
      line = `${head} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${figures}`;
    } else {
      line = [`${head} ${figures}`, `${head} ${bytes}  ${speed}`, `${head} ${bytes}`, head].find((form) => form.length <= room) ?? head.slice(0, room);
    }
    // \x1b[K clears what a longer previous draw left on the line.
    return `\r${line}\x1b[K`;
  }

  #columns(): number {
    const columns = this.#options.columns;
    const value = typeof columns === 'function' ? columns() : columns;
    return value !== undefined && Number.isInteger(value) && value > 0 ? value : 80;
  }
}
