/**
 * Whole-file calls: readFile, writeFile, appendFile, truncate, copyFile. Each is one chain for a
 * small file (open, fstat, read, close — or open, write loop, close), a few for a large one, all
 * through the engine's request window; arguments this layer does not take (see args.ts) go to
 * node:fs/promises unchanged.
 */
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { abortError } from '../engine/errors.js';
import { abortPoint, checkAborted } from './abort-point.js';
import { offAbort, onAbort } from '../engine/abort-listeners.js';
import { EFBIG, EINVAL, ENOSYS, EOPNOTSUPP, EPERM, EXDEV } from '../engine/native/index.js';
import { O_CLOEXEC, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_WRONLY } from '../engine/syscalls/constants.generated.js';
import type { PluginInstance } from '../plugins/plugin.js';
import { ReadFailure, readWholeFile, type WholeReadOptions } from '../plugins/reader.js';
import { Request, SLOT_DATA_BYTES } from '../plugins/requests.js';
import { encodingOf, fastFlags, fastMode, fastOptions, fastPath, signalOf } from './args.js';
import { fsTruncate, STAT_MODE_OFFSET, TRUNCATE } from './chains.js';
import { STAT_SIZE_OFFSET } from '../plugins/builtin/file.js';
import { COPY_FILE, fsCloseTwo, fsCopyFile } from './chains-copy.js';
import { COPY_FDS_BY_SENDFILE, fileCopyFdsBySendfile } from '../plugins/builtin/file-copy-sendfile.js';
import { atTheFdLimit, ended, putPaths, ran, result, submitted, take } from './core.js';
import { nodeMayServe, outOfFds } from './direct.js';
import { NR } from '../engine/syscalls/nr.js';
import { fsError, IO_MAX_LENGTH, wholeString } from './errors.js';
import { kSysletHandle, type FileHandle } from './file-handle.js';
import { NOT_BY_RING, writeFileByRing } from './write-ring.js';
import { viewBytes } from '../engine/view-getters.js';
import { writeFileByChain } from './write-chain.js';

const COPYFILE_EXCL = 1;
const COPYFILE_FICLONE_FORCE = 4;

function isSysletHandle(value: unknown): value is FileHandle {
  return typeof value === 'object' && value !== null && kSysletHandle in value;
}


/**
 * `work`'s answer, or an AbortError as soon as `signal` aborts (the work goes on; its answer is
 * then dropped).
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const aborted = (): void => reject(abortError(signal));
    onAbort(signal, aborted);
    work.then(
      (value) => {
        offAbort(signal, aborted);
        resolve(value);
      },
      (error: Error) => {
        offAbort(signal, aborted);
        reject(error);
      },
    );
  });
}

/** The whole-file read of a plain readFile (flag 'r', no signal): one object for every call. */
const READ_ONLY: WholeReadOptions = Object.freeze({ flags: O_RDONLY, mode: 0o666, limit: IO_MAX_LENGTH, overLimit: 'fail' });

