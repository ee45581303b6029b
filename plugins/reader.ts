/**
 * Reading a whole file with chains whose memory is bounded: the one reader behind
 * readFileSyslet/readFileInto and syslet-aio/fs's readFile.
 *
 * The first chain (file.readStart) opens, fstats and reads at most one slot's data area. A file
 * that fits — nearly every small file — is done: open, fstat, read, close, inline when cached.
 * A larger file gets a Buffer sized from its st_size, lent to the engine for one file.readMore
 * chain that reads the rest straight into it. A file whose st_size is 0 (procfs, FIFOs, devices)
 * is read a slot at a time until a read returns 0. Nothing is reserved per request beyond the
 * slot, and the request window (requests.ts) bounds how many slots exist.
 */
import { EAGAIN, EFBIG, ENXIO, syscall } from '../engine/native/index.js';
import { MAX_RW_COUNT } from '../engine/syscalls/abi.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL, F_SETFL, O_CLOEXEC, O_CREAT, O_NONBLOCK, O_TMPFILE, O_TRUNC, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG } from '../engine/syscalls/constants.generated.js';
import type { Word } from '../engine/native/index.js';
import { STAT_SIZE_OFFSET } from './builtin/file.js';
import {
  fileClose, filePollRead, fileReadFdMore, fileReadFdStart, fileReadMore, fileReadStart, fileReadStartOnCachemiss, POLL_READ, READ_FD_MORE, READ_FD_START,
  READ_MORE, READ_START,
} from './builtin/file-read.js';
import { NOT_EXECUTED } from './define.js';
import type { Plugin, PluginInstance } from './plugin.js';
import { putPath, SLOT_DATA_BYTES, type Request, type RequestSlot } from './requests.js';

const ST_MODE_OFFSET = 24;
const SYS_fcntl = NR.fcntl;
/** Why a whole-file read failed: the errno and the call Node would name. */
export class ReadFailure {
  /** The errno, positive. */
  readonly errno: number;
  /** `'open'`, `'fstat'` or `'read'`. */
  readonly syscall: 'open' | 'fstat' | 'read';

  constructor(errno: number, syscall: 'open' | 'fstat' | 'read') {
    this.errno = Math.abs(errno);
    this.syscall = syscall;
  }
}

/** Options of {@link readWholeFile}. */
export interface WholeReadOptions {
  /** open(2) flags; O_CLOEXEC is added here. */
  readonly flags: number;
  /** The mode for a flag that creates the file. */
  readonly mode: number;
  /** Bytes accepted at most. */
  readonly limit: number;
  /** `'fail'`: a larger file is a ReadFailure EFBIG ('read'); `'truncate'`: its first `limit` bytes. */
  readonly overLimit: 'fail' | 'truncate';
  /**
   * Called before each chain after the first (Node checks its AbortSignal at these points); if
   * it throws, the fd is closed and the error propagates.
   */
  readonly between?: () => void;
}

/** Options of {@link readWholeFile} reading into the caller's memory. */
export interface WholeReadIntoOptions extends WholeReadOptions {
  /**
   * Where the bytes go instead of a new Buffer (readFileInto's target, at least `limit` bytes):
   * the result is then the count copied into it. A new Buffer per file — an ArrayBuffer with its
   * own backing store, copied a second time into the target — was a tenth of a cached small
   * file's CPU, mostly in the allocation and the garbage collections it brought on; a Buffer
   * view of the target per file was 3–4 % more.
   */
  readonly into: Uint8Array;
}

const num = (word: Word): number => (typeof word === 'bigint' ? Number(word) : word);
const ran = (instance: PluginInstance, atom: number): boolean => instance.result(atom) !== NOT_EXECUTED;

/**
 * What to wait for after a submission: null when the chain completed inline (the caller goes on
 * without an await: awaiting a settled value still costs a Promise and a microtask turn), its end
 * when it went to a cachemiss thread. A refused submission throws an Error with the errno.
 */
function pending(outcome: number | Promise<number>, plugin: Plugin): Promise<number> | null {
  if (typeof outcome !== 'number') return outcome;
  if (outcome < 0) throw refused(plugin, outcome);
  return null;
}

