/**
 * The copy loop of `syslet-aio cp`, written the way a C programmer ports one to POSIX AIO: a ring
 * of `qd` aiocbs, each with its own block of one shared buffer. Every slot reads a block; when
 * the read completes, the same aiocb writes that block at the same offset; when the write
 * completes, the slot reads the next block nobody has claimed. aio_suspend waits for any of
 * them. With the source in the page cache most requests complete inside aio_read/aio_write
 * (inline), so the loop rarely sleeps.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  Aiocb, aio_cancel, aio_error, aio_fsync, aio_read, aio_return, aio_suspend, aio_write, EAGAIN, EINPROGRESS, EINTR, errno, errnoMessage, errnoName, O_SYNC,
  type AiocbListEntry, type Timespec,
} from '../index.js';
import { CliError } from './errors.js';
import { newCounters, type CopyCounters } from './cp-stats.js';
import type { DataExtent } from './cp-extents.js';

/** What {@link copyFd} needs besides the two fds. */
export interface CopyOptions {
  /** Requests kept in flight (the ring size). */
  readonly qd: number;
  /** Bytes per request. */
  readonly bs: number;
  /**
   * Bytes to copy: the source's size when the copy starts. 0 means "unknown" (procfs and sysfs
   * files report 0 whatever they hold): the file is then read until a read returns 0, one
   * request at a time, in order, as read(2) loops do, so that a generated file is read the way
   * its producer expects.
   */
  readonly size: number;
  /**
   * Where the data is (cp-extents.ts): only those ranges are read and written, the rest stays a
   * hole in the destination (whose size the caller sets afterwards). Without it every byte is
   * copied. Ignored when the size is unknown.
   */
  readonly extents?: { next(offset: number): DataExtent | null };
  /** Finish with aio_fsync(O_SYNC) on the destination, so the data is on stable storage. */
  readonly fsync: boolean;
  /** Called with the bytes written so far, about 10 times a second (it decides when to redraw). */
  readonly progress?: (bytesDone: number) => void;
  /**
   * Checked about 10 times a second: once aborted, the copy stops (after the in-flight requests
   * end) and throws the signal's reason.
   */
  readonly signal?: AbortSignal;
}

const IDLE = 0;
const READING = 1;
const WRITING = 2;
// aio_suspend blocks the event loop like a C thread; the loop wakes at least this often to
// report progress and to let the event loop run (Ctrl-C handlers), even while a slow disk stalls.
const TICK_MS = 100;
const TICK: Timespec = { tv_sec: 0, tv_nsec: TICK_MS * 1e6 };
const NS_PER_MS = 1e6;
// How long a stopped copy waits for its in-flight requests to end.
const DRAIN_MS = 5000;

/**
 * copyFd - copy `size` bytes from `src` to `dst` (both positional-I/O fds) with POSIX AIO.
 *
 * Short reads are expected at the end of the file (the last block asks for `bs`); a read that
 * returns 0 earlier means the source shrank, and the copy ends there (the counters then show
 * fewer bytes than `size`). With a size of 0 (unknown) it reads until a read returns 0. With
 * `extents`, holes are skipped and counted in `holeBytes`. A short write (a disk almost full) is
 * resubmitted for the rest, as write(2) loops do. Per request it records
 * whether it completed inline or on a cachemiss thread (Aiocb.lastCompletion), and its
 * latency: the engine's figure for a cachemiss completion, the time aio_read/aio_write took for
 * an inline one.
 *
 * @returns the counters (bytes, requests, inline/cachemiss split, latency histogram, seconds).
 * @throws CliError with one line naming the operation, the offset and the errno, when a request
 *   fails; every other request has ended by then, so the fds may be closed at once.
 */