/** readFile - fsp.readFile on the syslet path (file.readFirst, then file.readMore if needed). */
export async function readFile(engine: Engine, path: unknown, options?: unknown): Promise<string | Buffer> {
  const opts = fastOptions(options, { flag: 'r' });
  if (opts !== undefined && isSysletHandle(path)) return path.readFile(opts as never);
  const fast = fastPath(path);
  const flags = opts === undefined ? undefined : fastFlags(opts.flag || 'r');
  if (opts === undefined || fast === undefined || flags === undefined || opts.encoding === 'buffer') return nodeFs.readFile(path as string, options as never);
  const encoding = encodingOf(opts);
  const signal = signalOf(opts);
  checkAborted(signal);
  if (signal !== undefined) await abortPoint(signal);
  const taken = take(engine);
  const req = taken instanceof Request ? taken : await taken;
  let got: Buffer | ReadFailure;
  let handedOver = false;
  try {
    // A file the first chain read inline is answered before any await, so its request leaves
    // the window within this call: awaited, the request stayed in until a microtask later, and
    // a Promise.all over many cached files filled the window and queued every call past it.
    const whole = readWholeFile(req, fast, signal === undefined && flags === O_RDONLY ? READ_ONLY : { flags, mode: 0o666, limit: IO_MAX_LENGTH, overLimit: 'fail', between: () => checkAborted(signal) });
    // (Node takes any object with an `aborted` property for a signal, and only reads it.)
    if (whole instanceof Promise && signal !== undefined && typeof signal.addEventListener === 'function') {
      // A read past the inline limit (engine/probe.ts INLINE_COPY_BYTES) is one request of the
      // cachemiss engine, with no point between chunks where Node's loop sees an abort: the call
      // rejects at the abort, as Node's does, and the request ends when its chain does (its
      // memory and fd are the chain's until then).
      handedOver = true;
      whole.then(() => req.end(), () => req.end());
      got = await untilAborted(whole, signal);
    } else {
      got = whole instanceof Promise ? await whole : whole;
    }
  } finally {
    if (!handedOver) req.end();
  }
  // Any signal: an abort during a read past the inline limit (no point between chunks) is seen now.
  checkAborted(signal);
  if (got instanceof ReadFailure) {
    // At the fd limit, Node's answer (core.ts atTheFdLimit): a read has nothing to undo; so too
    // when no cachemiss thread could take a chain (core.ts unserved).
    if (outOfFds(-got.errno) || got.unserved) return nodeFs.readFile(path as string, options as never);
    // Larger than Node reads into one Buffer: let Node raise its ERR_FS_FILE_TOO_LARGE.
    if (got.errno === EFBIG && got.syscall === 'read') return nodeFs.readFile(path as string, options as never);
    throw fsError(got.errno, got.syscall, got.syscall === 'open' ? fast : undefined);
  }
  return encoding === undefined ? got : wholeString(got, encoding);
}

const WRITE_DEFAULTS = { encoding: 'utf8', mode: 0o666, flag: 'w', flush: false };

/**
 * The bytes writeFile writes, or undefined (an iterable or stream: Node's). A caller's view is
 * described afresh by the intrinsic getters, never by its own properties: a Buffer whose `length`
 * (or a subclass whose `byteLength`, `buffer`, `byteOffset`) says more than it holds must write
 * what it holds, as Node's native layer does; a count from the lie wrote the rest of the request
 * slot — an earlier request's file contents (hunt28).
 */
function dataBytes(data: unknown, encoding: unknown): Uint8Array | undefined {
  if (ArrayBuffer.isView(data)) return viewBytes(data);
  if (typeof data !== 'string') return undefined;
  const name = typeof encoding === 'string' && encoding !== '' ? encoding : 'utf8';
  return Buffer.isEncoding(name) ? Buffer.from(data, name) : undefined;
}

/** The calls node:fs's writeFile makes (open, write at the file position, close): the policy must allow each. */
const NODE_WRITE_FILE_CALLS: readonly number[] = [NR.openat, NR.write, NR.close];

/**
 * Whether a writeFile of more than a slot's data is node:fs/promises' own, whole (session 32,
 * docs/fs.md "smallwrite32"): on ext4 the write can only go to another thread (io-wq, a cachemiss
 * thread), and the chain around it cost the event loop's thread 2–3× Node's (1 MiB: 360–440 µs a
 * call against 160–230; 128 KiB: 390–410 against 110–160, the close's writeback start among it)
 * for no gain in wall time on either engine. Not once the engine is closed (the call rejects with
 * ESHUTDOWN, as every call after the close), nor under a policy that does not allow the calls (the
 * chain's atoms are denied and reported, as before).
 */
function writesThroughNode(engine: Engine): boolean {
  return nodeMayServe(engine, NODE_WRITE_FILE_CALLS);
}

/**
 * writeFile - fsp.writeFile on the syslet path: a small file by two ring requests (write-ring.ts)
 * or one chain (open, write loop, [fsync,] close); more than a slot's data by node:fs/promises.
 */
