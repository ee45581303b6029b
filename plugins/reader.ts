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
import { isMainThread } from 'node:worker_threads';
import { allocNative, EAGAIN, EFBIG, EINVAL, EMFILE, ENFILE, ENOSYS, ENXIO, EOPNOTSUPP, preadv2, syscall, type NativeBlock } from '../engine/native/index.js';
import { O_CLOEXEC, O_CREAT, O_NONBLOCK, O_RDONLY, O_TMPFILE, O_TRUNC, S_IFDIR, S_IFIFO, S_IFMT } from '../engine/syscalls/constants.generated.js';
import { RESOLVE_CACHED, RWF_NOWAIT } from '../engine/syscalls/abi.js';
import { NR } from '../engine/syscalls/nr.js';
import { ON_REMOTE_MOUNT, openat2OffRemote } from '../engine/remote-mounts.js';
import { AT_FDCWD, STAT_BYTES, STAT_SIZE_OFFSET } from './builtin/file.js';
import { STAT_X86_64 } from '../engine/syscalls/stat-layouts.js';
import { fileReadFirst, fileReadFirstOnCachemiss, READ_FIRST } from './builtin/file-read-first.js';
import { NOT_EXECUTED } from './define.js';
import type { Engine } from '../engine/engine.js';
import type { PluginInstance } from './plugin.js';
import {
  answerOf, clearNonblock, closeFd, copyOut, num, pending, ran, ReadFailure, type Whole, type WholeReadIntoOptions, type WholeReadOptions,
} from './reader-common.js';
import { readRest, readUnknownLength, type Going } from './reader-rest.js';
import { SLOT_DATA_BYTES, type Request, type RequestSlot } from './requests.js';
import { putPath } from './request-paths.js';
import { readFirstByRing } from './reader-ring.js';
import { holdFd, releaseFd } from './owned-fds.js';

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
  if (ringFirstEngines !== 0 && ringFirst.has(request.engine)) return readRingFirst(request, options);
  // While files keep coming uncached (a cold burst), the ring's batch goes first again: its reads
  // of a whole window go to the disk from one enter, where a straight read per file made each its
  // own request (bench:fs cold readFile, 10,000 files: 197-203 ms against 256-271). One call in
  // RETRY_DIRECT looks whether files are cached again.
  if (uncachedInARow >= COLD_STREAK && (++coldCalls & RETRY_DIRECT_MASK) !== 0) {
    const byRing = readFirstByRing(request, options, () => readWholeFileByChains(request, options));
    if (byRing !== null) return byRing;
  }
  // A cached file is read here and now (four syscalls, no turn of the event loop): cheaper than the
  // ring's linked batch, whose answers come back through the event loop (docs/performance.md,
  // "Session 24: perf24"). The batch takes the opens the dcache cannot answer, which io_uring
  // makes on io-wq while this thread goes on; the chains take the rest.
  const direct = readFirstDirect(request, options);
  if (direct !== UNCACHED_OPEN && direct !== null) return direct;
  return (direct === UNCACHED_OPEN ? readFirstByRing(request, options, () => readWholeFileByChains(request, options)) : null) ?? readWholeFileByChains(request, options);
}

/** {@link readWholeFile} with the ring's batch first, whatever the dcache holds (see {@link readFirstOnTheRing}). */
function readRingFirst(request: Request, options: WholeReadOptions | WholeReadIntoOptions): Whole<number | Buffer | ReadFailure> {
  const byRing = readFirstByRing(request, options, () => readWholeFileByChains(request, options));
  if (byRing !== null) return byRing;
  const direct = readFirstDirect(request, options);
  return direct !== UNCACHED_OPEN && direct !== null ? direct : readWholeFileByChains(request, options);
}

/** Straight reads in a row (any engine of this thread) that found their file uncached (preadv2 EAGAIN). */
let uncachedInARow = 0;
/** From this many, whole-file reads start with the ring's batch (where there is one). */
const COLD_STREAK = 8;
/** Calls made while cold; one in RETRY_DIRECT_MASK + 1 tries the straight calls again. */
let coldCalls = 0;
const RETRY_DIRECT_MASK = 63;

/** Engines whose whole-file reads start with the ring's batch (readFirstOnTheRing), and how many were named. */
const ringFirst = new WeakSet<Engine>();
let ringFirstEngines = 0;

