/**
 * Reading on past the first chain: the rest of a file longer than one slot (into a Buffer sized
 * from st_size, lent to the engine), a file of unknown length (st_size 0: procfs, FIFOs,
 * devices) a slot at a time, and FileHandle.readFile on an open fd (readWholeFd).
 */
import { ECANCELED, EFBIG, EIO } from '../engine/native/index.js';
import { STOP } from '../engine/atom.js';
import { countCall } from '../engine/event-loop-turns.js';
import { MAX_RW_COUNT } from '../engine/syscalls/abi.js';
import { STAT_SIZE_OFFSET } from './builtin/file.js';
import { fileReadFdMore, fileReadFdStart, fileReadMore, filePollRead, POLL_READ, READ_FD_MORE, READ_FD_START, READ_MORE } from './builtin/file-read.js';
import { NOT_EXECUTED } from './define.js';
import { answerOf, copyOut, num, pending, ran, ReadFailure, unserved, type WholeReadIntoOptions, type WholeReadOptions } from './reader-common.js';
import { SLOT_DATA_BYTES, type Request } from './requests.js';

/** Options of {@link readWholeFd}. */
export interface FdReadOptions {
  /** Bytes accepted at most (a larger file is a ReadFailure EFBIG, 'read'). */
  readonly limit: number;
  /** The fd is a FIFO opened O_NONBLOCK by this library: poll before each read. */
  readonly pollReads: boolean;
  /** Called after fstat and before each later chain; if it throws, the error propagates. */
  readonly between?: () => void;
}

/**
 * readWholeFd - FileHandle.readFile: read an open fd from its file position to its st_size (to
 * end of file when st_size is 0), as Node's readFileHandle does. The fd stays open.
 *
 * @returns the bytes (a new Buffer), or a ReadFailure ('fstat' or 'read').
 * @throws what `between` throws; an Error when the engine refuses a chain.
 */
export async function readWholeFd(request: Request, fd: number, options: FdReadOptions): Promise<Buffer | ReadFailure> {
  const slot = request.slot;
  const whole: WholeReadOptions = { flags: 0, mode: 0, limit: options.limit, overLimit: 'fail', ...(options.between === undefined ? {} : { between: options.between }) };
  const going: Going = { request, fd, owned: false, open: true };
  const instance = fileReadFdStart.acquire(request.engine);
  try {
    instance.set(0, fd);
    instance.set(1, slot.dataAddress);
    instance.set(2, SLOT_DATA_BYTES);
    instance.set(3, 1);
    const wait = pending(request.run(fileReadFdStart, instance), fileReadFdStart);
    if (wait !== null) await wait;
    const statResult = answerOf(instance, READ_FD_START.fstat);
    if (statResult < 0) return new ReadFailure(statResult, 'fstat');
    const read = instance.result(READ_FD_START.read);
    if (read !== NOT_EXECUTED && num(read) < 0) return new ReadFailure(num(read), 'read');
    options.between?.();
    const total = ran(instance, READ_FD_START.total) ? num(instance.result(READ_FD_START.total)) : 0;
    const size = num(instance.scratchWord('stat', STAT_SIZE_OFFSET));
    if (size > options.limit) return new ReadFailure(EFBIG, 'read');
    if (size === 0) return await readUnknownLength(going, whole, options.pollReads);
    const done = num(instance.result(READ_FD_START.want)) === 0 || (read !== NOT_EXECUTED && num(read) === 0);
    if (done) return copyOut(slot.data, total, whole);
    return await readRest(going, size, total, whole);
  } finally {
    instance.release();
  }
}

/** A read that goes on from an open fd: whether this reader owns (closes) it, and whether it is still open. */
export interface Going {
  readonly request: Request;
  readonly fd: number;
  /** The fd was opened by this read: close it at the end (file.readMore does once it is over). */
  readonly owned: boolean;
  /** Still open (an owned fd is closed by the chain that reaches its end). */
  open: boolean;
}

/** What a continuation chain read: bytes, the read's -errno (0: none), and whether the read is over. */
interface Step {
  got: number;
  error: number;
  finished: boolean;
  /** The error is the pool's (no cachemiss thread could take the chain), not the file's. */
  unserved: boolean;
}

/**
 * file.readMore on a fd this reader opened, from file offset `at` to `end` (pread64, so the file
 * position file.readFirst's pread64 left untouched does not matter): it closes the fd at the end.
 */
