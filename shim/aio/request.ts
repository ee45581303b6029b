/**
 * The request engine's contract, in the role of glibc's aio_misc.h: the request record, its
 * states, a lio_listio list in progress and the per-fd state. The logic is in requests.ts.
 */
import { readWord, setWord } from '../executor.js';
import type { BufferRegistration } from './buffers.js';
import type { ChainListener } from '../engine.js';
import type { PluginInstance } from '../../plugins/plugin.js';
import { type Word, ECANCELED, EINPROGRESS, EIO } from '../native/index.js';
import { STOP } from '../atom.js';
import { SIGEV_NONE } from './constants.js';
import { OP_READ, type PluginInfo } from './notify.js';
import type { AioCompletion, SigevNotifyFunction } from './aiocb.js';
import { complete } from './requests.js';

/** Not queued, not in flight (free for the next submission). */
export const IDLE = 0;
/** Waiting in its fd's FIFO, not yet handed to the engine (cancellable). */
export const QUEUED = 1;
/** Handed to the engine: running inline or on a cachemiss thread (not cancellable). */
export const RUNNING = 2;

/** Who learns that a request finished (the promise API). */
export interface RequestWaiter {
  requestDone(request: Request): void;
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

/** Per-fd state: the FIFO of requests not yet handed to the engine, and what runs. */
export interface FdState {
  readonly fd: number;
  readonly queue: Request[];
  /** Positional requests of this fd in flight on cachemiss threads. */
  running: number;
  /** The serial request (stream, O_APPEND, fsync) in flight, if any. */
  serial: Request | null;
}

/**
 * One request's record (glibc's `struct requestlist`), owned by an aiocb (or a raw submission)
 * and reused for its next request. It is its own chain listener.
 */
export class Request implements ChainListener {
  /** The aiocb, kept alive while the request is queued or in flight. */
  owner: object | null = null;
  state = IDLE;
  op = OP_READ;
  fd = -1;
  buf = 0;
  nbytes: Word = 0;
  offset: Word = 0;
  reqprio = 0;
  stream = false;
  serial = false;
  notify = SIGEV_NONE;
  signo = 0;
  value: Word = 0;
  /** The aiocb's SIGEV_THREAD function (JS side of sigev_notify_function). */
  notifyFunction: SigevNotifyFunction | null = null;
  fn: SigevNotifyFunction | null = null;
  plugin: PluginInfo | null = null;
  /** The fd, buf and nbytes last written into the instance's parameter cells (NaN: none). */
  cachedFd = NaN;
  cachedBuf = NaN;
  cachedNbytes: Word = NaN;
  instance: PluginInstance | null = null;
  group: ListGroup | null = null;
  waiter: RequestWaiter | null = null;
  /** The fd state the request is queued in or counted by. */
  tracked: FdState | null = null;
  /** The registration record of the aiocb's buffer (null for a raw address). */
  buffer: BufferRegistration | null = null;
  /** Whether this request holds that registration now (queued or in flight). */
  holdsBuffer = false;
  /** How the last request completed (Aiocb.lastCompletion): one object, updated in place, so recording it allocates nothing. */
  readonly completion: { mode: AioCompletion['mode']; latencyNs: number } = { mode: null, latencyNs: NaN };

  constructor(
    readonly view: DataView,
    readonly errorOffset: number,
    readonly errorAddress: number,
    readonly returnOffset: number,
    readonly returnAddress: number,
    readonly width: 4 | 8,
  ) {}

  /** Queued or in flight. */
  get busy(): boolean {
    return this.state !== IDLE;
  }

  /** The status aio_error reports. */
  get error(): number {
    return this.view.getInt32(this.errorOffset, true);
  }

  /** The status aio_return reports. */
  get returned(): number {
    return this.width === 8 ? (readWord(this.view, this.returnOffset) as number) : this.view.getInt32(this.returnOffset, true);
  }

  /** setStatus - write (__error_code, __return_value), the return value first as aio_status does. */
  setStatus(error: number, returned: number): void {
    if (this.width === 8) setWord(this.view, this.returnOffset, returned);
    else this.view.setInt32(this.returnOffset, returned, true);
    this.view.setInt32(this.errorOffset, error, true);
  }

  /** ChainListener: the chain went to a cachemiss thread and has now ended. */
  chainDone(_last: number, result: number, _atoms: number, stop: number, latencyNs: number): void {
    this.completion.mode = 'cachemiss';
    this.completion.latencyNs = latencyNs;
    if (this.error === EINPROGRESS) {
      // aio_status never ran: the engine was closed (cancelled) or the thread died.
      this.setStatus(stop === STOP.cancelled ? ECANCELED : result < 0 && result > -4096 ? -result : EIO, -1);
    }
    complete(this);
  }

  /** @internal The aiocb is garbage: give the plugin instance back. */
  dispose(): void {
    this.instance?.release();
    this.instance = null;
    this.plugin = null;
  }
}

