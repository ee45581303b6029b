/**
 * Reading a whole file with chains whose memory is bounded: the one reader behind
 * readFileSyslet/readFileInto and syslet-aio/fs's readFile.
 *
 * The first chain (file.readFirst) opens, fstats and reads at most one slot's data area. A file
 * that fits — nearly every small file — is done: open, fstat, read, close, inline when cached.
 * A larger file gets a Buffer sized from its st_size, lent to the engine for one file.readMore
 * chain that reads the rest straight into it. A file whose st_size is 0 (procfs, FIFOs, devices)
 * is read a slot at a time until a read returns 0. Nothing is reserved per request beyond the
 * slot, and the request window (requests.ts) bounds how many slots exist.
 */
import { EAGAIN, EFBIG, ENXIO } from '../engine/native/index.js';
import { O_CLOEXEC, O_CREAT, O_NONBLOCK, O_TMPFILE, O_TRUNC, S_IFDIR, S_IFIFO, S_IFMT } from '../engine/syscalls/constants.generated.js';
import { STAT_SIZE_OFFSET } from './builtin/file.js';
import { STAT_X86_64 } from '../engine/syscalls/stat-layouts.js';
import { fileReadFirst, fileReadFirstOnCachemiss, READ_FIRST } from './builtin/file-read-first.js';
import { NOT_EXECUTED } from './define.js';
import type { PluginInstance } from './plugin.js';
import {
  answerOf, clearNonblock, closeFd, copyOut, num, pending, ran, ReadFailure, type Whole, type WholeReadIntoOptions, type WholeReadOptions,
} from './reader-common.js';
import { readRest, readUnknownLength, type Going } from './reader-rest.js';
import { SLOT_DATA_BYTES, type Request, type RequestSlot } from './requests.js';
import { putPath } from './request-paths.js';
import { readFirstByRing } from './reader-ring.js';

export { clearNonblock, closeFd, closeThroughNode, ReadFailure, type Whole, type WholeReadIntoOptions, type WholeReadOptions } from './reader-common.js';
export { readWholeFd, type FdReadOptions } from './reader-rest.js';


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
  return readFirstByRing(request, options, () => readWholeFileByChains(request, options)) ?? readWholeFileByChains(request, options);
}