async function readMoreAt(going: Going, address: number, chunk: number, chunks: number, at: number, end: number): Promise<Step> {
  const instance = fileReadMore.acquire(going.request.engine);
  try {
    instance.set(0, going.fd);
    instance.set(1, address);
    instance.set(2, chunk);
    instance.set(3, chunks);
    instance.set(4, at);
    instance.set(5, end);
    const wait = pending(going.request.run(fileReadMore, instance), fileReadMore);
    const stop = wait !== null ? await wait : STOP.end;
    const read = instance.result(READ_MORE.read);
    const got = num(instance.cell('offset')) - at;
    const error = read !== NOT_EXECUTED && num(read) < 0 ? num(read) : 0;
    const finished = ran(instance, READ_MORE.closeWhenDone) || ran(instance, READ_MORE.closeAtEof);
    if (finished) going.open = false;
    if (error === 0 && got === 0 && !finished) {
      // The chain stopped before its read (lseek + read(2) always follow a pread64 that read
      // nothing): its pread64 was answered by the pool, which had no thread to give it (stop
      // `died`: ERANGE in a working directory deeper than PATH_MAX, EMFILE at the fd limit), or
      // the chain was cut. Read as "no bytes, go on", the caller's loop made the chain again for
      // ever (a readFile of a directory from such a directory spun a core and never settled).
      const pread = instance.result(READ_MORE.pread);
      const cause = pread !== NOT_EXECUTED && num(pread) < 0 ? num(pread) : stop === STOP.cancelled ? -ECANCELED : -EIO;
      return { got, error: cause, finished, unserved: unserved(stop, fileReadMore, instance) };
    }
    return { got, error, finished, unserved: false };
  } finally {
    instance.release();
  }
}

/**
 * file.readFdMore: read at the file position, as Node's readFile does, up to `size` bytes (0:
 * until a read returns 0) — a FileHandle's fd, or a file of unknown length (st_size 0: procfs,
 * sockets, devices, whose offsets Node never names). The fd stays open.
 */
async function readFdOn(going: Going, address: number, chunk: number, chunks: number, size: number): Promise<Step> {
  const instance = fileReadFdMore.acquire(going.request.engine);
  try {
    instance.set(0, going.fd);
    instance.set(1, address);
    instance.set(2, chunk);
    instance.set(3, chunks);
    instance.set(4, size);
    const wait = pending(going.request.run(fileReadFdMore, instance), fileReadFdMore);
    if (wait !== null) await wait;
    const read = instance.result(READ_FD_MORE.read);
    const got = ran(instance, READ_FD_MORE.total) ? num(instance.result(READ_FD_MORE.total)) : 0;
    const error = read !== NOT_EXECUTED && num(read) < 0 ? num(read) : 0;
    const finished = num(instance.result(READ_FD_MORE.want)) === 0 || (read !== NOT_EXECUTED && num(read) <= 0);
    return { got, error, finished, unserved: false };
  } finally {
    instance.release();
  }
}

/**
 * The file is longer than one slot (or a read came up short): a Buffer of st_size bytes (or of
 * the limit) takes what the first chain read, and the rest is read straight into it — through the
 * slot when it fits there, else by lending the Buffer to the engine.
 */