export async function writeFile(engine: Engine, path: unknown, data: unknown, options?: unknown): Promise<void> {
  const opts = fastOptions(options, WRITE_DEFAULTS);
  const flush = opts?.flush ?? false;
  const bytes = opts === undefined ? undefined : dataBytes(data, opts.encoding);
  if (opts !== undefined && typeof flush === 'boolean' && isSysletHandle(path)) return path.writeFile(data as string, opts);
  const fast = fastPath(path);
  const flags = opts === undefined ? undefined : fastFlags(opts.flag || 'w');
  const mode = opts === undefined ? undefined : fastMode(opts.mode, 0o666);
  if (opts === undefined || typeof flush !== 'boolean' || bytes === undefined || fast === undefined || flags === undefined || mode === undefined) {
    return nodeFs.writeFile(path as string, data as string, options as never);
  }
  if (bytes.length > SLOT_DATA_BYTES && writesThroughNode(engine)) return nodeFs.writeFile(path as string, data as string, options as never);
  const signal = signalOf(opts);
  checkAborted(signal);
  if (signal !== undefined) await abortPoint(signal);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  const empty = bytes.length === 0;
  try {
    // A call that waited for a place in the window sees an abort made meanwhile, as Node's sees
    // one made before its open answers (before, every queued call wrote its file regardless).
    checkAborted(signal);
    const bad = putPaths(req, fast);
    if (bad !== 0) throw fsError(bad, 'open', fast);
    // A small file without a signal or flush: two direct ring requests (write-ring.ts).
    if (signal === undefined && !flush && !empty && bytes.length <= SLOT_DATA_BYTES) {
      req.slot.data.set(bytes);
      const byRing = writeFileByRing(req, fast, flags, mode, bytes.length);
      if (byRing !== null && (await byRing) !== NOT_BY_RING) return;
    }
    await writeFileByChain(engine, req, path, data, options, opts, fast, flags, mode, bytes, flush);
  } finally {
    req.end();
  }
}

/** appendFile - fsp.appendFile: writeFile with flag 'a' unless another flag is given. */
export function appendFile(engine: Engine, path: unknown, data: unknown, options?: unknown): Promise<void> {
  const opts = fastOptions(options, { encoding: 'utf8', mode: 0o666, flag: 'a' });
  if (opts === undefined) return nodeFs.appendFile(path as string, data as string, options as never);
  return writeFile(engine, path, data, { ...opts, flag: opts.flag || 'a' });
}

/** truncate - fsp.truncate: open 'r+', ftruncate, close in one chain. */
export async function truncate(engine: Engine, path: unknown, len?: unknown): Promise<void> {
  const fast = fastPath(path);
  const length = len === undefined ? 0 : len;
  if (fast === undefined || typeof length !== 'number' || !Number.isSafeInteger(length)) return nodeFs.truncate(path as string, len as number);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  const instance = fsTruncate.acquire(engine);
  try {
    const bad = putPaths(req, fast);
    if (bad !== 0) throw fsError(bad, 'open', fast);
    instance.set(0, req.slot.pathAddresses[0]);
    instance.set(1, O_RDWR | O_CLOEXEC);
    instance.set(2, Math.max(0, length));
    const wait = submitted(req.run(fsTruncate, instance), 'open', fast);
    const notTaken = wait !== null && (await ended(wait, fsTruncate, instance, 'open', fast));
    // Making ftruncate again changes nothing it did (core.ts atTheFdLimit).
    if (notTaken || (result(instance, TRUNCATE.close) !== 0 && atTheFdLimit(fsTruncate, instance))) return nodeFs.truncate(path as string, len as number);
    const opened = result(instance, TRUNCATE.open);
    if (opened < 0) throw fsError(opened, 'open', fast);
    const truncated = result(instance, TRUNCATE.ftruncate);
    if (truncated < 0) throw fsError(truncated, 'ftruncate');
    const closed = result(instance, TRUNCATE.close);
    if (closed < 0) throw fsError(closed, 'close');
  } finally {
    instance.release();
    req.end();
  }
}

