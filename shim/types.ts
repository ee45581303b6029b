/**
 * The vocabulary the POSIX request engine's modules share (operations, notification callbacks,
 * list groups, the compiled plugin a request runs), kept apart so that the record (request.ts),
 * the engine (requests.ts), notification (notify.ts) and the aiocb (aiocb.ts) can all use it
 * without importing each other.
 */
import type { Word } from '../engine/native/index.js';
import type { Plugin } from '../plugins/plugin.js';

/** Request operations (glibc's LIO_READ, LIO_WRITE, LIO_SYNC, LIO_DSYNC). */
export const OP_READ = 0;
export const OP_WRITE = 1;
export const OP_FSYNC = 2;
export const OP_FDATASYNC = 3;

/** What `sigev_notify_function` receives: the sigev_value (a number, or a bigint beyond 2^53). */
export type SigevNotifyFunction = (value: number | bigint) => void;

/**
 * How an aiocb's last request completed: a live view (like `aio_sigevent`) that the request
 * engine updates in place, so reading it allocates nothing. Copy the fields to keep them.
 */
export interface AioCompletion {
  /**
   * `'inline'`: it finished inside the submitting call (the page cache answered);
   * `'cachemiss'`: it finished on a cachemiss thread; `null`: in progress, cancelled, or never run.
   */
  readonly mode: 'inline' | 'cachemiss' | null;
  /**
   * Submission to completion in nanoseconds, as the engine measured it for a cachemiss
   * completion; NaN otherwise (no clock is read on the inline path: time the call yourself).
   */
  readonly latencyNs: number;
}

/** A lio_listio() list in progress. */
export interface ListGroup {
  remaining: number;
  failed: boolean;
  /** LIO_NOWAIT's list notification, fired after the last entry (null for LIO_WAIT). */
  readonly notify: number;
  readonly signo: number;
  readonly value: Word;
  readonly fn: SigevNotifyFunction | null;
}

/** A compiled plugin and the parameter indices the request engine fills (-1: not a parameter of it). */
export interface PluginInfo {
  readonly plugin: Plugin;
  readonly fd: number;
  readonly buf: number;
  readonly nbytes: number;
  readonly offset: number;
  readonly errorCode: number;
  readonly returnValue: number;
  readonly width: number;
  readonly pid: number;
  readonly tid: number;
  readonly signo: number;
  readonly value: number;
  readonly uid: number;
  /** Index of the aio_status atom: its result cell (engine memory, reset before each run) says whether it ran. */
  readonly statusAtom: number;
  /** Index of the notify.signal atom (-1 when the plugin sends nothing). */
  readonly signalAtom: number;
}

/**
 * A Promise twin's pooled aiocb as the buffer registrations see it (view-registrations.ts, bounce-slots.ts:
 * the aiocb that last served a view; promise-pool.ts keeps Aiocbs there). Declared here, not
 * as aiocb.ts's Aiocb: aiocb.ts imports view-registrations.ts, and a type import back made an import cycle.
 */
export interface PooledAiocb {
  /** Its index in the pool while pooled, else -1. */
  _poolAt: number;
}
