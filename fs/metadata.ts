/**
 * Metadata and namespace calls: stat, lstat, access, unlink, rm, rename (mkdir and readdir are
 * node:fs/promises's own: fs/index.ts). Each is one chain (fs/chains.ts); what Node validates or does beyond the common
 * case goes to node:fs/promises unchanged (see args.ts), so its errors and edge cases stay
 * Node's own.
 */
import type { Stats } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { ENOENT, syscall as callSyscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { PATH_MAX } from '../engine/syscalls/abi.js';
import { Request } from '../plugins/requests.js';
import { fastPath, type FastPath } from './args.js';
import {
  BY_PATH, fsAccess, fsRename, fsStat, fsUnlink,
} from './chains.js';
import { AT_EMPTY_PATH, O_CLOEXEC, O_NOFOLLOW, O_PATH, S_IFDIR, S_IFMT } from '../engine/syscalls/constants.generated.js';
import { ended, putPaths, result, scratchView, submitted, take } from './core.js';
import { directCallsAllowed, EMPTY_PATH_AT, NOT_CACHED, openCached, outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { burstStatOnRing, statOnRing } from './stat-burst.js';
import { STATX_BYTES, STATX_MASK, statsFromStatx } from './stats.js';


/** The calls of fs.stat, made directly when the policy allows them all. */
const STAT_DIRECT_CALLS: readonly number[] = [NR.openat, NR.statx, NR.close];
/** The calls of fs.access, made directly (as stat's are) when the policy allows them all. */
const ACCESS_DIRECT_CALLS: readonly number[] = [NR.openat, NR.faccessat2, NR.close];
const SYS_statx = NR.statx;
const SYS_faccessat2 = NR.faccessat2;
const SYS_close = NR.close;

/** A DataView over each slot's data area (where a direct stat's struct statx goes), made once per slot. */
const slotViews = new WeakMap<Buffer, DataView>();

function slotView(data: Buffer): DataView {
  let view = slotViews.get(data);
  if (view === undefined) {
    view = new DataView(data.buffer, data.byteOffset, STATX_BYTES);
    slotViews.set(data, view);
  }
  return view;
}

/**
 * statDirect - fs.stat's three calls made directly on the calling thread (fs/direct.ts): the
 * O_PATH openat2 with RESOLVE_CACHED, statx on the fd and close, for a path already in the slot.
 *
 * @returns the Stats, or null when the dcache could not resolve the path alone (the chain then
 *   runs, and its open goes to the ring or a cachemiss thread).
 */
function statDirect(req: Request, follow: boolean, syscall: 'stat' | 'lstat', path: FastPath, bigint: boolean): Stats | null {
  const fd = openCached(req, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  if (fd === NOT_CACHED) return null;
  if (fd < 0) throw fsError(fd, syscall, path);
  const status = callSyscall(SYS_statx, fd, req.slot.pathAddresses[1] + EMPTY_PATH_AT, AT_EMPTY_PATH, STATX_MASK, req.slot.dataAddress);
  callSyscall(SYS_close, fd);
  if (status < 0) throw fsError(status, syscall, path);
  return statsFromStatx(slotView(req.slot.data), 0, bigint);
}

/** statPath - stat or lstat through fs.stat (O_PATH open, statx on the fd, close). */
async function statPath(engine: Engine, path: FastPath, follow: boolean, syscall: 'stat' | 'lstat', bigint: boolean): Promise<Stats> {
  // Awaited only when the window is full or the chain went to a cachemiss thread: a cached stat
  // completes inside this call, with no await (no extra Promise, no microtask turn).
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, path);
    if (bad !== 0) throw fsError(bad, syscall, path);
    if (directCallsAllowed(engine, STAT_DIRECT_CALLS)) {
      const stats = statDirect(req, follow, syscall, path, bigint);
      if (stats !== null) return stats;
    }
    const instance = fsStat.acquire(engine);
    try {
      instance.set(0, req.slot.pathAddresses[0]);
      instance.set(1, O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
      const wait = submitted(req.run(fsStat, instance), syscall, path);
      const notTaken = wait !== null && (await ended(wait, fsStat, instance, syscall, path));
      const opened = result(instance, BY_PATH.open);
      if (notTaken || outOfFds(opened)) return await (follow ? nodeFs.stat : nodeFs.lstat)(path as string, { bigint }) as Stats;
      if (opened < 0) throw fsError(opened, syscall, path);
      const status = result(instance, BY_PATH.call);
      // statx on the O_PATH fd needed a cachemiss thread and none could start (core.ts atTheFdLimit).
      if (outOfFds(status)) return await (follow ? nodeFs.stat : nodeFs.lstat)(path as string, { bigint }) as Stats;
      if (status < 0) throw fsError(status, syscall, path);
      const { view, at } = scratchView(engine, instance, 'stx', STATX_BYTES);
      return statsFromStatx(view, at, bigint);
    } finally {
      instance.release();
    }
  } finally {
    req.end();
  }
}

function bigintOption(options: unknown): boolean | undefined {
  if (options === undefined) return false;
  if (options === null || (typeof options !== 'object' && typeof options !== 'function')) return undefined;
  return (options as { bigint?: unknown }).bigint === true;
}

/** stat - fsp.stat on the syslet path. */
export function stat(engine: Engine, path: unknown, options?: unknown): Promise<Stats> {
  const fast = fastPath(path);
  const bigint = bigintOption(options);
  if (fast === undefined || bigint === undefined) return nodeFs.stat(path as string, options as object);
  return (burstStatOnRing(engine) ? statOnRing(engine, fast, true, 'stat', bigint) : null) ?? statPath(engine, fast, true, 'stat', bigint);
}

/** lstat - fsp.lstat on the syslet path. */
export function lstat(engine: Engine, path: unknown, options?: unknown): Promise<Stats> {
  const fast = fastPath(path);
  const bigint = bigintOption(options);
  if (fast === undefined || bigint === undefined) return nodeFs.lstat(path as string, options as object);
  return (burstStatOnRing(engine) ? statOnRing(engine, fast, false, 'lstat', bigint) : null) ?? statPath(engine, fast, false, 'lstat', bigint);
}

/**
 * access - fsp.access on the syslet path (mode: an integer 0..7, default F_OK): for a cached
 * path, fs.access's three calls made directly (fs/direct.ts), else the chain.
 */
export async function access(engine: Engine, path: unknown, mode?: unknown): Promise<void> {
  const fast = fastPath(path);
  const bits = mode === undefined ? 0 : mode;
  if (fast === undefined || typeof bits !== 'number' || !Number.isInteger(bits) || bits < 0 || bits > 7) {
    return nodeFs.access(path as string, mode as number);
  }
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, fast);
    if (bad !== 0) throw fsError(bad, 'access', fast);
    if (directCallsAllowed(engine, ACCESS_DIRECT_CALLS)) {
      const fd = openCached(req, O_PATH | O_CLOEXEC);
      if (fd !== NOT_CACHED) {
        if (fd < 0) throw fsError(fd, 'access', fast);
        const status = callSyscall(SYS_faccessat2, fd, req.slot.pathAddresses[1] + EMPTY_PATH_AT, bits, AT_EMPTY_PATH);
        callSyscall(SYS_close, fd);
        if (status < 0) throw fsError(status, 'access', fast);
        return;
      }
    }
    const instance = fsAccess.acquire(engine);
    try {
      instance.set(0, req.slot.pathAddresses[0]);
      instance.set(1, O_PATH | O_CLOEXEC);
      instance.set(2, bits);
      const wait = submitted(req.run(fsAccess, instance), 'access', fast);
      const notTaken = wait !== null && (await ended(wait, fsAccess, instance, 'access', fast));
      const opened = result(instance, BY_PATH.open);
      if (notTaken || outOfFds(opened)) return await nodeFs.access(fast as string, bits);
      if (opened < 0) throw fsError(opened, 'access', fast);
      const status = result(instance, BY_PATH.call);
      if (outOfFds(status)) return await nodeFs.access(fast as string, bits);
      if (status < 0) throw fsError(status, 'access', fast);
    } finally {
      instance.release();
    }
  } finally {
    req.end();
  }
}

