/**
 * readWholeFile's first step through the io_uring engine's linked file reads
 * (engine/uring-file-reads.ts): open, read, read as one batch of SQEs instead of file.readFirst's
 * four syscalls made one by one from JavaScript. Since session 24 only for an open the dcache
 * cannot answer (io_uring then opens on io-wq, off this thread) or one the process has no fd
 * left for: a cached file is cheaper read with the straight calls, within the call
 * (reader.ts, readFirstDirect).
 *
 * The batch reads at most `length` bytes (one slot, or the caller's limit) and a second read of
 * one byte tells whether the file ended there. The open is a blocking one, which io_uring tries
 * first without blocking (so a FIFO with no writer opens at once and its reads answer
 * EOPNOTSUPP: the wait for the writer is the chain reader's); the reads are RWF_NOWAIT. What the batch cannot conclude
 * goes on without losing a byte: a read that could not answer without waiting (EAGAIN: a cold
 * page, a pipe with nothing yet; EOPNOTSUPP: a directory, procfs), or bytes read and more may
 * follow (a FIFO whose writer is still open, a file partly cached) → the batch's descriptor
 * becomes a process fd at the position its reads left, and the chain readers go on from there
 * with the bytes already read (their reads wait in the kernel's async buffered read). An open
 * the ring did not make → the chain path from the start, as if the batch had not been made.
 */
