/**
 * readlink and realpath on syslets: both start with the O_PATH lookup the metadata chains use
 * (openat tried with RESOLVE_CACHED, which answers EAGAIN rather than wait for the disk), so a
 * cached path is served inline with no thread hop, where Node's are a trip to its thread pool
 * each (realpath: glibc's realpath(3), one readlink per component of the path).
 *
 * - readlink: openat(path, O_PATH|O_NOFOLLOW) → readlinkat(fd, "", buf) → close.
 * - realpath: openat(path, O_PATH) (following every link), then readlinkat of "/proc/self/fd/N"
 *   (the kernel's name of what the fd is) and close; made directly, the readlinkat is of "N" in
 *   an O_PATH fd of that directory, held for the life of the process. Without /proc (a container
 *   that does not mount it) the call is node:fs/promises's.
 *
 * On an engine whose policy allows openat, readlinkat and close (the default), the three calls
 * are made directly on the calling thread: openat2 with RESOLVE_CACHED first, exactly the probe
 * the engine makes for an openat atom, and the other two only once it has answered from the
 * dcache. A submission costs more than the calls it wraps here (the executor's checks per atom,
 * an instance acquired and released: 20–35 % of a cached call's CPU). A path the dcache cannot
 * resolve alone goes to the chains (fs.readlink, fs.openPath), whose open the engine hands to the
 * ring or a cachemiss thread; so does every call on an engine whose policy is narrowed, so that
 * what it denies is denied and reported, never made behind its back.
 */
import * as nodeFs from 'node:fs/promises';
import { SYSLET_STOP_ON_NEGATIVE, SYSLET_SYNC } from '../engine/atom.js';
import type { Engine } from '../engine/engine.js';
import { EINVAL, ENAMETOOLONG, ENOENT, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_PATH } from '../engine/syscalls/constants.generated.js';
import { defineBuiltinPlugin, type Plugin } from '../plugins/plugin.js';
import { fileClose } from '../plugins/builtin/file-read.js';
import { Request } from '../plugins/requests.js';
import { fastOptions, fastPath, type FastPath } from './args.js';
import { ended, putPaths, ran, result, submitted, take } from './core.js';
import { directCallsAllowed, EMPTY_PATH_AT, NOT_CACHED, openCached, outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { procFdDirectoryName } from './proc-fd.js';
import { readlinkInBatch, realpathInBatch } from './link-burst.js';
import { burstOpenOnRing, linkOnRing, ringTakesLinkBursts } from './link-ring.js';

export { procFdDirectoryName } from './proc-fd.js';

/** The longest link target: PATH_MAX with its NUL (symlink(2) refuses a longer one). */
const TARGET_BYTES = 4096;
const EMPTY_PATH_BYTES = 8;
const SYS_readlinkat = NR.readlinkat;
const SYS_close = NR.close;
const SYS_openat = NR.openat;

/**
 * fs.readlink - openat(path, O_PATH|O_NOFOLLOW|O_CLOEXEC) → readlinkat(fd, "", buf, size) →
 * close. An empty path makes readlinkat(2) read the link the fd names, with no lookup: it runs
 * inline (SYSLET_SYNC), as statx on an O_PATH fd does. On a fd that is not a link it answers
 * ENOENT, which readlink(2) on the path answers as EINVAL.
 *
 * A target longer than the inode holds inline (60 bytes on ext4) is a page of the link's own;
 * when that page is not cached, the inline readlinkat reads it from the disk.
 */
export const fsReadlink: Plugin = defineBuiltinPlugin({
  name: 'fs.readlink',
  description: 'openat O_PATH|O_NOFOLLOW + readlinkat(fd, "") + close: readlink inline when the path is cached',
  params: { path: 'ptr', buf: 'ptr', size: 'size' },
  scratch: { empty: EMPTY_PATH_BYTES },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'readlinkat', args: [{ result: 0 }, { scratch: 'empty' }, { param: 'buf' }, { param: 'size' }], flags: SYSLET_SYNC },
    { call: 'close', args: [{ result: 0 }] },
  ],
});

/** Atom indices of {@link fsReadlink}. */
export const READLINK = { open: 0, readlink: 1, close: 2 } as const;

/** fs.openPath - openat(path, O_PATH|O_CLOEXEC): the first half of realpath; the fd stays open. */
export const fsOpenPath: Plugin = defineBuiltinPlugin({
  name: 'fs.openPath',
  description: 'openat O_PATH: an fd for what a path names, every link followed',
  params: { path: 'ptr' },
  atoms: [{ call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_PATH | O_CLOEXEC, 0] }],
});

/**
 * fs.fdPath - readlinkat(AT_FDCWD, "/proc/self/fd/N", buf, size) → close(fd): the kernel's path
 * of an open fd, then the fd closed. procfs answers from memory: inline. realpath uses it on an
 * engine whose policy is narrowed (else it makes the two calls directly).
 */