/** dev and ino of a struct stat scratch area (to tell whether src and dest are one file). */
function identity(instance: PluginInstance, area: string): string {
  return `${String(instance.scratchWord(area, 0))}:${String(instance.scratchWord(area, 8))}`;
}

/**
 * copyFile - fsp.copyFile as libuv's uv_fs_copyfile does it, in one chain on a cachemiss thread
 * (the dest open creates): open both, copy_file_range to the end, ftruncate dest, close both.
 * When copy_file_range cannot copy between the two (another file system) the open fds go on with
 * a sendfile loop; when src and dest are one file nothing is written. Dest gets src's permission
 * bits, as libuv's fchmod gives them. COPYFILE_FICLONE_FORCE goes to Node.
 */
export async function copyFile(engine: Engine, src: unknown, dest: unknown, mode?: unknown): Promise<void> {
  const from = fastPath(src);
  const to = fastPath(dest);
  const flags = mode === undefined ? 0 : mode;
  if (from === undefined || to === undefined || typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 7 || (flags & COPYFILE_FICLONE_FORCE) !== 0) {
    return nodeFs.copyFile(src as string, dest as string, mode as number);
  }
  const fail = (errno: number): Error => fsError(errno, 'copyfile', from, to);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  let srcMode = 0;
  let destMode = 0;
  const instance = fsCopyFile.acquire(engine);
  // Once dest is open, a failure leaves what libuv's uv_fs_copyfile leaves: it has truncated dest
  // and fchmod-ed it to src's mode before copying, and on the error it unlinks dest's path (even
  // a dest that was there before; through a symlink, the link goes and its target stays, empty).
  let destOpened = false;
  try {
    const bad = putPaths(req, from, to);
    if (bad !== 0) throw fail(bad);
    instance.set(0, req.slot.pathAddresses[0]);
    instance.set(1, req.slot.pathAddresses[1]);
    instance.set(2, O_WRONLY | O_CREAT | O_CLOEXEC | ((flags & COPYFILE_EXCL) !== 0 ? O_EXCL : 0));
    instance.set(3, 0o666);
    const wait = submitted(req.run(fsCopyFile, instance), 'copyfile', from);
    const notTaken = wait !== null && (await ended(wait, fsCopyFile, instance, 'copyfile', from));
    // No thread took the copy (core.ts unserved): before, the opens having run, it resolved with
    // dest as it was (io_uring engine; empty when created), as if copied.
    if (notTaken || (result(instance, COPY_FILE.closeDst) !== 0 && atTheFdLimit(fsCopyFile, instance))) {
      // Node's copyFile opens, truncates and fills dest again; with COPYFILE_EXCL a dest this
      // chain opened is one it created, which goes first (else Node's answer would be EEXIST).
      if (result(instance, COPY_FILE.openDst) >= 0 && (flags & COPYFILE_EXCL) !== 0) await nodeFs.unlink(typeof to === 'string' ? to : Buffer.from(to)).catch(() => undefined);
      return nodeFs.copyFile(src as string, dest as string, mode as number);
    }
    const srcFd = result(instance, COPY_FILE.openSrc);
    if (srcFd < 0) throw fail(srcFd);
    const destFd = result(instance, COPY_FILE.openDst);
    if (destFd < 0) throw fail(destFd);
    destOpened = true;
    srcMode = Number(instance.scratchWord('stSrc', STAT_MODE_OFFSET, 4)) & 0o7777;
    destMode = Number(instance.scratchWord('stDst', STAT_MODE_OFFSET, 4)) & 0o7777;
    // libuv copies st_size bytes: none of a procfs file or a device, whose size is 0 however much
    // a read gives (and copy_file_range/sendfile may refuse them with EINVAL). Dest ends empty.
    // (A sysfs file says 4096 and holds less: libuv's loop never ends there; this one copies it.)
    const sizeZero = Number(instance.scratchWord('stSrc', STAT_SIZE_OFFSET)) === 0;
    if (ran(instance, COPY_FILE.exit) && result(instance, COPY_FILE.exit) < 0) {
      // The chain stopped with both fds open: one file (nothing to do), or another file system.
      const errno = result(instance, COPY_FILE.copy);
      if (identity(instance, 'stSrc') === identity(instance, 'stDst')) {
        await closeBoth(req, srcFd, destFd);
        return;
      }
      if (sizeZero) {
        await closeBoth(req, srcFd, destFd);
        if (Number(instance.scratchWord('stDst', STAT_SIZE_OFFSET)) !== 0) await truncateDest(to, fail);
      } else if (![EXDEV, EINVAL, EOPNOTSUPP, ENOSYS].includes(-errno)) {
        await closeBoth(req, srcFd, destFd);
        throw fail(errno);
      } else {
        await copyBySendfile(req, srcFd, destFd, fail);
      }
    } else {
      const truncated = ran(instance, COPY_FILE.ftruncate) ? result(instance, COPY_FILE.ftruncate) : 0;
      if (truncated < 0) throw fail(truncated);
      if (sizeZero && Number(instance.cell('total')) !== 0) await truncateDest(to, fail);
    }
  } catch (error) {
    if (destOpened) await undoCopy(typeof to === 'string' ? to : Buffer.from(to), srcMode);
    throw error;
  } finally {
    instance.release();
    req.end();
  }
  if (srcMode !== destMode) {
    // libuv fchmods dest to src's mode (and, on Linux, lets EPERM pass, as CIFS shares refuse it).
    try {
      await nodeFs.chmod(typeof to === 'string' ? to : Buffer.from(to), srcMode);
    } catch (error) {
      if ((error as { errno?: number }).errno !== -EPERM) throw fail((error as { errno: number }).errno);
    }
  }
}

