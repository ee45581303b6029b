/**
 * The request engine's contract, in the role of glibc's aio_misc.h: the request record, its
 * states, a lio_listio list in progress and the per-fd state. The logic is in requests.ts.
 */
import type { RequestFifo } from './request-fifo.js';
import * as wordsExports from '../engine/words.js';
import type { HeldRange } from './held-ranges.js';
import type { BufferRegistration } from './view-registrations.js';
import type { ChainListener } from '../engine/engine.js';
import type { PluginInstance } from '../plugins/plugin.js';
import * as nativeExports from '../engine/native/index.js';
import type { Word } from '../engine/native/index.js';
import type { Policy } from '../engine/policy.js';
import * as tableExports from '../engine/syscalls/table.js';
import * as atomExports from '../engine/atom.js';
import * as constantsExports from './constants.js';
import * as typesExports from './types.js';
import type { AioCompletion, ListGroup, PluginInfo, SigevNotifyFunction } from './types.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { readWord, setWord, wordFromHalves } = wordsExports;
const { ECANCELED, EINPROGRESS, EINTR, EIO, EPERM } = nativeExports;
const { SYSLET_NR } = tableExports;
const { STOP } = atomExports;
const { SIGEV_NONE } = constantsExports;
const { OP_READ } = typesExports;

const SYS_aio_status = SYSLET_NR.aio_status;
// Per region view, its bytes as int32s (one array per region, shared by the records in it).
const int32Views = new WeakMap<DataView, Int32Array>();

/**
 * @internal int32Of - `view`'s bytes as int32s, for the status words and aiocb fields read and
 * written on every request: a typed array's access costs fewer instructions than a DataView's
 * (no detached-buffer test, no byte-offset arithmetic), and x86-64 is little-endian, as the
 * struct is. Null when the view does not start 4-byte aligned.
 */
export function int32Of(view: DataView): Int32Array | null {
  if (view.byteOffset % 4 !== 0) return null;
  let int32 = int32Views.get(view);
  if (int32 === undefined) {
    int32 = new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2);
    int32Views.set(view, int32);
  }
  return int32;
}

/** Not queued, not in flight (free for the next submission). */
export const IDLE = 0;
/** Waiting in its fd's FIFO: not started (cancellable), perhaps linked to start after the one before it. */
export const QUEUED = 1;
/** Handed to the engine: running inline or on a cachemiss thread (not cancellable). */
export const RUNNING = 2;

/**
 * The plugin instance an aiocb's request holds, as the aiocb's finalizer sees it (aiocb.ts): the
 * finalizer gives it back once the aiocb is garbage, without holding the request.
 */
export interface InstanceRemains {
  instance: PluginInstance | null;
}

/** Who learns that a request finished (the promise API). */
export interface RequestWaiter {
  requestDone(request: Request): void;
}

/** Per-fd state: the FIFO of requests not yet handed to the engine, and what runs. */
export interface FdState {
  readonly fd: number;
  readonly queue: RequestFifo<Request>;
  /** Positional requests of this fd in flight on cachemiss threads. */
  running: number;
  /** The serial request (stream, O_APPEND, fsync) in flight, if any. */
  serial: Request | null;
}

/**
 * What the request engine reads from an aiocb (the Aiocb class implements it): the struct's bytes
 * and the request record that lives with it.
 */