/**
 * One-path call that answers 0 or -errno (unlinkat).
 * @returns false when the engine could not make the call: for want of fds (EMFILE, ENFILE: on the
 *   threads engine no cachemiss thread could start; the call itself takes no fd), or no thread
 *   took it (core.ts unserved): make Node's.
 */
async function pathCall(engine: Engine, plugin: typeof fsUnlink, path: FastPath, second: number, syscall: string): Promise<boolean> {
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, path);
    if (bad !== 0) throw fsError(bad, syscall, path);
    const instance = plugin.acquire(engine);
    try {
      instance.set(0, req.slot.pathAddresses[0]);
      instance.set(1, second);
      const wait = submitted(req.run(plugin, instance), syscall, path);
      const notTaken = wait !== null && (await ended(wait, plugin, instance, syscall, path));
      const status = result(instance, 0);
      if (notTaken || outOfFds(status)) return false;
      if (status < 0) throw fsError(status, syscall, path);
      return true;
    } finally {
      instance.release();
    }
  } finally {
    req.end();
  }
}

/** unlink - fsp.unlink on the syslet path. */
export async function unlink(engine: Engine, path: unknown): Promise<void> {
  const fast = fastPath(path);
  if (fast === undefined || !(await pathCall(engine, fsUnlink, fast, 0, 'unlink'))) return nodeFs.unlink(path as string);
}