/**
 * What a failed uv_fs_copyfile leaves of dest (its fds are closed): truncated, src's mode, its
 * path unlinked. Made on the path, so that a dest reached through a symlink ends as libuv leaves
 * it; each step's error is ignored, as libuv ignores the unlink's (the copy's error is the answer).
 */
async function undoCopy(dest: string | Buffer, srcMode: number): Promise<void> {
  await nodeFs.truncate(dest, 0).catch(() => undefined);
  await nodeFs.chmod(dest, srcMode).catch(() => undefined);
  await nodeFs.unlink(dest).catch(() => undefined);
}

/** Cut dest to 0 bytes through its path (its fds are closed), as libuv's ftruncate before the copy left it. */
async function truncateDest(dest: string | Uint8Array, fail: (errno: number) => Error): Promise<void> {
  try {
    await nodeFs.truncate(typeof dest === 'string' ? dest : Buffer.from(dest), 0);
  } catch (error) {
    throw fail((error as { errno: number }).errno);
  }
}

async function closeBoth(req: Request, a: number, b: number): Promise<void> {
  const instance = fsCloseTwo.acquire(req.engine);
  try {
    instance.set(0, a);
    instance.set(1, b);
    const wait = submitted(req.run(fsCloseTwo, instance), 'close');
    if (wait !== null) await wait;
  } finally {
    instance.release();
  }
}

/** The sendfile fallback on the two fds the copy_file_range chain left open; it closes both. */
async function copyBySendfile(req: Request, srcFd: number, destFd: number, fail: (errno: number) => Error): Promise<void> {
  const instance = fileCopyFdsBySendfile.acquire(req.engine);
  try {
    instance.set(0, srcFd);
    instance.set(1, destFd);
    const wait = submitted(req.run(fileCopyFdsBySendfile, instance), 'copyfile');
    if (wait !== null) await wait;
    // An error: the chain closed both fds, dest not cut.
    if (ran(instance, COPY_FDS_BY_SENDFILE.exit) && result(instance, COPY_FDS_BY_SENDFILE.exit) < 0) throw fail(result(instance, COPY_FDS_BY_SENDFILE.sendfile));
    const truncated = ran(instance, COPY_FDS_BY_SENDFILE.ftruncate) ? result(instance, COPY_FDS_BY_SENDFILE.ftruncate) : 0;
    if (truncated < 0) throw fail(truncated);
  } finally {
    instance.release();
  }
}