export interface AiocbSource {
  readonly _request: Request;
  readonly _view: DataView;
  readonly _base: number;
  /** The length of the buffer assigned as aio_buf while aio_buf still points at it; else -1. */
  _bufferLength(address: number): number;
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
  /**
   * Read or write at the fd's own file position (read(2)/write(2), which advance it) instead of
   * at `offset`: the Promise twins' `position: null`, as Node's fs.read takes it. Such requests
   * run as stream requests do, one at a time per fd in submission order, so that consecutive
   * ones see consecutive positions.
   */
  filePosition = false;
  stream = false;
  serial = false;
  notify = SIGEV_NONE;
  signo = 0;
  value: Word = 0;
  /** The aiocb's SIGEV_THREAD function (JS side of sigev_notify_function). */
  notifyFunction: SigevNotifyFunction | null = null;
  fn: SigevNotifyFunction | null = null;
  plugin: PluginInfo | null = null;
  /** A stream request's duplicate of its fd while it runs (request-prepare.ts pinStream), or -1. */
  pinnedFd = -1;
  /** The fd, buf and nbytes last written into the instance's parameter cells (NaN: none). */
  cachedFd = NaN;
  cachedBuf = NaN;
  cachedNbytes: Word = NaN;
  instance: PluginInstance | null = null;
  group: ListGroup | null = null;
  waiter: RequestWaiter | null = null;
  /** The fd state the request is queued in or counted by. */
  tracked: FdState | null = null;
  /**
   * Made for one request only (submitRaw's): nothing can submit it again, so it gives back its
   * plugin instance as it completes (request-prepare.ts releaseInstance).
   */
  oneShot = false;
  /** Where the aiocb's finalizer finds the instance this request holds (null: no aiocb, a submitRaw request). */
  remains: InstanceRemains | null = null;
  /** The engine's token for its chain while that is in flight on a cachemiss thread or linked (else -1). */
  token = -1;
  /**
   * Queued, and already handed to the engine as the successor of the request before it in the
   * fd's line (Engine.submitAfter): the cachemiss thread that ends that one starts this one,
   * without the JS thread. Still cancellable until then (Engine.withdraw).
   */
  linked = false;
  /** The bytes of the view given as the aiocb's aio_buf (null for a raw address). */
  buffer: BufferRegistration | null = null;
  /** Whether this request holds its buffer's registration now (queued or in flight). */
  holdsBuffer = false;
  /**
   * Queued without its buffer held: the engine's region table was full when it was submitted
   * (request-room.ts waitsForRoom); drain holds it when there is room, before it starts.
   */
  needsHold = false;
  /**
   * The registered range it holds while `holdsBuffer` (null: none needed, the bytes were engine
   * memory or the caller's own registration). Kept after the request ends, until the next one
   * holds another or the aiocb's buffer changes: storing the same range again was a write
   * barrier's call per request.
   */
  heldRange: HeldRange | null = null;
  /** How the last request completed (Aiocb.lastCompletion): one object, updated in place, so recording it allocates nothing. */
  readonly completion: { mode: AioCompletion['mode']; latencyNs: number } = { mode: null, latencyNs: NaN };
  // The status words as int32s of the region (int32Of), at these indices; null when either
  // word is not 4-byte aligned there (then the DataView is used).
  readonly #int32: Int32Array | null;
  readonly #errorIndex: number;
  readonly #returnIndex: number;

  constructor(
    readonly view: DataView,
    readonly errorOffset: number,
    readonly errorAddress: number,
    readonly returnOffset: number,
    readonly returnAddress: number,
    readonly width: 4 | 8,
    /** The request engine's completion step (requests.ts `chainEnded`), handed in so that this record needs nothing above it. */
    private readonly done: (request: Request) => void,
    /** The policy its chains run under (the POSIX engine's). */
    private readonly policy: Policy,
  ) {
    const int32 = errorOffset % 4 === 0 && returnOffset % 4 === 0 ? int32Of(view) : null;
    this.#int32 = int32;
    this.#errorIndex = errorOffset >> 2;
    this.#returnIndex = returnOffset >> 2;
  }

  /** Queued or in flight. */
  get busy(): boolean {
    return this.state !== IDLE;
  }

  /** The status aio_error reports. */
  get error(): number {
    // (A detached store reads undefined: the DataView then throws, as it always did.)
    const error = this.#int32?.[this.#errorIndex];
    return error !== undefined ? error : this.view.getInt32(this.errorOffset, true);
  }

  /** The status aio_return reports. */
  get returned(): number {
    const int32 = this.#int32;
    const at = this.#returnIndex;
    if (int32 !== null && at + 1 < int32.length) {
      if (this.width !== 8) return int32[at] as number;
      // As readWord, from the two halves.
      return wordFromHalves(int32[at] as number, int32[at + 1] as number) as number;
    }
    return this.width === 8 ? (readWord(this.view, this.returnOffset) as number) : this.view.getInt32(this.returnOffset, true);
  }