function refused(plugin: Plugin, errno: number): Error {
  return Object.assign(new Error(`plugin '${plugin.name}': submission refused (errno ${-errno})`), { errno });
}

/**
 * readWholeFile - read `path` completely (or its first `limit` bytes) with the request's slot.
 *
 * @param request - a place in the engine's request window; the caller ends it afterwards.
 * @returns the bytes (a new Buffer, never a view of engine memory), or a ReadFailure; with
 *   `options.into`, the count of bytes copied into it (or, for a file read on past one slot, a
 *   Buffer of its own).
 * @throws what `between` throws; an Error when the engine refuses a chain (closed engine).
 * @example
 * ```ts
 * const request = await beginRequest(engine);
 * try {
 *   const got = await readWholeFile(request, '/etc/hostname', { flags: 0, mode: 0o666, limit: 1 << 20, overLimit: 'fail' });
 * } finally {
 *   request.end();
 * }
 * ```
 */
export function readWholeFile(request: Request, path: string | Uint8Array, options: WholeReadIntoOptions): Whole<number | Buffer | ReadFailure>;
export function readWholeFile(request: Request, path: string | Uint8Array, options: WholeReadOptions): Whole<Buffer | ReadFailure>;
export function readWholeFile(request: Request, path: string | Uint8Array, options: WholeReadOptions | WholeReadIntoOptions): Whole<number | Buffer | ReadFailure> {
  const slot = request.slot;
  const bad = putPath(slot.paths[0], path);
  if (bad !== 0) return new ReadFailure(bad, 'open');
  // A read-only open is tried inline (openat2 RESOLVE_CACHED), and opening a FIFO that has no
  // writer would block the caller there: open it O_NONBLOCK, which changes nothing for regular
  // files and directories, and clear the flag below once fstat shows another kind of file.
  const mayBlockInline = (options.flags & (O_CREAT | O_TRUNC | O_TMPFILE | O_NONBLOCK)) === 0;
  const flags = options.flags | O_CLOEXEC | (mayBlockInline ? O_NONBLOCK : 0);
  const instance = fileReadStart.acquire(request.engine);
  let outcome: number | Promise<number>;
  try {
    fillStart(instance, slot, flags, options);
    outcome = request.run(fileReadStart, instance);
    // Nearly every small cached file: the chain completed inline and closed the fd. Its answer
    // is returned as it is, with no Promise and no microtask turn (an async function's Promise
    // and its awaits were a tenth of such a file's JavaScript).
    if (typeof outcome === 'number' && outcome > 0 && num(instance.result(READ_START.open)) >= 0 && closedByStart(instance)) {
      const done = firstChainAnswer(instance, slot, options);
      instance.release();
      return done;
    }
  } catch (error) {
    instance.release();
    throw error;
  }
  return readWholeFileOn(request, instance, outcome, mayBlockInline, flags, options);
}

/** What {@link readWholeFile} gives: the answer itself when the first chain ended it inline, else a Promise of it. */
export type Whole<T> = T | Promise<T>;

/** Whether file.readStart closed the fd: st_size bytes read, or a read returned 0 or failed. */
function closedByStart(instance: PluginInstance): boolean {
  return ran(instance, READ_START.closeWhenDone) || ran(instance, READ_START.closeAtEof);
}

/** The answer of a read that file.readStart ended (the fd is closed): the bytes, or why not. */
function firstChainAnswer(instance: PluginInstance, slot: RequestSlot, options: WholeReadOptions | WholeReadIntoOptions): number | Buffer | ReadFailure {
  const statResult = num(instance.result(READ_START.fstat));
  if (statResult < 0) return new ReadFailure(statResult, 'fstat');
  // A pread64 that read nothing was made again as read(2), whose answer is the one Node would have.
  const read = instance.result(READ_START.read);
  if (read !== NOT_EXECUTED && num(read) < 0) return new ReadFailure(num(read), 'read');
  // Node checks its signal once fstat has answered: the first chain has gone that far.
  options.between?.();
  return copyOut(slot.data, num(instance.cell('offset')), options);
}

