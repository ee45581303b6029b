/**
 * writeFile of a small file on the io_uring engine as two direct ring requests (Engine.ringDirect,
 * no chain): OPENAT(path, flags | O_CLOEXEC, mode), then WRITE(fd, data, length, at the file
 * position), then close(2) on the calling thread — the calls Node makes (open, write at position
 * null, close), so its answers are Node's.
 *
 * The fs.writeFile chain (fs/chains.ts) makes the same two ring requests, but between them the
 * chain resumes on the calling thread through the executor, asks fstat whether the fd takes
 * offsets (the ring's position rule, engine/uring-fd-rules.ts) and probes pwritev2(RWF_NOWAIT),
 * which ext4 answers EOPNOTSUPP for a buffered write: 13–16 µs of the calling thread per 4 KiB
 * file on a clean ext4, the bound of bench:fs's writeFile row whenever creates are cheap. Here the
 * fd is one this call opened a moment ago: WRITE at position -1 is write(2) at the file position
 * for every kind of file (a regular one from 0, or appended with O_APPEND; a FIFO or a device at
 * none), and a short count is not lost (the rest goes on from the fd, below).
 *
 * - The open: IOSQE_ASYNC, so io-wq makes it as a blocking openat (the kernel's inline try adds
 *   O_NONBLOCK and LOOKUP_CACHED: a FIFO with no reader would answer ENXIO where Node's open
 *   waits). An open with O_CREAT or O_TRUNC goes to io-wq anyway. A real fd, so the fd limit
 *   answers EMFILE before anything is created, as Node's open does. Its error is Node's open
 *   error; a request the ring never ran (-ECANCELED, the engine open) leaves the call to the chain.
 * - Every byte written: close(2), whose error (a file system's flush: NFS, FUSE) is the call's,
 *   as Node's close after its writes. On a FUSE, NFS... mount (engine/remote-mounts.ts) Node's
 *   close, on libuv's pool: that flush waits for the server.
 * - A short write (a full disk, a pipe taking part): the rest with Node's own write at the count
 *   written (see #written), as its writeFile loops, then close. A write error: close, then the write's error.
 *   When the ring takes no WRITE now, the whole write goes that way.
 */
import type { Engine } from '../engine/engine.js';
import type { DirectRequestTarget } from '../engine/uring-direct.js';
import { ECANCELED, IORING_OP, IOSQE_ASYNC, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD, O_CLOEXEC, SEEK_SET } from '../engine/syscalls/constants.generated.js';
import { close as closeCallback, write as writeCallback } from 'node:fs';
import { promisify } from 'node:util';
import type { Request } from '../plugins/requests.js';
import type { FastPath } from './args.js';
import { fdOnRemoteMount } from '../engine/remote-mounts.js';
import { directCallsAllowed } from './direct.js';
import { fsError } from './errors.js';

const SYS_close = NR.close;
const SYS_lseek = NR.lseek;
/** The calls made for a writeFile here (two as ring requests, close directly): the policy must allow each. */
const WRITE_CALLS: readonly number[] = [NR.openat, NR.write, NR.close];

const writeAsync = promisify(writeCallback) as (fd: number, bytes: Uint8Array, offset: number, length: number, position: null) => Promise<{ bytesWritten: number }>;
const closeAsync = promisify(closeCallback);

/** The ring never ran the open: the caller makes the call with its chain. */
export const NOT_BY_RING = 1;

type Answer = undefined | typeof NOT_BY_RING;

/**
 * One writeFile's two requests; the engine hands each result to {@link ringDone}. Pooled (see
 * {@link idle}): a call allocates its Promise and nothing else here.
 */
class RingWrite implements DirectRequestTarget {
  #req: Request | null = null;
  #path: FastPath = '';
  #length = 0;
  /** The open's fd once it answered (-1 before: the next result is the open's). */
  #fd = -1;
  /** Whether that fd is a FUSE, NFS... file, whose close waits for the server (see {@link closeFd}). */
  #remote = false;
  #resolve: ((answer: Answer | Promise<Answer>) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;

  /**
   * start - the open of the path in `req`'s slot as a ring request.
   * @returns the call's answer, or null (this object idle again) when the ring takes no request now.
   */
  start(req: Request, path: FastPath, flags: number, mode: number, length: number): Promise<Answer> | null {
    this.#req = req;
    this.#path = path;
    this.#length = length;
    this.#fd = -1;
    this.#remote = false;
    if (!req.engine.ringDirect(this, IORING_OP.OPENAT, AT_FDCWD, 0, req.slot.pathAddresses[0], mode, flags | O_CLOEXEC, IOSQE_ASYNC)) {
      this.#idle();
      return null;
    }
    const answer = new Promise<Answer>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    return answer;
  }

  ringDone(res: number): void {
    let answer: Answer | Promise<Answer> | null = null;
    let failure: unknown = undefined;
    let failed = false;
    try {
      answer = this.#fd < 0 ? this.#opened(res) : this.#written(res);
    } catch (error) {
      failed = true;
      failure = error;
    }
    // null: the write is in the ring, and this object waits for its result.
    if (!failed && answer === null) return;
    const resolve = this.#resolve as (answer: Answer | Promise<Answer>) => void;
    const reject = this.#reject as (error: unknown) => void;
    this.#idle();
    if (failed) reject(failure);
    else resolve(answer as Answer | Promise<Answer>);
  }