  /** setInProgress - setStatus(EINPROGRESS, 0), in less code (it is inlined into every submission). */
  setInProgress(): void {
    const int32 = this.#int32;
    const at = this.#returnIndex;
    const error = this.#errorIndex;
    if (int32 !== null && at + 1 < int32.length && error < int32.length) {
      int32[at] = 0;
      if (this.width === 8) int32[at + 1] = 0;
      int32[error] = EINPROGRESS;
    } else {
      this.setStatus(EINPROGRESS, 0);
    }
  }

  /** setStatus - write (__error_code, __return_value), the return value first as aio_status does. */
  setStatus(error: number, returned: number): void {
    const int32 = this.#int32;
    const at = this.#returnIndex;
    if (int32 !== null && at + 1 < int32.length && this.#errorIndex < int32.length && (returned | 0) === returned) {
      int32[at] = returned;
      if (this.width === 8) int32[at + 1] = returned >> 31;
      int32[this.#errorIndex] = error;
      return;
    }
    if (this.width === 8) setWord(this.view, this.returnOffset, returned);
    else this.view.setInt32(this.returnOffset, returned, true);
    this.view.setInt32(this.errorOffset, error, true);
  }

  /** ChainListener: the chain went to a cachemiss thread and has now ended. */
  chainDone(_last: number, result: Word, _atoms: number, stop: number, latencyNs: number): void {
    this.completion.mode = 'cachemiss';
    this.completion.latencyNs = latencyNs;
    this.publishIfUnpublished(result, stop);
    this.done(this);
  }

  /**
   * publishIfUnpublished - a chain ended without aio_status publishing a status (the engine was
   * closed, a thread died, or the policy refused the calls: SYSLET_AIO_DISABLED=1): give the
   * request a final one, so that it ends like every other — the errno of the chain's last
   * result (EPERM for a refused call); when it was cancelled, its I/O call's answer if the kernel
   * finished the call (#answeredCall), else ECANCELED; else EIO; aio_return -1 for an error.
   */
  publishIfUnpublished(result: Word, stop: number): void {
    if (this.statusPublished()) return;
    if (stop === STOP.cancelled) {
      // The kernel's answer decides: a call that finished before the cancellation reached it
      // (closing the engine, or a Promise twin's abort) keeps its bytes or its own errno.
      const answered = this.#answeredCall();
      if (answered === null) this.setStatus(ECANCELED, -1);
      else this.setStatus(answered < 0 ? -answered : 0, answered < 0 ? -1 : answered);
      return;
    }
    this.setStatus(typeof result === 'number' && result < 0 && result > -4096 ? -result : EIO, -1);
  }

  /**
   * answeredCall - for a chain that ended without publishing a status: the result of its I/O call
   * (the atom before aio_status) when the kernel finished that call — bytes (>= 0) or -errno —,
   * or null when the call was cancelled (the ring answers -EINTR for it), interrupted or never ran.
   */
  #answeredCall(): number | null {
    const instance = this.instance;
    const plugin = this.plugin;
    if (instance === null || plugin === null || plugin.statusAtom < 1) return null;
    // A number once the atom has run; the reset value NOT_EXECUTED is a bigint.
    const result = instance.result(plugin.statusAtom - 1);
    return typeof result === 'number' && result !== -EINTR && result !== -ECANCELED ? result : null;
  }

  /**
   * statusPublished - whether this run's aio_status atom has run: read from its result cell in
   * the plugin instance (engine memory the caller has no handle on, reset before each run), never
   * from the aiocb's `__error_code`, which the program may write, as C may (glibc's aio_error
   * reports whatever it holds). The request engine's own decisions rest on this.
   */
  statusPublished(): boolean {
    const instance = this.instance;
    const plugin = this.plugin;
    if (instance === null || plugin === null) return false;
    // An int32 (the usual answer: 0, or -errno) read as two int32s, without making the word.
    const small = instance.int32Result(plugin.statusAtom);
    if (small === small) return small !== -EPERM || this.policy.check(SYS_aio_status) === 0;
    // A number: the atom ran (the status it published, or -errno); the reset value NOT_EXECUTED
    // is a bigint.
    const result = instance.result(plugin.statusAtom);
    if (typeof result !== 'number') return false;
    // -EPERM is also what a policy that refuses aio_status itself gives (the kill switch), and
    // then nothing was published. Narrowing is one-way: allowed now means allowed when it ran.
    return result !== -EPERM || this.policy.check(SYS_aio_status) === 0;
  }
}