/**
 * @internal readFirstOnTheRing - make `engine`'s whole-file reads (readFileSyslet, readFileInto,
 * syslet-aio/fs's readFile) start with the io_uring engine's linked batch (reader-ring.ts) for
 * every file, cached or not, as they all did before session 24. For the tests of the batch, whose
 * files are cached: otherwise the batch serves only the opens the dcache cannot answer, which a
 * test cannot arrange without dropping the whole machine's dentries. No effect on an engine
 * without ring file reads.
 *
 * @example readFirstOnTheRing(engine); await readFileSyslet(engine, path) // through the batch
 */
export function readFirstOnTheRing(engine: Engine): void {
  if (ringFirst.has(engine)) return;
  ringFirst.add(engine);
  ringFirstEngines++;
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
    const statResult = answerOf(instance, READ_FIRST.fstat);
    const read = instance.result(READ_FIRST.read);
    const failure = statResult < 0 ? new ReadFailure(statResult, 'fstat') : read !== NOT_EXECUTED && num(read) < 0 ? new ReadFailure(num(read), 'read') : null;
    const size = num(instance.scratchWord('stat', STAT_SIZE_OFFSET));
    const mode = num(instance.scratchWord('stat', STAT_X86_64.st_mode, 4));
    return await readOpenedOn(request, fd, failure, size, mode, firstCount(instance), mayBlockInline, options);
  } finally {
    instance.release();
  }
}

/**
 * The rest of a read whose first step left `fd` open (its own: closed here unless a chain
 * closed it): `failure` when its fstat or read failed, else on from the `first` bytes read of
 * `size` (st_size; 0: unknown length, read until a read returns 0).
 */
