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
 *   as Node's close after its writes.
 * - A short write (a full disk, a pipe taking part): the rest with Node's own write at the count
 *   written (see #written), as its writeFile loops, then close. A write error: close, then the write's error.
 *   When the ring takes no WRITE now, the whole write goes that way.
 */
import type { Engine } from '../engine/engine.js';
import type { DirectRequestTarget } from '../engine/uring-direct.js';
import { ECANCELED, IORING_OP, IOSQE_ASYNC, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD, O_CLOEXEC, SEEK_SET } from '../engine/syscalls/constants.generated.js';
import { write as writeCallback } from 'node:fs';
import { promisify } from 'node:util';
import type { Request } from '../plugins/requests.js';
import type { FastPath } from './args.js';
import { directCallsAllowed } from './direct.js';
import { fsError } from './errors.js';

const SYS_close = NR.close;
const SYS_lseek = NR.lseek;
/** The calls made for a writeFile here (two as ring requests, close directly): the policy must allow each. */
const WRITE_CALLS: readonly number[] = [NR.openat, NR.write, NR.close];

const writeAsync = promisify(writeCallback) as (fd: number, bytes: Uint8Array, offset: number, length: number, position: null) => Promise<{ bytesWritten: number }>;

/** The ring never ran the open: the caller makes the call with its chain. */
export const NOT_BY_RING = 1;

type Answer = undefined | typeof NOT_BY_RING;

/** One writeFile's two requests; the engine hands each result to {@link ringDone}. */
class RingWrite implements DirectRequestTarget {
  readonly #req: Request;
  readonly #path: FastPath;
  readonly #length: number;
  #fd = -1;
  #resolve: (answer: Answer | Promise<Answer>) => void = () => {};
  #reject: (error: Error) => void = () => {};
  readonly answer: Promise<Answer>;

  constructor(req: Request, path: FastPath, length: number) {
    this.#req = req;
    this.#path = path;
    this.#length = length;
    this.answer = new Promise<Answer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  ringDone(res: number): void {
    try {
      if (this.#fd < 0) this.#opened(res);
      else this.#written(res);
    } catch (error) {
      this.#reject(error as Error);
    }
  }

  #opened(fd: number): void {
    if (fd < 0) {
      // Not run with the engine still open (a refused enter): nothing was done, the chain makes it.
      if (fd === -ECANCELED && !this.#req.engine.closed) this.#resolve(NOT_BY_RING);
      else throw fsError(fd, 'open', this.#path);
      return;
    }
    this.#fd = fd;
    const slot = this.#req.slot;
    if (!this.#req.engine.ringDirect(this, IORING_OP.WRITE, fd, -1, slot.dataAddress, this.#length, 0)) {
      this.#resolve(writeRest(fd, slot.data.subarray(0, this.#length)));
    }
  }

  #written(res: number): void {
    const fd = this.#fd;
    if (res === this.#length) {
      this.#resolve(closeWritten(fd));
    } else if (res >= 0) {
      // The ring does not always leave the file position after a short count (a 16 KiB tmpfs:
      // 16 KiB written, the position still 0, and the rest then overwrote the start): the fd was
      // opened by this call at 0, so the rest goes on at the count written (ESPIPE on a FIFO,
      // which has no position to lose; O_APPEND appends wherever).
      syscall(SYS_lseek, fd, res, SEEK_SET);
      this.#resolve(writeRest(fd, this.#req.slot.data.subarray(res, this.#length)));
    } else {
      syscall(SYS_close, fd);
      throw fsError(res, 'write');
    }
  }
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
  const job = new RingWrite(req, path, length);
  if (!engine.ringDirect(job, IORING_OP.OPENAT, AT_FDCWD, 0, req.slot.pathAddresses[0], mode, flags | O_CLOEXEC, IOSQE_ASYNC)) return null;
  return job.answer;
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

/** close(2) the fd after its last write; its failure is the call's, as Node's close. */
function closeWritten(fd: number): undefined {
  const closed = syscall(SYS_close, fd);
  if (closed < 0) throw fsError(closed, 'close');
  return undefined;
}

/** The rest at the fd's position with Node's write, as its writeFile loops; then close. */
async function writeRest(fd: number, rest: Uint8Array): Promise<undefined> {
  try {
    for (let at = 0; at < rest.length;) at += (await writeAsync(fd, rest, at, rest.length - at, null)).bytesWritten;
  } catch (error) {
    syscall(SYS_close, fd);
    throw error;
  }
  return closeWritten(fd);
}
