/**
 * The POSIX layer's shared state: one default engine, created on first use, and glibc's
 * `struct aioinit` tunables that aio_init() may change before then. Like glibc's `optim`, the
 * thread and request counts freeze at the first request; the idle time may change at any time.
 */
import { Engine } from '../engine/engine.js';
import type { Plugin, PluginInstance } from '../plugins/plugin.js';
import { syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const SYS_getpid = NR.getpid;
const SYS_getuid = NR.getuid;
const SYS_gettid = NR.gettid;

/** The effective aio_init() values (glibc's defaults: 20 threads, 64 requests, 1 s idle). */
export interface AioConfig {
  /** Most cachemiss threads the POSIX layer's engine runs at once. */
  readonly aio_threads: number;
  /** Requests expected at once: glibc's initial request pool size (a hint; nothing is refused above it). */
  readonly aio_num: number;
  /** Seconds an idle cachemiss thread lingers before it exits. */
  readonly aio_idle_time: number;
}

const config = { aio_threads: 20, aio_num: 64, aio_idle_time: 1 };
let engine: Engine | null = null;
let used = false;

/** The process and JS-thread ids the notify.signal atom needs (the thread that runs JavaScript). */
export const ids = { pid: syscall(SYS_getpid), tid: syscall(SYS_gettid), uid: syscall(SYS_getuid) };

/**
 * aioEngine - the engine every POSIX AIO request runs on, created on first call with the
 * aio_init() settings. It is the process's, as glibc's helper threads are: do not close it.
 * Closed, it cancels the requests in flight and every later POSIX AIO request of the process
 * fails (EAGAIN, as when no helper thread can start); the layer's state (queued requests, aiocbs
 * in flight) belongs to that engine, so no new one takes over.
 *
 * @returns the shared engine.
 */
export function aioEngine(): Engine {
  if (engine !== null) return engine;
  engine = new Engine({ threads: config.aio_threads, idleTimeMs: idleTimeMs() });
  return engine;
}

/** The most cachemiss threads an engine runs (Engine's `threads` option: 1 to 1024). */
const MOST_THREADS = 1024;

// glibc's helper waits for work only while aio_idle_time >= 0: a negative idle time lets a thread
// leave as soon as it has nothing to do, which is an idle time of 0 here.
function idleTimeMs(): number {
  return Math.max(0, config.aio_idle_time) * 1000;
}

/** @internal markUsed - the first request freezes aio_threads and aio_num, as in glibc. */
export function markUsed(): void {
  used = true;
}

/** aioConfig - the tunables in effect (what aio_init() left them at). */
export function aioConfig(): AioConfig {
  return { ...config };
}

/**
 * @internal applyInit - glibc's __aio_init rules: before the first request, threads (fewer than
 * 1 become 1; here also more than the engine's 1024 become 1024) and num (rounded down to a
 * multiple of 32, at least 32) change; the idle time changes whenever it is non-zero, a negative
 * one included (threads then leave as soon as they are idle). No value can leave the layer
 * unusable: whatever is stored here, the engine accepts.
 */
export function applyInit(threads: number, num: number, idleTime: number): void {
  if (!used) {
    config.aio_threads = Math.min(MOST_THREADS, Math.max(1, Math.floor(threads)));
    config.aio_num = Math.max(32, Math.floor(num / 32) * 32);
  }
  if (idleTime !== 0) config.aio_idle_time = idleTime;
  engine?.configurePool(config.aio_threads, idleTimeMs());
}

/**
 * acquireOrNull - an instance of `plugin` in the POSIX layer's engine, or null when a new slab
 * would be needed and the engine's region table is full (its RangeError): a submission the
 * engine has no room for is EAGAIN for the caller, never an exception (POSIX aio_read: "the
 * request could not be queued due to exceeding resource limitations").
 */
export function acquireOrNull(plugin: Plugin): PluginInstance | null {
  try {
    return plugin.acquire(aioEngine());
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}