export const fsFdPath: Plugin = defineBuiltinPlugin({
  name: 'fs.fdPath',
  description: 'readlinkat /proc/self/fd/N + close(N): the path an fd names',
  params: { procPath: 'ptr', buf: 'ptr', size: 'size', fd: 'fd' },
  atoms: [
    { call: 'readlinkat', args: [AT_FDCWD, { param: 'procPath' }, { param: 'buf' }, { param: 'size' }], flags: SYSLET_SYNC },
    { call: 'close', args: [{ param: 'fd' }] },
  ],
});

/** Atom indices of {@link fsFdPath}. */
export const FD_PATH = { readlink: 0, close: 1 } as const;

/**
 * The encoding readlink and realpath give their result in: Node hands the option to its binding,
 * which decodes as UTF-8 unless it is a known encoding, and gives a Buffer only for 'buffer'.
 */
function resultEncoding(options: unknown): BufferEncoding | 'buffer' | undefined {
  const opts = fastOptions(options);
  if (opts === undefined) return undefined;
  const encoding = opts.encoding;
  return typeof encoding === 'string' && encoding !== '' ? (encoding as BufferEncoding | 'buffer') : 'utf8';
}

function decode(data: Buffer, length: number, encoding: BufferEncoding | 'buffer'): string | Buffer {
  return encoding === 'buffer' ? Buffer.from(data.subarray(0, length)) : data.toString(encoding, 0, length);
}

/**
 * readlink - fsp.readlink on the syslet path: direct calls when the path is cached, else the
 * fs.readlink chain; in a burst on the io_uring engine the opens as ring requests
 * (fs/link-ring.ts, the calls the ring does not take now inline), else a share of the calls in
 * batches on a cachemiss thread (fs/link-burst.ts).
 */
export function readlink(engine: Engine, path: unknown, options?: unknown): Promise<string | Buffer> {
  const fast = fastPath(path);
  const encoding = resultEncoding(options);
  if (fast === undefined || encoding === undefined) return nodeFs.readlink(path as string, options as never);
  if (burstOpenOnRing(engine, 'readlink')) {
    const ring = linkOnRing(engine, 'readlink', fast, options, encoding, -1);
    if (ring !== null) return ring;
  }
  // A call the ring does not take now (full) is made here, not in a batch: link-ring.ts.
  if (ringTakesLinkBursts(engine)) return readlinkInline(engine, path, options);
  return readlinkInBatch(engine, fast, path, options, encoding, readlinkInline) ?? readlinkInline(engine, path, options);
}

/** readlink on the calling thread (direct calls, or the chain): {@link readlink} outside a batch. */
async function readlinkInline(engine: Engine, path: unknown, options?: unknown): Promise<string | Buffer> {
  const fast = fastPath(path);
  const encoding = resultEncoding(options);
  if (fast === undefined || encoding === undefined) return nodeFs.readlink(path as string, options as never);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  if (directCallsAllowed(engine, DIRECT_CALLS)) {
    // Inline or nothing: the chain below is for a path that is not all in the dcache.
    let answered = true;
    try {
      const answer = readlinkDirect(req, fast, encoding);
      if (answer !== undefined) return answer;
      answered = false;
    } finally {
      if (answered) req.end();
    }
  }
  const instance = fsReadlink.acquire(engine);
  try {
    const bad = putPaths(req, fast);
    if (bad !== 0) throw fsError(bad, 'readlink', fast);
    instance.set(0, req.slot.pathAddresses[0]);
    instance.set(1, req.slot.dataAddress);
    instance.set(2, TARGET_BYTES);
    const wait = submitted(req.run(fsReadlink, instance), 'readlink', fast);
    const notTaken = wait !== null && (await ended(wait, fsReadlink, instance, 'readlink', fast));
    const opened = result(instance, READLINK.open);
    if (notTaken || outOfFds(opened)) return await nodeFs.readlink(fast as string, options as never);
    if (opened < 0) throw fsError(opened, 'readlink', fast);
    const length = result(instance, READLINK.readlink);
    // The O_PATH fd names something that is not a link (the path's last component, or the
    // directory a trailing slash made the lookup follow to).
    if (length === -ENOENT) throw fsError(EINVAL, 'readlink', fast);
    if (outOfFds(length)) return await nodeFs.readlink(fast as string, options as never);
    if (length < 0) throw fsError(length, 'readlink', fast);
    return decode(req.slot.data, length, encoding);
  } finally {
    instance.release();
    req.end();
  }
}