async function readOpenedOn(
  request: Request, fd: number, failure: ReadFailure | null, size: number, mode: number, first: number, mayBlockInline: boolean, options: WholeReadOptions | WholeReadIntoOptions,
): Promise<number | Buffer | ReadFailure> {
  const going: Going = { request, fd, owned: true, open: true };
  try {
    if (failure !== null) return failure;
    options.between?.();
    if (size > options.limit && options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
    if (size === 0) {
      const kind = mode & S_IFMT;
      // Not only FIFOs and devices: a procfs or tracefs regular file of size 0 may honour
      // O_NONBLOCK (/proc/kmsg with nothing logged answers EAGAIN where Node's read waits).
      if (mayBlockInline && kind !== S_IFDIR) clearNonblock(fd);
      // A FIFO opened O_NONBLOCK reads as empty until a writer connects: poll before each read.
      return await readUnknownLength(going, options, mayBlockInline && kind === S_IFIFO);
    }
    return await readRest(going, size, first, options);
  } finally {
    if (going.open) await closeFd(request, fd);
  }
}

// file.readFirst's calls made straight from here (readFirstDirect): the open_how (fixed: a
// read-only open tried from the dcache), the iovec of the read and the struct stat, in one block
// allocated with the module (JavaScript is single-threaded: the block is used between calls only).
const DIRECT_OPEN_FLAGS = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
const HOW = 0;
const IOV = 32;
const STAT = 64;
const direct: NativeBlock = allocNative(STAT + STAT_BYTES, 8);
const directWords = new Uint32Array(direct.buffer);
const directView = new DataView(direct.buffer);
directWords[HOW / 4] = DIRECT_OPEN_FLAGS;
directWords[(HOW + 16) / 4] = RESOLVE_CACHED;
const ST_MODE = (STAT + STAT_X86_64.st_mode) / 4;
const ST_SIZE = (STAT + STAT_SIZE_OFFSET) / 4;
const TWO32 = 4294967296;
const SYS_fstat = NR.fstat;
const SYS_close = NR.close;
const DIRECT_CALLS = [NR.openat, NR.fstat, NR.pread64, NR.close];
/** readFirstDirect's answer for an open the dcache cannot answer (or calls the policy denies it): the ring's batch next. */
const UNCACHED_OPEN = Symbol('uncached open');

/**
 * readFirstDirect - file.readFirst's four calls made one by one from JavaScript, without the
 * executor: what the chain does inline for a cached file (openat2 RESOLVE_CACHED, fstat,
 * preadv2 RWF_NOWAIT, close), with the same answers. Anything the chain would hand to a
 * cachemiss thread, or answer in a way not written out here, goes to the chains: an open not in
 * the dcache (or refused as the chain's probe refuses it) from the start; a read that would block,
 * or a file longer than the slot, on from the open fd (reader-rest.ts).
 *
 * @returns the answer; {@link UNCACHED_OPEN} when the ring's batch (else the chains) must read from
 *   the start (an open the dcache cannot answer, a policy that denies one of the calls); null
 *   when the chains must (flags other than a plain read-only open, a closed engine, a read
 *   answered 0 or an error, which the chain makes again as read(2)).
 */
function readFirstDirect(request: Request, options: WholeReadOptions | WholeReadIntoOptions): Whole<number | Buffer | ReadFailure> | null | typeof UNCACHED_OPEN {
  if (options.flags !== 0) return null;
  const engine = request.engine;
  if (engine.closed) return null;
  // (The ring's batch checks the calls it makes itself.)
  if (!engine.policy.allowsAll(DIRECT_CALLS)) return UNCACHED_OPEN;
  const slot = request.slot;
  // A file on a FUSE, NFS... mount (engine/remote-mounts.ts): its open waits for the server, here
  // or in the ring's inline try of its OPENAT; the chains' open goes to a cachemiss thread.
  const fd = openat2OffRemote(AT_FDCWD, slot.pathAddresses[0], DIRECT_OPEN_FLAGS, directView, HOW, direct.address + HOW);
  if (fd === ON_REMOTE_MOUNT) return null;
  if (fd < 0) {
    // EAGAIN: not all in the dcache (or a lease); EINVAL/ENOSYS: the chain's probe hands those to
    // the real openat; ENXIO: the chain's caller opens again without O_NONBLOCK; EMFILE/ENFILE:
    // the ring's batch opens into its own table of direct descriptors, and reads the file.
    if (fd === -EAGAIN || fd === -EINVAL || fd === -ENOSYS || fd === -ENXIO || fd === -EMFILE || fd === -ENFILE) return UNCACHED_OPEN;
    return new ReadFailure(fd, 'open');
  }
  const stat = syscall(SYS_fstat, fd, direct.address + STAT);
  if (stat < 0) return readOpenedOn(request, fd, new ReadFailure(stat, 'fstat'), 0, 0, 0, true, options);
  const size = (directWords[ST_SIZE] as number) + (directWords[ST_SIZE + 1] as number) * TWO32;
  const mode = directWords[ST_MODE] as number;
  if (size === 0) return readOnHeld(request, fd, 0, mode, 0, options);
  const want = Math.min(size, SLOT_DATA_BYTES, Math.max(options.limit, 1));
  const base = slot.dataAddress;
  directWords[IOV / 4] = base >>> 0;
  directWords[IOV / 4 + 1] = Math.floor(base / TWO32);
  directWords[IOV / 4 + 2] = want;
  directWords[IOV / 4 + 3] = 0;
  const got = preadv2(fd, direct.address + IOV, 1, 0, RWF_NOWAIT);
  if (got === -EAGAIN) uncachedInARow++;
  else uncachedInARow = 0;
  if (got === want && size === want) {
    syscall(SYS_close, fd);
    options.between?.();
    return copyOut(slot.data, got, options);
  }
  // Bytes to come, or a read that would block: on from the open fd with the chains.
  if (got > 0) return readOnHeld(request, fd, size, mode, got, options);
  if (got === -EAGAIN || got === -EOPNOTSUPP) return readOnHeld(request, fd, size, mode, 0, options);
  // 0 (shorter than its fstat said) or an error (a directory: EISDIR): the chain makes the read
  // again as read(2), whose answer is Node's; from the start.
  syscall(SYS_close, fd);
  return null;
}

/**
 * {@link readOpenedOn} from the fd readFirstDirect opened, whose fstat is in the direct block: on a
 * worker thread the fd is registered until the read ends, so that the thread's exit mid-read
 * closes it (owned-fds.ts), as for the ring batch's installed fd.
 */
async function readOnHeld(request: Request, fd: number, size: number, mode: number, first: number, options: WholeReadOptions | WholeReadIntoOptions): Promise<number | Buffer | ReadFailure> {
  // (Read before the first await: the block is the next call's.)
  if (!isMainThread) holdFd(fd, directView.getBigUint64(STAT + STAT_X86_64.st_dev, true), directView.getBigUint64(STAT + STAT_X86_64.st_ino, true));
  try {
    return await readOpenedOn(request, fd, null, size, mode, first, true, options);
  } finally {
    releaseFd(fd);
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