  #idle(): void {
    this.#req = null;
    this.#path = '';
    this.#resolve = null;
    this.#reject = null;
    idle.push(this);
  }

  #opened(fd: number): Answer | Promise<Answer> | null {
    const req = this.#req as Request;
    if (fd < 0) {
      // Not run with the engine still open (a refused enter): nothing was done, the chain makes it.
      if (fd === -ECANCELED && !req.engine.closed) return NOT_BY_RING;
      throw fsError(fd, 'open', this.#path);
    }
    this.#fd = fd;
    this.#remote = fdOnRemoteMount(fd);
    const slot = req.slot;
    if (req.engine.ringDirect(this, IORING_OP.WRITE, fd, -1, slot.dataAddress, this.#length, 0)) return null;
    return writeRest(fd, slot.data.subarray(0, this.#length), this.#remote);
  }

  #written(res: number): Answer | Promise<Answer> {
    const fd = this.#fd;
    const remote = this.#remote;
    if (res === this.#length) return closeWritten(fd, remote);
    if (res >= 0) {
      // The ring does not always leave the file position after a short count (a 16 KiB tmpfs:
      // 16 KiB written, the position still 0, and the rest then overwrote the start): the fd was
      // opened by this call at 0, so the rest goes on at the count written (ESPIPE on a FIFO,
      // which has no position to lose; O_APPEND appends wherever).
      syscall(SYS_lseek, fd, res, SEEK_SET);
      return writeRest(fd, (this.#req as Request).slot.data.subarray(res, this.#length), remote);
    }
    const error = fsError(res, 'write');
    if (remote) return closeAsync(fd).then(() => Promise.reject(error), () => Promise.reject(error));
    syscall(SYS_close, fd);
    throw error;
  }
}

/** RingWrite objects not in use: at most one per writeFile in flight (the request windows bound them). */
const idle: RingWrite[] = [];

// A Promise's resolving functions taken out of its executor without a closure per call.
let capturedResolve: ((answer: Answer | Promise<Answer>) => void) | null = null;
let capturedReject: ((error: unknown) => void) | null = null;
function capture(resolve: (answer: Answer | Promise<Answer>) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * writeFileByRing - write `length` bytes (already in `req`'s slot data area, 1 to
 * SLOT_DATA_BYTES) to the path in the slot's first path buffer, opened with `flags` and `mode`.
 * @returns null when the ring cannot take it now (no io_uring engine, a policy that denies one of
 *   its calls, a full ring): the caller uses the chain. Otherwise the call's answer: undefined, or
 *   {@link NOT_BY_RING} when the ring never ran the open. Rejects with Node's error.
 */
export function writeFileByRing(req: Request, path: FastPath, flags: number, mode: number, length: number): Promise<Answer> | null {
  const engine: Engine = req.engine;
  if (!ringWrites(engine) || !directCallsAllowed(engine, WRITE_CALLS)) return null;
  return (idle.pop() ?? new RingWrite()).start(req, path, flags, mode, length);
}

/** Whether each engine's ring makes openat and write (the io_uring engine on this kernel). */
const ringWriters = new WeakMap<Engine, boolean>();

function ringWrites(engine: Engine): boolean {
  let known = ringWriters.get(engine);
  if (known === undefined) {
    const info = engine.asyncEngine;
    known = info.kind === 'io_uring' && info.calls.includes('openat') && info.calls.includes('write');
    ringWriters.set(engine, known);
  }
  return known;
}

/**
 * close(2) of a FUSE, NFS... file (`remote`) on libuv's pool, as Node's: the kernel sends the server
 * a FLUSH and waits for its answer (engine/remote-mounts.ts), which on the calling thread held the
 * event loop for the server's whole delay (an appendFile on the io_uring engine: 1,502 ms with a
 * server answering after 1.5 s). Any other fd: close(2) here, at once.
 */
function closeFd(fd: number, remote: boolean): Promise<void> | number {
  return remote ? closeAsync(fd) : syscall(SYS_close, fd);
}

/** close(2) the fd after its last write; its failure is the call's, as Node's close. */
function closeWritten(fd: number, remote: boolean): undefined | Promise<undefined> {
  const closed = closeFd(fd, remote);
  if (typeof closed !== 'number') return closed.then(() => undefined);
  if (closed < 0) throw fsError(closed, 'close');
  return undefined;
}

/** The rest at the fd's position with Node's write, as its writeFile loops; then close. */
async function writeRest(fd: number, rest: Uint8Array, remote: boolean): Promise<undefined> {
  try {
    for (let at = 0; at < rest.length;) at += (await writeAsync(fd, rest, at, rest.length - at, null)).bytesWritten;
  } catch (error) {
    await Promise.resolve(closeFd(fd, remote)).catch(() => undefined);
    throw error;
  }
  return closeWritten(fd, remote);
}