/** readlink's three calls made directly (see {@link readlink}); undefined when the chain must decide. */
function readlinkDirect(req: Request, fast: FastPath, encoding: BufferEncoding | 'buffer'): string | Buffer | undefined {
  const bad = putPaths(req, fast);
  if (bad !== 0) throw fsError(bad, 'readlink', fast);
  const fd = openCached(req, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd === NOT_CACHED) return undefined;
  if (fd < 0) throw fsError(fd, 'readlink', fast);
  const length = syscall(SYS_readlinkat, fd, req.slot.pathAddresses[1] + EMPTY_PATH_AT, req.slot.dataAddress, TARGET_BYTES);
  syscall(SYS_close, fd);
  if (length === -ENOENT) throw fsError(EINVAL, 'readlink', fast);
  if (length < 0) throw fsError(length, 'readlink', fast);
  return decode(req.slot.data, length, encoding);
}

/**
 * "/proc/<pid>/fd/N\0" for each fd number seen, encoded once: realpath reads that link, and
 * building and encoding the string per call was a quarter of realpath's JavaScript outside the
 * executor (the numbers repeat: each call closes its fd before the next opens one).
 */
const procFdPaths: Uint8Array[] = [];
const encoder = new TextEncoder();
let procFdDirectory: string | undefined;

function procFdPath(fd: number): Uint8Array {
  return (procFdPaths[fd] ??= encoder.encode(`${procFdDirectory ??= procFdDirectoryName()}${fd}\0`));
}

/**
 * An O_PATH fd of the directory {@link procFdDirectoryName} names, opened by the first direct
 * realpath and held for the life of the process (or worker): readlinkat(dirfd, "N") looks up one
 * procfs component where "/proc/<pid>/fd/N" looks up four (the root's "proc", the pid's directory
 * with its revalidation, "fd" with its access check, then N). In C on the 2-core EPYC VM, 10,000
 * cached links, best of 5 × 3: open + readlink + close 7.02–7.12 µs per call against 7.67–7.83;
 * in JavaScript the calling thread's CPU per 10,000 realpaths fell 6–7 % (see docs/fs.md,
 * "Session 11: fs11"). Like the engine's ring and eventfd, the fd is the library's: a program that
 * closes numbers it does not own breaks it. A number reused for something else fails the
 * readlinkat (ENOTDIR; ENOENT, which makes realpath Node's from then on) rather than answer.
 * -1 while not open; {@link procFdDirFailed} once opening it failed for good (EMFILE and ENFILE
 * are tried again on the next call).
 */
let procFdDirFd = -1;
let procFdDirFailed = false;
/** "N\0" for each fd number seen, encoded once (the numbers repeat, as in procFdPaths). */
const fdNames: Uint8Array[] = [];

function fdName(fd: number): Uint8Array {
  return (fdNames[fd] ??= encoder.encode(`${fd}\0`));
}

/**
 * procFdDirectoryFd - the held O_PATH fd of this process's fd directory, opened on first use
 * through the request's second path buffer (which the caller fills next), or -1 (use the full
 * "/proc/<pid>/fd/N" path).
 */
function procFdDirectoryFd(req: Request): number {
  if (procFdDirFd >= 0 || procFdDirFailed) return procFdDirFd;
  req.slot.paths[1].set(encoder.encode(`${(procFdDirectory ??= procFdDirectoryName()).slice(0, -1)}\0`));
  const fd = syscall(SYS_openat, AT_FDCWD, req.slot.pathAddresses[1], O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0) {
    procFdDirFd = fd;
    // A worker thread's module instance goes with the worker: its fd should not outlive it.
    process.once('exit', () => {
      syscall(SYS_close, procFdDirFd);
      procFdDirFd = -1;
      procFdDirFailed = true;
    });
  } else if (!outOfFds(fd)) {
    procFdDirFailed = true;
  }
  return procFdDirFd;
}

/** The calls readlink and realpath make directly when the policy allows them all. */
const DIRECT_CALLS: readonly number[] = [SYS_openat, SYS_readlinkat, SYS_close];

/** Whether /proc/self/fd can name an fd here (checked once, on the first realpath). */
let procFdWorks: boolean | null = null;

/** realpath - fsp.realpath on the syslet path (node:fs/promises's when /proc is not mounted). */
export function realpath(engine: Engine, path: unknown, options?: unknown): Promise<string | Buffer> {
  const fast = fastPath(path);
  const encoding = resultEncoding(options);
  if (fast === undefined || encoding === undefined || procFdWorks === false) return nodeFs.realpath(path as string, options as never);
  // In a burst (once a first call has shown that /proc names fds here), a share of the calls go
  // to a cachemiss thread in batches: fs/link-burst.ts.
  if (procFdWorks === true) {
    // On the io_uring engine, its open as a ring request (fs/link-ring.ts), once the first direct
    // realpath has opened the /proc fd directory the completion names the fd in.
    if (procFdDirFd >= 0) {
      if (burstOpenOnRing(engine, 'realpath')) {
        const ring = linkOnRing(engine, 'realpath', fast, options, encoding, procFdDirFd);
        if (ring !== null) return ring;
      }
      // A call the ring does not take now (full) is made here, not in a batch: link-ring.ts.
      if (ringTakesLinkBursts(engine)) return realpathInline(engine, path, options);
    }
    const batched = realpathInBatch(engine, fast, path, options, encoding, realpathInline);
    if (batched !== null) return batched;
  }
  return realpathInline(engine, path, options);
}