/** {@link readWholeFile} with chains (file.readFirst, then the readers of reader-rest.ts); the path is in the slot. */
function readWholeFileByChains(request: Request, options: WholeReadOptions | WholeReadIntoOptions): Whole<number | Buffer | ReadFailure> {
  const slot = request.slot;
  // A read-only open is tried inline (openat2 RESOLVE_CACHED), and opening a FIFO that has no
  // writer would block the caller there: open it O_NONBLOCK, which changes nothing for regular
  // files and directories, and clear the flag below once fstat shows another kind of file.
  const mayBlockInline = (options.flags & (O_CREAT | O_TRUNC | O_TMPFILE | O_NONBLOCK)) === 0;
  const flags = options.flags | O_CLOEXEC | (mayBlockInline ? O_NONBLOCK : 0);
  const instance = fileReadFirst.acquire(request.engine);
  let outcome: number | Promise<number>;
  try {
    fillStart(instance, slot, flags, options);
    outcome = request.run(fileReadFirst, instance);
    // Nearly every small cached file: the chain completed inline and closed the fd. Its answer
    // is returned as it is, with no Promise and no microtask turn (an async function's Promise
    // and its awaits were a tenth of such a file's JavaScript).
    if (typeof outcome === 'number' && outcome > 0 && num(instance.result(READ_FIRST.open)) >= 0 && closedByStart(instance)) {
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

/** Whether file.readFirst closed the fd: st_size bytes read, a read returned 0 or failed, or nothing was to be read. */
function closedByStart(instance: PluginInstance): boolean {
  return ran(instance, READ_FIRST.closeWhenDone) || ran(instance, READ_FIRST.closeAtEof) || ran(instance, READ_FIRST.closeUnread);
}

/**
 * The bytes file.readFirst read: its pread64's count when the check after it ran, else read(2)'s
 * when the check after that ran, else none (a read returned 0 or failed, or none was made).
 */
function firstCount(instance: PluginInstance): number {
  if (ran(instance, READ_FIRST.leftAfterPread)) return num(instance.result(READ_FIRST.pread));
  if (ran(instance, READ_FIRST.leftAfterRead)) return num(instance.result(READ_FIRST.read));
  return 0;
}

/** The answer of a read that file.readFirst ended (the fd is closed): the bytes, or why not. */
function firstChainAnswer(instance: PluginInstance, slot: RequestSlot, options: WholeReadOptions | WholeReadIntoOptions): number | Buffer | ReadFailure {
  const statResult = answerOf(instance, READ_FIRST.fstat);
  if (statResult < 0) return new ReadFailure(statResult, 'fstat');
  // A pread64 that read nothing was made again as read(2), whose answer is the one Node would have.
  const read = instance.result(READ_FIRST.read);
  if (read !== NOT_EXECUTED && num(read) < 0) return new ReadFailure(num(read), 'read');
  // Node checks its signal once fstat has answered: the first chain has gone that far.
  options.between?.();
  return copyOut(slot.data, firstCount(instance), options);
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
    const wait = pending(outcome, fileReadFirst);
    if (wait !== null) await wait;
    let opened = answerOf(instance, READ_FIRST.open);
    // EAGAIN: a lease (O_NONBLOCK refuses to wait for its break); ENXIO: a FIFO with no reader
    // opened for writing. Either open may wait: make it on a cachemiss thread, without O_NONBLOCK.
    if (mayBlockInline && (opened === -EAGAIN || opened === -ENXIO)) {
      instance.release();
      const plugin = fileReadFirstOnCachemiss;
      instance = plugin.acquire(request.engine);
      const blocking = flags & ~O_NONBLOCK;
      fillStart(instance, slot, blocking, options);
      const wait = pending(request.run(plugin, instance), plugin);
      if (wait !== null) await wait;
      opened = answerOf(instance, READ_FIRST.open);
    }
    if (opened < 0) return new ReadFailure(opened, 'open');
    const fd = opened;
    if (closedByStart(instance)) return firstChainAnswer(instance, slot, options);
    const going: Going = { request, fd, owned: true, open: true };
    try {
      const statResult = answerOf(instance, READ_FIRST.fstat);
      if (statResult < 0) return new ReadFailure(statResult, 'fstat');
      const read = instance.result(READ_FIRST.read);
      if (read !== NOT_EXECUTED && num(read) < 0) return new ReadFailure(num(read), 'read');
      options.between?.();
      const size = num(instance.scratchWord('stat', STAT_SIZE_OFFSET));
      const mode = num(instance.scratchWord('stat', STAT_X86_64.st_mode, 4));
      if (size > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
      if (size === 0) {
        const kind = mode & S_IFMT;
        // Not only FIFOs and devices: a procfs or tracefs regular file of size 0 may honour
        // O_NONBLOCK (/proc/kmsg with nothing logged answers EAGAIN where Node's read waits).
        if (mayBlockInline && kind !== S_IFDIR) clearNonblock(fd);
        // A FIFO opened O_NONBLOCK reads as empty until a writer connects: poll before each read.
        return await readUnknownLength(going, options, mayBlockInline && kind === S_IFIFO);
      }
      return await readRest(going, size, firstCount(instance), options);
    } finally {
      if (going.open) await closeFd(request, fd);
    }
  } finally {
    instance.release();
  }
}

/** The parameters of file.readFirst (a function, not a closure per call: a read allocates nothing it need not). */
function fillStart(instance: PluginInstance, slot: RequestSlot, flags: number, options: WholeReadOptions): void {
  instance.set(0, slot.pathAddresses[0]);
  instance.set(1, flags);
  instance.set(2, options.mode);
  instance.set(3, slot.dataAddress);
  instance.set(4, Math.min(SLOT_DATA_BYTES, Math.max(options.limit, 1)));
}