export async function copyFd(src: number, dst: number, options: CopyOptions): Promise<CopyCounters> {
  const { bs, size } = options;
  const sizeKnown = size > 0;
  const qd = sizeKnown ? options.qd : 1;
  const extents = sizeKnown ? (options.extents ?? null) : null;
  const counters = newCounters();
  const slab = Buffer.alloc(qd * bs);
  const blocks: Buffer[] = [];
  const cbs: Aiocb[] = [];
  // What aio_suspend watches: only slots with a request outstanding (an idle slot counts as
  // "not in progress" and would make it return at once, forever).
  const list: AiocbListEntry[] = [];
  const phase = new Uint8Array(qd);
  const callNs = new Float64Array(qd);
  // A write slot: bytes the block holds, and bytes of it written so far (short writes).
  const blockBytes = new Float64Array(qd);
  const written = new Float64Array(qd);
  const blockOffset = new Float64Array(qd);
  // Bytes a read slot asked for: a block, or less at the end of a data extent.
  const wanted = new Float64Array(qd);
  for (let i = 0; i < qd; i++) {
    const block = slab.subarray(i * bs, (i + 1) * bs);
    blocks.push(block);
    cbs.push(new Aiocb({ aio_fildes: src, aio_buf: block, aio_nbytes: bs }));
    list.push(null);
  }
  let next = 0;
  let end = sizeKnown ? size : Number.POSITIVE_INFINITY;
  // The end of the data extent `next` is in (the whole file without extents).
  let extentEnd = extents === null ? end : 0;
  let active = 0;
  const started = performance.now();

  /** Time the call itself: for an inline completion, that is the request's whole latency. */
  function submit(i: number, cb: Aiocb, read: boolean): void {
    const t0 = performance.now();
    const rc = read ? aio_read(cb) : aio_write(cb);
    callNs[i] = (performance.now() - t0) * NS_PER_MS;
    if (rc === -1) fail(read ? 'aio_read' : 'aio_write', cb, errno());
    if (read) counters.reads++;
    else counters.writes++;
    list[i] = cb;
    active++;
  }

  /** Moves `next` into the next data extent when it has reached the end of this one; false when only holes are left. */
  function inData(): boolean {
    if (next >= end) return false;
    if (extents === null || next < extentEnd) return true;
    const extent = extents.next(next);
    const start = extent === null ? end : Math.min(extent.start, end);
    counters.holeBytes += start - next;
    next = start;
    extentEnd = extent === null ? end : Math.min(extent.end, end);
    return next < end;
  }

  function startRead(i: number): void {
    const cb = cbs[i] as Aiocb;
    if (!inData()) {
      phase[i] = IDLE;
      return;
    }
    const length = Math.min(bs, extentEnd - next);
    cb.aio_fildes = src;
    if (cb.aio_buf !== blocks[i]) cb.aio_buf = blocks[i] as Buffer;
    cb.aio_nbytes = length;
    cb.aio_offset = next;
    blockOffset[i] = next;
    wanted[i] = length;
    next += length;
    phase[i] = READING;
    submit(i, cb, true);
  }

  function startWrite(i: number, from: number): void {
    const cb = cbs[i] as Aiocb;
    const block = blocks[i] as Buffer;
    cb.aio_fildes = dst;
    // Only a short write's remainder needs a narrower view (rare: it allocates one).
    cb.aio_buf = from === 0 ? block : block.subarray(from, blockBytes[i]);
    cb.aio_nbytes = (blockBytes[i] as number) - from;
    cb.aio_offset = (blockOffset[i] as number) + from;
    phase[i] = WRITING;
    submit(i, cb, false);
  }

  function account(i: number, cb: Aiocb): void {
    const completion = cb.lastCompletion;
    if (completion.mode === 'inline') {
      counters.inline++;
      counters.latency.record(callNs[i] as number);
    } else if (completion.mode === 'cachemiss') {
      counters.cachemiss++;
      counters.latency.record(completion.latencyNs);
    }
  }

  function fail(what: string, cb: Aiocb, error: number): never {
    throw new CliError(`${what} at offset ${String(cb.aio_offset)} failed: ${errnoMessage(error)} (${errnoName(error)})`);
  }

  /** Handle every slot whose request has ended; when stopping, start nothing new. */
  function reap(stopping: boolean): void {
    for (let i = 0; i < qd; i++) {
      const cb = list[i];
      if (cb == null) continue;
      const error = aio_error(cb);
      if (error === EINPROGRESS) continue;
      const n = aio_return(cb);
      list[i] = null;
      active--;
      account(i, cb);
      if (error !== 0) fail(phase[i] === READING ? 'read' : 'write', cb, error);
      if (phase[i] === READING) {
        if (sizeKnown) {
          if (n < (wanted[i] as number)) end = Math.min(end, (blockOffset[i] as number) + n); // end of file (or it shrank)
        } else {
          // Size unknown (procfs): a short read is not the end, only a read of 0 is. One slot
          // reads at a time, so the next read simply starts where this one stopped.
          next = (blockOffset[i] as number) + n;
          if (n === 0) end = next;
        }
        if (n === 0 || stopping) {
          phase[i] = IDLE;
          continue;
        }
        blockBytes[i] = n;
        written[i] = 0;
        startWrite(i, 0);
        continue;
      }
      written[i] = (written[i] as number) + n;
      // pwrite(2) returning 0 for a non-empty buffer would make this loop spin forever.
      if (n === 0) throw new CliError(`write at offset ${String(cb.aio_offset)} wrote nothing`);
      if ((written[i] as number) < (blockBytes[i] as number)) {
        if (!stopping) startWrite(i, written[i] as number);
        continue;
      }
      counters.bytes += blockBytes[i] as number;
      if (stopping) phase[i] = IDLE;
      else startRead(i);
    }
  }

  /** Wait for one outstanding request of `watched`, or for the tick. */
  function wait(watched: readonly AiocbListEntry[] = list): void {
    if (aio_suspend(watched, watched.length, TICK) === -1) {
      const error = errno();
      if (error !== EAGAIN && error !== EINTR) throw new CliError(`aio_suspend failed: ${errnoMessage(error)} (${errnoName(error)})`);
    }
  }

  try {
    for (let i = 0; i < qd; i++) startRead(i);
    let tick = performance.now() + TICK_MS;
    while (active > 0) {
      wait();
      reap(false);
      if (performance.now() >= tick) {
        options.progress?.(counters.bytes);
        await yieldToEventLoop();
        options.signal?.throwIfAborted();
        tick = performance.now() + TICK_MS;
      }
    }
    if (options.fsync) counters.fsyncSeconds = syncDestination(cbs[0] as Aiocb, dst, wait);
  } finally {
    // On an error, the other requests may still be on cachemiss threads, writing into our
    // buffer or through our fds: let them end (without starting more) before anyone closes the
    // fds. Bounded, so that a request that never ends (a hung mount) cannot keep a stopped copy,
    // or a process told to terminate, alive forever: past the deadline they are asked to cancel
    // and left to the engine, which keeps the buffer alive until they end.
    const deadline = performance.now() + DRAIN_MS;
    while (active > 0 && performance.now() < deadline) {
      wait();
      try {
        reap(true);
      } catch {
        // The first error is the one being reported.
      }
    }
    if (active > 0) {
      aio_cancel(src);
      aio_cancel(dst);
    }
  }
  counters.seconds = (performance.now() - started) / 1000;
  return counters;
}

/** aio_fsync(O_SYNC) on `dst` through an idle aiocb, waited for with aio_suspend. @returns its seconds. */
function syncDestination(cb: Aiocb, dst: number, wait: (list: readonly AiocbListEntry[]) => void): number {
  const started = performance.now();
  cb.aio_fildes = dst;
  const list = [cb];
  if (aio_fsync(O_SYNC, cb) === -1) fsyncFailed(errno());
  while (aio_error(cb) === EINPROGRESS) wait(list);
  const error = aio_error(cb);
  if (error !== 0) fsyncFailed(error);
  return (performance.now() - started) / 1000;
}

function fsyncFailed(error: number): never {
  throw new CliError(`fsync failed: ${errnoMessage(error)} (${errnoName(error)})`);
}