import { EAGAIN, ECANCELED, EFBIG, EINTR, EISDIR, EMFILE, ENFILE, ENXIO, EOPNOTSUPP, ESHUTDOWN, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { O_RDONLY, S_IFDIR, S_IFMT, S_IFREG } from '../engine/syscalls/constants.generated.js';
import type { RingFileReads } from '../engine/uring-file-reads.js';
import { STAT_X86_64 } from '../engine/syscalls/stat-layouts.js';
import { holdFd, releaseFd } from './owned-fds.js';
import { closeFd, copyOut, ReadFailure, type Whole, type WholeReadIntoOptions, type WholeReadOptions } from './reader-common.js';
import { readRest, readUnknownLength, type Going } from './reader-rest.js';
import { SLOT_DATA_BYTES, type Request } from './requests.js';

const SYS_fstat = NR.fstat;
/**
 * A blocking open, as Node's: if it must wait it waits in the kernel (an io-wq worker), never on
 * this thread. O_CLOEXEC is refused for a direct descriptor (it has no fd
 * to close); the install sets it.
 */
const RING_OPEN_FLAGS = O_RDONLY;

/** The chain path of readWholeFile, from the start (the path is in the slot's first buffer). */
export type ByChains = () => Whole<number | Buffer | ReadFailure>;

/**
 * readFirstByRing - start reading the file whose path is in `request`'s slot through the ring.
 * @returns the answer to come, or null when the ring cannot take it (no io_uring engine, a policy
 *   that denies its calls, no free slot or room, options it does not serve): the caller reads
 *   with chains then.
 */
export function readFirstByRing(request: Request, options: WholeReadOptions | WholeReadIntoOptions, byChains: ByChains): Promise<number | Buffer | ReadFailure> | null {
  // Other open flags may create, truncate or wait: chains.
  if (options.flags !== 0) return null;
  const reads = request.engine.fileReads;
  if (reads === null) return null;
  const length = Math.min(SLOT_DATA_BYTES, options.limit);
  const slot = request.slot;
  // The batch answers in a later turn (its completions come from a pump, never from start).
  let settle: (answer: Whole<number | Buffer | ReadFailure>) => void = () => {};
  const answer = new Promise<number | Buffer | ReadFailure>((resolve) => {
    settle = resolve;
  });
  const started = reads.start(slot.pathAddresses[0], RING_OPEN_FLAGS, slot.dataAddress, length, (file, open, first, second) => {
    try {
      settle(answerOf(request, reads, file, open, first, second, length, options, byChains));
    } catch (error) {
      settle(Promise.reject(error instanceof Error ? error : new Error(String(error))));
    }
  });
  return started ? answer : null;
}

/**
 * A read RWF_NOWAIT kept from answering: EAGAIN (not cached, a pipe with nothing yet) or
 * EOPNOTSUPP (a file that cannot say without waiting: a directory, procfs).
 */
const unanswered = (answer: number): boolean => answer === -EAGAIN || answer === -EOPNOTSUPP;

/** A request the ring did not run, or that a cancel cut. */
const cancelled = (answer: number): boolean => answer === -ECANCELED || answer === -EINTR;

/** What the batch's three answers say: the file's bytes, its failure, or how to go on. */
function answerOf(
  request: Request, reads: RingFileReads, file: number, open: number, first: number, second: number, length: number,
  options: WholeReadOptions | WholeReadIntoOptions, byChains: ByChains,
): Whole<number | Buffer | ReadFailure> {
  if (request.engine.closed && (cancelled(open) || cancelled(first) || cancelled(second))) {
    // The engine's close cut the batch: the answer a read cut by it gets on the chain path.
    if (open >= 0) reads.close(file);
    return new ReadFailure(-ESHUTDOWN, 'read');
  }
  if (open < 0) {
    // EAGAIN (a lease), ENXIO: the chain path opens again without O_NONBLOCK, on a thread.
    // ECANCELED/EINTR: the ring did not run it (a closing engine, a refused enter).
    if (open === -EAGAIN || open === -ENXIO || cancelled(open)) return byChains();
    return new ReadFailure(open, 'open');
  }
  const data = request.slot.data;
  if (first >= 0 && second === 0) {
    reads.close(file);
    // The caller's signal is looked at once the reads have answered, as after the chain's fstat.
    options.between?.();
    return copyOut(data, first, options);
  }
  if (first === length - 1 && second === 1 && options.overLimit === 'truncate' && options.limit <= length) {
    reads.close(file);
    options.between?.();
    return copyOut(data, length, options);
  }
  if (first < 0 && !unanswered(first) && !cancelled(first)) {
    // EISDIR and the like: the answer Node gives (its read fails the same way).
    reads.close(file);
    return new ReadFailure(first, 'read');
  }
  // EAGAIN: nothing cached (or a pipe with nothing yet, a file that cannot say): the chain readers
  // go on from the descriptor, whose reads wait in the kernel (the disk), in the ring or on a thread.
  if (unanswered(first)) {
    // The second read may have found its byte (the first one's readahead landed in between): it
    // is the file's first byte, at the end of the data area.
    if (second === 1) data[0] = data[length - 1] as number;
    return goOnInstalled(request, reads, file, second === 1 ? 1 : 0, options, byChains);
  }
  if (first <= 0) {
    // Nothing was read, nothing more can be said: as if the batch had not been made.
    reads.close(file);
    return byChains();
  }
  if (second < 0 && !unanswered(second) && !cancelled(second)) {
    reads.close(file);
    return new ReadFailure(second, 'read');
  }
  // Bytes were read and more may come: the second read's byte (if any) joins them.
  let done = first;
  if (second === 1) {
    if (first < length - 1) data[first] = data[length - 1] as number;
    done = first + 1;
  }
  return goOnInstalled(request, reads, file, done, options, byChains);
}

/** Make the batch's descriptor a process fd and read on from it with the chain readers. */
async function goOnInstalled(
  request: Request, reads: RingFileReads, file: number, done: number, options: WholeReadOptions | WholeReadIntoOptions, byChains: ByChains,
): Promise<number | Buffer | ReadFailure> {
  const fd = await new Promise<number>((resolve) => reads.install(file, resolve));
  // Out of fds: the file is open in the slot all the same; read on from there (Node's read goes
  // on from the fd it opened before the fds ran out; opening again would fail EMFILE).
  if (fd === -EMFILE || fd === -ENFILE) return readOnFromSlot(request, reads, file, done, options);
  // Only a closing or refused ring fails the install otherwise (its reads would have failed too).
  if (fd < 0) return request.engine.closed ? new ReadFailure(-ESHUTDOWN, 'read') : byChains();
  const going: Going = { request, fd, owned: true, open: true };
  const slot = request.slot;
  try {
    // fstat into the slot's second path buffer: the kind and size decide how to go on, as after
    // file.readFirst's fstat.
    const statResult = syscall(SYS_fstat, fd, slot.pathAddresses[1]);
    if (statResult < 0) return new ReadFailure(statResult, 'fstat');
    const stat = slot.paths[1];
    // Closed at the thread's exit if this read has not closed it by then (owned-fds.ts).
    holdFd(fd, stat.readBigUInt64LE(STAT_X86_64.st_dev), stat.readBigUInt64LE(STAT_X86_64.st_ino));
    const size = Number(stat.readBigInt64LE(STAT_X86_64.st_size));
    const kind = stat.readUInt32LE(STAT_X86_64.st_mode) & S_IFMT;
    if (size > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
    if (kind === S_IFREG && size > 0) return await readRest(going, size, done, options);
    // What its read answers (RWF_NOWAIT said EOPNOTSUPP), without a chain that may need a thread.
    if (kind === S_IFDIR) return new ReadFailure(-EISDIR, 'read');
    // Opened blocking: its reads at the position wait as Node's do (a FIFO's in the ring).
    return await readUnknownLength(going, options, false, slot.data.subarray(0, done));
  } finally {
    if (going.open) await closeFd(request, fd);
    releaseFd(fd);
  }
}

/**
 * The rest of a read whose descriptor could not be installed (EMFILE, ENFILE): blocking READs of
 * the slot at its position, a slot's data area at a time, until one answers 0, the limit or an
 * error; then the slot is closed. `done` bytes are in the data area already.
 */
async function readOnFromSlot(
  request: Request, reads: RingFileReads, file: number, done: number, options: WholeReadOptions | WholeReadIntoOptions,
): Promise<number | Buffer | ReadFailure> {
  const slot = request.slot;
  const pieces: Buffer[] = [Buffer.from(slot.data.subarray(0, done))];
  let total = done;
  try {
    for (;;) {
      options.between?.();
      // One byte past the limit tells a file over it ('fail') from one that ends there.
      const want = Math.min(SLOT_DATA_BYTES, options.limit + 1 - total);
      if (want <= 0) break;
      const got = await new Promise<number>((resolve) => reads.readMore(file, slot.dataAddress, want, resolve));
      if (got === 0) break;
      if (got < 0) return cancelled(got) ? new ReadFailure(-ESHUTDOWN, 'read') : new ReadFailure(got, 'read');
      pieces.push(Buffer.from(slot.data.subarray(0, got)));
      total += got;
    }
  } finally {
    reads.close(file);
  }
  return copyOut(Buffer.concat(pieces, total), total, options);
}
