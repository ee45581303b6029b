/** aio_init(3): glibc's GNU extension — tune the helper threads before first use. */
import { aioConfig, applyInit } from './context.js';
import { invalidArgType } from '../engine/arguments.js';

/** glibc's `struct aioinit` (the fields that matter; the rest are reserved). */
export interface AioInit {
  /** Most threads (glibc default 20); fewer than 1 becomes 1, more than 1024 (the engine's limit; glibc has none) becomes 1024. */
  aio_threads?: number;
  /** Requests expected at once (default 64), rounded down to a multiple of 32, at least 32. */
  aio_num?: number;
  /** Seconds an idle thread waits for work before it exits (default 1); 0 leaves it as is; negative: threads exit as soon as they are idle (glibc's meaning). */
  aio_idle_time?: number;
  /** Accepted for layout fidelity; unused, as in glibc. */
  aio_locks?: number;
  /** Reserved; accepted and ignored, as in glibc. */
  aio_usedba?: number;
  /** Reserved; accepted and ignored, as in glibc. */
  aio_debug?: number;
  /** Reserved; accepted and ignored, as in glibc. */
  aio_numusers?: number;
}

function field(init: AioInit, name: 'aio_threads' | 'aio_num' | 'aio_idle_time', fallback: number): number {
  const value = init[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgType(`init.${name}`, 'a finite number', value);
  return value;
}

/**
 * aio_init - set the POSIX layer's cachemiss pool: most threads, request hint, idle time.
 *
 * As in glibc, aio_threads and aio_num only take effect before the first request (later calls
 * leave them); aio_idle_time changes whenever it is non-zero. Out-of-range values are clamped
 * as glibc's __aio_init clamps them (aio_threads also to the engine's 1024), never refused, so
 * no setting can make later requests fail. Like the C function it returns nothing; aioConfig()
 * tells what is in effect.
 *
 * @param init - the settings; omitted fields keep their current values (glibc's defaults: 20, 64, 1 s).
 * @throws TypeError naming the field when one is not a finite number.
 * @example
 * ```ts
 * aio_init({ aio_threads: 4, aio_num: 64, aio_idle_time: 5 }); // before the first aio_read
 * ```
 * @see https://man7.org/linux/man-pages/man3/aio_init.3.html
 */
export function aio_init(init: AioInit): void {
  if (typeof init !== 'object' || init === null) throw invalidArgType('init', 'of type object (struct aioinit)', init);
  const now = aioConfig();
  applyInit(field(init, 'aio_threads', now.aio_threads), field(init, 'aio_num', now.aio_num), field(init, 'aio_idle_time', 0));
}