export function readRest(going: Going, size: number, done: number, options: WholeReadIntoOptions): Promise<number | Buffer | ReadFailure>;
export function readRest(going: Going, size: number, done: number, options: WholeReadOptions): Promise<Buffer | ReadFailure>;
export async function readRest(going: Going, size: number, done: number, options: WholeReadOptions | WholeReadIntoOptions): Promise<number | Buffer | ReadFailure> {
  const want = Math.min(size, options.limit);
  const slot = going.request.slot;
  const small = want <= SLOT_DATA_BYTES;
  const target = small ? slot.data : Buffer.allocUnsafeSlow(want);
  if (!small) slot.data.copy(target, 0, 0, done);
  // A Buffer of its own, the caller's only once the request has ended: transferable, as Node's.
  const targetAddress = small ? slot.dataAddress : going.request.lend(target, true);
  let total = done;
  while (total < want) {
    // (Counted against the turn, as readUnknownLength's chains: a long file of inline reads.)
    const turn = countCall();
    if (turn !== null) await turn;
    options.between?.();
    const left = want - total;
    // Every read is bounded by what is left, so the lent Buffer can take any number of them;
    // the slot takes one per chain (its countdown keeps the chain inside `left`).
    const chunk = Math.min(left, MAX_RW_COUNT);
    const chunks = small ? 1 : 0x7fffffff;
    const step = going.owned ? await readMoreAt(going, targetAddress + total, chunk, chunks, total, want) : await readFdOn(going, targetAddress + total, chunk, chunks, left);
    if (step.error < 0) return new ReadFailure(step.error, 'read', step.unserved);
    total += step.got;
    if (step.finished) break;
  }
  if (size > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
  if (small) return copyOut(slot.data, total, options);
  return total === target.length ? target : target.subarray(0, total);
}

/** One slot-sized read of a FIFO, polled first: the bytes read (0 at end of file) or -errno. */
async function pollRead(request: Request, fd: number): Promise<number> {
  const instance = filePollRead.acquire(request.engine);
  try {
    instance.set(0, fd);
    instance.set(1, request.slot.dataAddress);
    instance.set(2, SLOT_DATA_BYTES);
    // Off the ring: there the read after the poll waits for this thread (DEFER_TASKRUN), which a
    // program may block writing into this very pipe (fs/handle-io.ts transfer, hunt26).
    const wait = pending(request.run(filePollRead, instance, true), filePollRead);
    // No thread could take it (none starts in a deleted working directory): the ring can wait.
    if (wait !== null && unserved(await wait, filePollRead, instance)) {
      const again = pending(request.run(filePollRead, instance), filePollRead);
      if (again !== null) await again;
    }
    const polled = instance.result(POLL_READ.poll);
    const read = instance.result(POLL_READ.read);
    // An atom that did not run (and no failed poll stopped the chain): the chain was cancelled,
    // which only an engine's close does to it.
    if (polled === NOT_EXECUTED || (read === NOT_EXECUTED && num(polled) >= 0)) return -ECANCELED;
    return num(polled) < 0 ? num(polled) : num(read);
  } finally {
    instance.release();
  }
}

/**
 * st_size 0: read a slot at a time until a read returns 0, as Node reads procfs files and FIFOs.
 * `first`: bytes already read from the fd (reader-ring.ts), which come first.
 */
export async function readUnknownLength(going: Going, options: WholeReadOptions, fifo: boolean, first?: Uint8Array): Promise<Buffer | ReadFailure> {
  const slot = going.request.slot;
  const pieces: Buffer[] = [];
  let total = 0;
  if (first !== undefined && first.length > 0) {
    if (first.length > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
    total = Math.min(first.length, options.limit);
    pieces.push(Buffer.from(first.subarray(0, total)));
  }
  for (;;) {
    if (total >= options.limit && options.overLimit === 'truncate') break;
    // Each slot's chain counts against the event loop's turn: on /dev/zero every chain ends
    // inline and its await is a microtask, so the loop read 2 GiB (5-6 s, 2.1 GB RSS) before a
    // timer that aborts it could run (hunt24; node:fs/promises sees that abort in ~100 ms).
    const turn = countCall();
    if (turn !== null) await turn;
    options.between?.();
    let got: number;
    let finished: boolean;
    if (fifo) {
      got = await pollRead(going.request, going.fd);
      if (got < 0) return new ReadFailure(got, 'read');
      finished = got === 0;
    } else {
      // At the file position, as Node reads these (file.readFirst stopped before any read, and an
      // owned fd is closed by readWholeFile once this returns).
      const step = await readFdOn(going, slot.dataAddress, SLOT_DATA_BYTES, 1, 0);
      if (step.error < 0) return new ReadFailure(step.error, 'read');
      got = step.got;
      finished = step.finished;
    }
    if (got > 0) {
      const keep = Math.min(got, options.limit - total);
      if (got > keep && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
      pieces.push(Buffer.from(slot.data.subarray(0, keep)));
      total += keep;
      if (total >= options.limit && options.overLimit === 'truncate') break;
    }
    if (finished) break;
  }
  if (pieces.length === 1) return pieces[0] as Buffer;
  const out = Buffer.allocUnsafeSlow(total);
  let at = 0;
  for (const piece of pieces) at += piece.copy(out, at);
  return out;
}