/**
 * Whether the kernel refuses `path` while copying it in (empty: ENOENT; PATH_MAX bytes or more:
 * ENAMETOOLONG), before any lookup. rename(2) looks the old path up before it copies the new one
 * in, so `rename('f/x', '')` with f a file answers ENOTDIR; an io_uring RENAMEAT copies both in
 * first and answers ENOENT. Such a pair goes to Node, which makes rename(2).
 */
function refusedBeforeLookup(path: FastPath): boolean {
  if (path.length === 0) return true;
  return path.length * 3 >= PATH_MAX && (typeof path === 'string' ? Buffer.byteLength(path) : path.length) >= PATH_MAX;
}

/** rename - fsp.rename on the syslet path (renameat). */
export async function rename(engine: Engine, oldPath: unknown, newPath: unknown): Promise<void> {
  const from = fastPath(oldPath);
  const to = fastPath(newPath);
  if (from === undefined || to === undefined || refusedBeforeLookup(from) || refusedBeforeLookup(to)) return nodeFs.rename(oldPath as string, newPath as string);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, from, to);
    if (bad !== 0) throw fsError(bad, 'rename', from, to);
    const instance = fsRename.acquire(engine);
    try {
      instance.set(0, req.slot.pathAddresses[0]);
      instance.set(1, req.slot.pathAddresses[1]);
      const wait = submitted(req.run(fsRename, instance), 'rename', from);
      const notTaken = wait !== null && (await ended(wait, fsRename, instance, 'rename', from));
      const status = result(instance, 0);
      // (renameat takes no fd: see pathCall.)
      if (notTaken || outOfFds(status)) return await nodeFs.rename(oldPath as string, newPath as string);
      if (status < 0) throw fsError(status, 'rename', from, to);
    } finally {
      instance.release();
    }
  } finally {
    req.end();
  }
}

const RM_OPTION_KEYS = new Set(['force', 'recursive', 'maxRetries', 'retryDelay']);

/**
 * rm - fsp.rm on the syslet path for a file (lstat, then unlink), `force` honoured. A directory,
 * `recursive`, and an unlink that fails other than with ENOENT go to Node (its rimraf retries,
 * falls back to rmdir and raises ERR_FS_EISDIR), which answers exactly as it would have.
 */
export async function rm(engine: Engine, path: unknown, options?: unknown): Promise<void> {
  const fast = fastPath(path);
  const opts = options === undefined ? {} : options;
  const plain = typeof opts === 'object' && opts !== null && Object.keys(opts).every((key) => RM_OPTION_KEYS.has(key));
  const given: Record<string, unknown> = plain ? (opts as Record<string, unknown>) : {};
  const { force = false, recursive = false, maxRetries = 0, retryDelay = 100 } = given;
  const valid = plain && typeof force === 'boolean' && recursive === false && Number.isInteger(maxRetries) && (maxRetries as number) >= 0 && (maxRetries as number) <= 0xffffffff && Number.isInteger(retryDelay) && (retryDelay as number) >= 0 && (retryDelay as number) < 2 ** 31;
  if (fast === undefined || !valid) return nodeFs.rm(path as string, options as object);
  let mode: number;
  try {
    mode = Number((await statPath(engine, fast, false, 'lstat', false)).mode);
  } catch (error) {
    if (force && (error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & S_IFMT) === S_IFDIR) return nodeFs.rm(path as string, options as object);
  try {
    if (!(await pathCall(engine, fsUnlink, fast, 0, 'unlink'))) return nodeFs.rm(path as string, options as object);
  } catch (error) {
    if ((error as { errno?: number }).errno === -ENOENT) return;
    return nodeFs.rm(path as string, options as object);
  }
}