/** realpath on the calling thread (direct calls, or the chains): {@link realpath} outside a batch. */
async function realpathInline(engine: Engine, path: unknown, options?: unknown): Promise<string | Buffer> {
  const fast = fastPath(path);
  const encoding = resultEncoding(options);
  if (fast === undefined || encoding === undefined || procFdWorks === false) return nodeFs.realpath(path as string, options as never);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  let fd = -1;
  try {
    const bad = putPaths(req, fast);
    // A path of PATH_MAX bytes or more (or a name past NAME_MAX) that the kernel refuses whole may
    // still resolve: Node's realpath is glibc's, which looks it up a component at a time
    // ('./' 2,048 times then 'f' is 'f'). Before, these answered ENAMETOOLONG where Node's named
    // the file (or said ENOENT for a missing component).
    if (bad === ENAMETOOLONG) return await nodeFs.realpath(fast as string, options as never);
    if (bad !== 0) throw fsError(bad, 'realpath', fast);
    const direct = directCallsAllowed(engine, DIRECT_CALLS);
    const cached = direct ? openCached(req, O_PATH | O_CLOEXEC) : NOT_CACHED;
    fd = cached !== NOT_CACHED ? cached : await openPath(req, fast);
    if (outOfFds(fd) || fd === -ENAMETOOLONG) return await nodeFs.realpath(fast as string, options as never);
    if (fd < 0) throw fsError(fd, 'realpath', fast);
    let length: number;
    if (direct) {
      // Both calls answer from memory (procfs, a close of an O_PATH fd): made here, they cost two
      // syscalls; as a second chain they cost a submission too, which was 15 % of a cached
      // realpath's CPU (min of 15 runs, 8 alternated pairs: 59.0–90.1 against 64.3–111.4 ms per
      // 10,000 links).
      const directory = procFdDirectoryFd(req);
      req.slot.paths[1].set(directory >= 0 ? fdName(fd) : procFdPath(fd));
      length = syscall(SYS_readlinkat, directory >= 0 ? directory : AT_FDCWD, req.slot.pathAddresses[1], req.slot.dataAddress, TARGET_BYTES);
      syscall(SYS_close, fd);
      fd = -1;
    } else {
      req.slot.paths[1].set(procFdPath(fd));
      const named = fsFdPath.acquire(engine);
      try {
        named.set(0, req.slot.pathAddresses[1]);
        named.set(1, req.slot.dataAddress);
        named.set(2, TARGET_BYTES);
        named.set(3, fd);
        const wait = submitted(req.run(fsFdPath, named), 'realpath', fast);
        if (wait !== null) await wait;
        if (ran(named, FD_PATH.close)) fd = -1;
        length = result(named, FD_PATH.readlink);
      } finally {
        named.release();
      }
    }
    // The kernel names a file it cannot reach from this root as "(unreachable)/..." and one
    // with no path at all (a pipe, an anonymous inode) without a leading slash: neither can
    // come from a path lookup, but Node's answer is what counts then.
    if (length < 0 || req.slot.data[0] !== 0x2f) {
      procFdWorks = length === -ENOENT ? false : procFdWorks;
      return await nodeFs.realpath(path as string, options as never);
    }
    procFdWorks = true;
    return decode(req.slot.data, length, encoding);
  } finally {
    if (fd >= 0) await closeFd(req, fd);
    req.end();
  }
}

/** The fs.openPath chain: realpath's O_PATH open of a path the dcache alone cannot resolve. */
async function openPath(req: Request, fast: FastPath): Promise<number> {
  const open = fsOpenPath.acquire(req.engine);
  try {
    open.set(0, req.slot.pathAddresses[0]);
    const wait = submitted(req.run(fsOpenPath, open), 'realpath', fast);
    if (wait !== null) await wait;
    return result(open, 0);
  } finally {
    open.release();
  }
}

/** close(fd) in a chain of its own, for an fd the realpath chains did not get to close. */
async function closeFd(req: Request, fd: number): Promise<void> {
  const instance = fileClose.acquire(req.engine);
  try {
    instance.set(0, fd);
    const wait = submitted(req.run(fileClose, instance), 'close');
    if (wait !== null) await wait;
  } finally {
    instance.release();
  }
}