/**
 * The rest of {@link readWholeFile} once the first chain has been submitted: wait for it, open
 * again on a cachemiss thread when the inline open could not, and read on past one slot. It owns
 * `first` (releases it, or the instance that replaced it).
 */
async function readWholeFileOn(
  request: Request, first: PluginInstance, outcome: number | Promise<number>, mayBlockInline: boolean, flags: number, options: WholeReadOptions | WholeReadIntoOptions,
): Promise<number | Buffer | ReadFailure> {
  const slot = request.slot;
  let instance = first;
  try {
    const wait = pending(outcome, fileReadStart);
    if (wait !== null) await wait;
    let opened = num(instance.result(READ_START.open));
    // EAGAIN: a lease (O_NONBLOCK refuses to wait for its break); ENXIO: a FIFO with no reader
    // opened for writing. Either open may wait: make it on a cachemiss thread, without O_NONBLOCK.
    if (mayBlockInline && (opened === -EAGAIN || opened === -ENXIO)) {
      instance.release();
      const plugin = fileReadStartOnCachemiss;
      instance = plugin.acquire(request.engine);
      const blocking = flags & ~O_NONBLOCK;
      fillStart(instance, slot, blocking, options);
      const wait = pending(request.run(plugin, instance), plugin);
      if (wait !== null) await wait;
      opened = num(instance.result(READ_START.open));
    }
    if (opened < 0) return new ReadFailure(opened, 'open');
    const fd = opened;
    if (closedByStart(instance)) return firstChainAnswer(instance, slot, options);
    const going: Going = { request, fd, owned: true, open: true };
    try {
      const statResult = num(instance.result(READ_START.fstat));
      if (statResult < 0) return new ReadFailure(statResult, 'fstat');
      const read = instance.result(READ_START.read);
      if (read !== NOT_EXECUTED && num(read) < 0) return new ReadFailure(num(read), 'read');
      options.between?.();
      const size = num(instance.scratchWord('stat', STAT_SIZE_OFFSET));
      const mode = num(instance.scratchWord('stat', ST_MODE_OFFSET, 4));
      if (size > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
      if (size === 0) {
        const kind = mode & S_IFMT;
        if (mayBlockInline && kind !== S_IFREG && kind !== S_IFDIR) clearNonblock(fd);
        // A FIFO opened O_NONBLOCK reads as empty until a writer connects: poll before each read.
        return await readUnknownLength(going, options, mayBlockInline && kind === S_IFIFO);
      }
      return await readRest(going, size, num(instance.cell('offset')), options);
    } finally {
      if (going.open) await closeFd(request, fd);
    }
  } finally {
    instance.release();
  }
}

/** The parameters of file.readStart (a function, not a closure per call: a read allocates nothing it need not). */
function fillStart(instance: PluginInstance, slot: RequestSlot, flags: number, options: WholeReadOptions): void {
  instance.set(0, slot.pathAddresses[0]);
  instance.set(1, flags);
  instance.set(2, options.mode);
  instance.set(3, slot.dataAddress);
  instance.set(4, Math.min(SLOT_DATA_BYTES, Math.max(options.limit, 1)));
  instance.set(5, 1);
}

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
    const statResult = num(instance.result(READ_FD_START.fstat));
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
interface Going {
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
}

/**
 * file.readMore on a fd this reader opened, from file offset `at` to `end` (pread64, so the file
 * position file.readStart's pread64 left untouched does not matter): it closes the fd at the end.
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
    if (wait !== null) await wait;
    const read = instance.result(READ_MORE.read);
    const got = num(instance.cell('offset')) - at;
    const error = read !== NOT_EXECUTED && num(read) < 0 ? num(read) : 0;
    const finished = ran(instance, READ_MORE.closeWhenDone) || ran(instance, READ_MORE.closeAtEof);
    if (finished) going.open = false;
    return { got, error, finished };
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
    return { got, error, finished };
  } finally {
    instance.release();
  }
}

function copyOut(data: Buffer, count: number, options: WholeReadIntoOptions): number | Buffer | ReadFailure;
function copyOut(data: Buffer, count: number, options: WholeReadOptions): Buffer | ReadFailure;
function copyOut(data: Buffer, count: number, options: WholeReadOptions | WholeReadIntoOptions): number | Buffer | ReadFailure {
  if (count > options.limit) {
    if (options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
    count = options.limit;
  }
  const into = 'into' in options ? options.into : undefined;
  if (into !== undefined && count <= into.length) {
    data.copy(into, 0, 0, count);
    return count;
  }
  // A Buffer of its own, as Node's readFile returns (never a slice of a shared pool).
  const out = Buffer.allocUnsafeSlow(count);
  data.copy(out, 0, 0, count);
  return out;
}

/**
 * clearNonblock - clear the O_NONBLOCK a caller added to an open that is tried inline, once fstat
 * shows a FIFO or a device, so that its reads wait as they would on a blocking fd.
 */
export function clearNonblock(fd: number): void {
  const flags = syscall(SYS_fcntl, fd, F_GETFL);
  if (flags >= 0) syscall(SYS_fcntl, fd, F_SETFL, flags & ~O_NONBLOCK);
}

/** close(fd) with a chain; a failed close is not the read's error (Node ignores it too). */
export async function closeFd(request: Request, fd: number): Promise<void> {
  const instance = fileClose.acquire(request.engine);
  try {
    instance.set(0, fd);
    const outcome = request.run(fileClose, instance);
    if (typeof outcome !== 'number') await outcome;
  } finally {
    instance.release();
  }
}

/**
 * The file is longer than one slot (or a read came up short): a Buffer of st_size bytes (or of
 * the limit) takes what the first chain read, and the rest is read straight into it — through the
 * slot when it fits there, else by lending the Buffer to the engine.
 */
function readRest(going: Going, size: number, done: number, options: WholeReadIntoOptions): Promise<number | Buffer | ReadFailure>;
function readRest(going: Going, size: number, done: number, options: WholeReadOptions): Promise<Buffer | ReadFailure>;
async function readRest(going: Going, size: number, done: number, options: WholeReadOptions | WholeReadIntoOptions): Promise<number | Buffer | ReadFailure> {
  const want = Math.min(size, options.limit);
  const slot = going.request.slot;
  const small = want <= SLOT_DATA_BYTES;
  const target = small ? slot.data : Buffer.allocUnsafeSlow(want);
  if (!small) slot.data.copy(target, 0, 0, done);
  const targetAddress = small ? slot.dataAddress : going.request.lend(target);
  let total = done;
  while (total < want) {
    options.between?.();
    const left = want - total;
    // Every read is bounded by what is left, so the lent Buffer can take any number of them;
    // the slot takes one per chain (its countdown keeps the chain inside `left`).
    const chunk = Math.min(left, MAX_RW_COUNT);
    const chunks = small ? 1 : 0x7fffffff;
    const step = going.owned ? await readMoreAt(going, targetAddress + total, chunk, chunks, total, want) : await readFdOn(going, targetAddress + total, chunk, chunks, left);
    if (step.error < 0) return new ReadFailure(step.error, 'read');
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
    const wait = pending(request.run(filePollRead, instance), filePollRead);
    if (wait !== null) await wait;
    const polled = num(instance.result(POLL_READ.poll));
    return polled < 0 ? polled : num(instance.result(POLL_READ.read));
  } finally {
    instance.release();
  }
}

/** st_size 0: read a slot at a time until a read returns 0, as Node reads procfs files and FIFOs. */
async function readUnknownLength(going: Going, options: WholeReadOptions, fifo: boolean): Promise<Buffer | ReadFailure> {
  const slot = going.request.slot;
  const pieces: Buffer[] = [];
  let total = 0;
  for (;;) {
    options.between?.();
    let got: number;
    let finished: boolean;
    if (fifo) {
      got = await pollRead(going.request, going.fd);
      if (got < 0) return new ReadFailure(got, 'read');
      finished = got === 0;
    } else {
      // At the file position, as Node reads these (file.readStart stopped before any read, and an
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
