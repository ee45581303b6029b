/**
 * A FileHandle.write or writev of more than a request's slot holds, to a regular file: made by
 * node:fs's own write / writev on the fd (libuv's thread pool), on either engine — Node's call,
 * at Node's cost.
 *
 * Why not the engine: a buffered write to a file on ext4 (and most file systems) cannot be made
 * without blocking — pwritev2(RWF_NOWAIT) answers EOPNOTSUPP, io_uring's non-blocking try
 * EAGAIN — so it always ended on another thread: an io-wq worker (the chain's ring WRITE, or the
 * direct ring WRITE of the former fs/pwrite-ring.ts, b2397e8, IOSQE_ASYNC) or a cachemiss thread.
 * That hop cost more than libuv's (coord30 on a quiet machine, 256 KiB at QD1: 116–131 µs of wall
 * a write against Node's 75–83; io-wq's wake-ups took 25–30 % of both threads' samples), and the
 * engine's work around it (lending the buffer, the request, the chain or SQE) added to it. Nothing
 * of the engine's is worth keeping for such a write: the copy is made off this thread either way
 * (as Node makes it; on a file system that takes RWF_NOWAIT buffered writes — XFS, Btrfs, not
 * measured here — the threads engine's chain copied up to 1 MiB inline, holding the event loop
 * for it). Small writes still go through the slot (one chain: no thread when the kernel
 * can answer inline), and a write to a FIFO, socket or device keeps the engine's non-blocking
 * path (libuv would park a pool thread in it). docs/fs.md, "Session 31: fswrite31", has the figures.
 *
 * The call is made inside the FileHandle's reference (file-handle.ts #call): close() waits for it,
 * so the fd number is never closed — and reused by another open — while the write is pending.
 */
import { write as writeCallback, writev as writevCallback } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { NR } from '../engine/syscalls/nr.js';
import { SLOT_DATA_BYTES } from '../plugins/requests.js';
import { nodeMayServe } from './direct.js';
import { fsError } from './errors.js';

/**
 * The fewest bytes a write hands to node:fs: more than a request's slot holds (a write the slot
 * holds is one chain, made inline when the kernel can). Node's cost or less from 80 KiB to 4 MiB
 * (docs/fs.md, "Session 31: fswrite31").
 */
export const NODE_WRITE_BYTES = SLOT_DATA_BYTES + 1;

/**
 * The call a delegated write stands for (libuv's: pwrite64 / write, pwritev / writev): the
 * engine's policy must allow it, as it would the atom — a policy that denies it sees the atom,
 * denied and reported to its onDeny, as before.
 */
const PWRITE: readonly number[] = [NR.pwrite64];
const WRITE: readonly number[] = [NR.write];
const PWRITEV: readonly number[] = [NR.pwritev];
const WRITEV: readonly number[] = [NR.writev];

/** What a delegated write needs of its handle (handle-io.ts HandleIo has it). */
export interface NodeWriteHandle {
  /** The engine whose policy the write answers to. */
  readonly engine: Engine;
  /** The fd was a regular file at open. */
  readonly regularFile: boolean;
}

/** One write in libuv's pool; pooled (see {@link idle}): a call allocates its Promise only. */
class NodeWrite {
  #resolve: ((written: number) => void) | null = null;
  #reject: ((error: Error) => void) | null = null;

  /** node:fs's callback, bound once. */
  readonly #done = (error: NodeJS.ErrnoException | null, written: number): void => {
    const resolve = this.#resolve as (written: number) => void;
    const reject = this.#reject as (error: Error) => void;
    this.#resolve = null;
    this.#reject = null;
    idle.push(this);
    // Node's promises write rejects with the same fields (errno, code, syscall 'write', no path);
    // made by fsError so that its shape is this module's everywhere (errors.ts).
    if (error !== null) reject(fsError(error.errno ?? -1, 'write'));
    else resolve(written);
  };

  write(fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    const answer = new Promise<number>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    writeCallback(fd, bytes, offset, length, position, this.#done);
    return answer;
  }

  writev(fd: number, views: readonly Uint8Array[], position: number | null): Promise<number> {
    const answer = new Promise<number>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    writevCallback(fd, views as Uint8Array[], position, this.#done);
    return answer;
  }
}

const idle: NodeWrite[] = [];

let capturedResolve: ((written: number) => void) | null = null;
let capturedReject: ((error: Error) => void) | null = null;
function capture(resolve: (written: number) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * Whether a write of `length` bytes is node:fs's (see the module's doc). Not once the engine is
 * closed: the caller's path then rejects with ESHUTDOWN, as every call made after the close does
 * (docs/fs.md); a delegated write already in flight when it closes ends as Node's.
 */
function delegates(io: NodeWriteHandle, length: number, calls: readonly number[]): boolean {
  return io.regularFile && length >= NODE_WRITE_BYTES && nodeMayServe(io.engine, calls);
}

/**
 * writeThroughNode - node:fs's write(fd, bytes, offset, length, position) of a large buffer to a
 * regular file.
 *
 * @param position - at least 0: pwrite64 there; below 0: write(2) at the file position (Node's null).
 * @returns the Promise of the bytes written (libuv writes all of them, after short writes too, or
 *   fails), rejected with Node's error; or null when the write is not made this way (too small,
 *   not a regular file, a policy that does not allow the call): the caller's engine makes it.
 */
export function writeThroughNode(io: NodeWriteHandle, fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> | null {
  if (!delegates(io, length, position < 0 ? WRITE : PWRITE)) return null;
  return (idle.pop() ?? new NodeWrite()).write(fd, bytes, offset, length, position < 0 ? null : position);
}

/**
 * writevThroughNode - node:fs's writev(fd, views, position) of `length` bytes in all to a regular
 * file (as {@link writeThroughNode}).
 */
export function writevThroughNode(io: NodeWriteHandle, fd: number, views: readonly Uint8Array[], length: number, position: number): Promise<number> | null {
  if (!delegates(io, length, position < 0 ? WRITEV : PWRITEV)) return null;
  return (idle.pop() ?? new NodeWrite()).writev(fd, views, position < 0 ? null : position);
}
