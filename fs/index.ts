/**
 * syslet-aio/fs — node:fs/promises on canned syslets, for a team that wants to switch with one
 * import:
 *
 * ```ts
 * import { readFile, stat, open } from 'syslet-aio/fs'; // was: from 'node:fs/promises'
 * ```
 *
 * Same functions, overloads, options, results (Node's own Stats, BigIntStats and Dirent classes)
 * and errors (`errno`, `code`, `syscall`, `path`, `dest`, Node's messages, AbortError). The calls
 * a server makes most are served by syslets — a cached small file is open, fstat, read and close
 * in one chain, inline, with no thread hop — and every other call, option or argument goes to
 * node:fs/promises unchanged (the list is in docs/fs.md).
 *
 * All calls run on one shared engine, created on first use; it never keeps the process alive
 * when idle. `createFs(engine)` gives the same functions on an engine of your own.
 */
import * as nodeFs from 'node:fs/promises';
import { Engine } from '../engine/engine.js';
import { SyscallError } from '../engine/errors.js';
import { outOfFds } from './direct.js';
import { access as accessOn, lstat as lstatOn, rename as renameOn, rm as rmOn, stat as statOn, unlink as unlinkOn } from './metadata.js';
import { readlink as readlinkOn, realpath as realpathOn } from './links.js';
import { open as openOn } from './open.js';
import { appendFile as appendFileOn, copyFile as copyFileOn, readFile as readFileOn, truncate as truncateOn, writeFile as writeFileOn } from './read-write.js';

import { FileHandle as SysletFileHandle } from './file-handle.js';

/**
 * FileHandle - the class of the handles open() makes on syslets, for `instanceof`: a handle open()
 * answers is one of these, or Node's own where it handed the call to node:fs/promises (arguments
 * this layer does not take, the fd limit). Its constructor is not public.
 *
 * @example
 * ```ts
 * const handle = await open('hello.txt');
 * console.log(handle instanceof FileHandle); // true: its methods run on syslets
 * ```
 */
export const FileHandle: typeof SysletFileHandle = SysletFileHandle;
/**
 * The type of a handle open() answers: node:fs/promises's FileHandle, which both kinds of handle
 * are, so that code typed against Node's (`const handle: FileHandle = await open(path)`) type-checks
 * with this module in the import. (It was the class, whose private members Node's type lacks.)
 */
export type FileHandle = nodeFs.FileHandle;
/** The other types node:fs/promises exports, so that an import list naming them switches too. */
export type {
  CreateReadStreamOptions, CreateWriteStreamOptions, FileChangeInfo, FileReadOptions, FileReadResult, FlagAndOpenMode, ReadableWebStreamOptions,
} from 'node:fs/promises';
export { DEFAULT_REQUEST_WINDOW, requestStats, setRequestWindow, type RequestStats } from '../plugins/requests.js';

type NodeFs = typeof nodeFs;

/**
 * The functions of node:fs/promises, as syslet-aio/fs gives them: the served ones on syslets,
 * the rest (`watch`, `cp`, `opendir`, `chmod`...) node:fs/promises's own.
 */
export interface SysletFs {
  /** fsp.access: openat(O_PATH) + faccessat2 + close, one chain. */
  readonly access: NodeFs['access'];
  /** fsp.appendFile: writeFile with flag 'a'. */
  readonly appendFile: NodeFs['appendFile'];
  /** fsp.copyFile: open both, copy_file_range loop, ftruncate, close both, one chain. */
  readonly copyFile: NodeFs['copyFile'];
  /** fsp.lstat: openat(O_PATH|O_NOFOLLOW) + statx(AT_EMPTY_PATH) + close, one chain (in a deep burst, partly statx ring requests). */
  readonly lstat: NodeFs['lstat'];
  /** Node's own mkdir (faster there than a hand-off of mkdirat: docs/fs.md). */
  readonly mkdir: NodeFs['mkdir'];
  /** fsp.open: openat + fstat, one chain; a {@link FileHandle} on syslets. */
  readonly open: NodeFs['open'];
  /** fsp.readFile: openat + fstat + read + close, one chain for a file up to 64 KiB. */
  readonly readFile: NodeFs['readFile'];
  /** Node's own readdir (faster there: libuv's scandir parses and sorts in C; docs/fs.md). */
  readonly readdir: NodeFs['readdir'];
  /** fsp.rename: renameat. */
  readonly rename: NodeFs['rename'];
  /** fsp.rm: lstat + unlinkat for a file (directories and recursive: Node's). */
  readonly rm: NodeFs['rm'];
  /** fsp.stat: openat(O_PATH) + statx(AT_EMPTY_PATH) + close, one chain (in a deep burst, partly statx ring requests). */
  readonly stat: NodeFs['stat'];
  /** fsp.truncate: openat(O_RDWR) + ftruncate + close, one chain. */
  readonly truncate: NodeFs['truncate'];
  /** fsp.unlink: unlinkat. */
  readonly unlink: NodeFs['unlink'];
  /** fsp.writeFile: openat + write loop [+ fsync] + close, one chain (more than 64 KiB: Node's). */
  readonly writeFile: NodeFs['writeFile'];
  /** fsp.readlink: openat(O_PATH|O_NOFOLLOW) + readlinkat(fd, "") + close, direct calls when the path is cached, else one chain. */
  readonly readlink: NodeFs['readlink'];
  /** fsp.realpath: openat(O_PATH), then readlinkat("/proc/self/fd/N") + close (without /proc: Node's). */
  readonly realpath: NodeFs['realpath'];
  /** Node's own: chmod and the rest below are delegated (docs/fs.md says why). */
  /** Node's own chmod. */
  readonly chmod: NodeFs['chmod'];
  /** Node's own chown. */
  readonly chown: NodeFs['chown'];
  /** Node's own cp. */
  readonly cp: NodeFs['cp'];
  /** Node's own lchmod. */
  readonly lchmod: NodeFs['lchmod'];
  /** Node's own lchown. */
  readonly lchown: NodeFs['lchown'];
  /** Node's own link. */
  readonly link: NodeFs['link'];
  /** Node's own lutimes. */
  readonly lutimes: NodeFs['lutimes'];
  /** Node's own mkdtemp. */
  readonly mkdtemp: NodeFs['mkdtemp'];
  /** Node's own opendir. */
  readonly opendir: NodeFs['opendir'];
  /** Node's own rmdir. */
  readonly rmdir: NodeFs['rmdir'];
  /** Node's own statfs. */
  readonly statfs: NodeFs['statfs'];
  /** Node's own symlink. */
  readonly symlink: NodeFs['symlink'];
  /** Node's own utimes. */
  readonly utimes: NodeFs['utimes'];
  /** Node's own watch. */
  readonly watch: NodeFs['watch'];
  /** Node's own glob where the running Node has one (22 and later), undefined before, as there. */
  readonly glob: NodeGlob;
  /** node:fs's constants. */
  readonly constants: NodeFs['constants'];
}

/**
 * node:fs/promises's glob (Node 22 and later; this package's types are Node 20's, which lack it):
 * an async iterator of the matching paths, or Dirents with `withFileTypes`.
 */
export type NodeGlob = ((pattern: string | readonly string[], options?: Readonly<Record<string, unknown>>) => AsyncIterableIterator<unknown>) | undefined;

/** Node's functions that syslet-aio/fs hands on unchanged. */
function delegated(): Omit<SysletFs, 'access' | 'appendFile' | 'copyFile' | 'lstat' | 'open' | 'readFile' | 'readlink' | 'realpath' | 'rename' | 'rm' | 'stat' | 'truncate' | 'unlink' | 'writeFile'> {
  return {
    chmod: nodeFs.chmod, chown: nodeFs.chown, cp: nodeFs.cp, lchmod: nodeFs.lchmod,
    lchown: nodeFs.lchown, link: nodeFs.link, lutimes: nodeFs.lutimes, mkdir: nodeFs.mkdir, mkdtemp: nodeFs.mkdtemp, opendir: nodeFs.opendir,
    // readdir and mkdir are Node's: a readdir of 12 names cost 2.5-4x Node's CPU and a mkdir ~2x on
    // syslets (session 30: getdents64 and mkdirat can always wait, so each call was a hand-off to a
    // cachemiss thread or io-wq, and readdir's names were parsed and sorted in JavaScript where
    // libuv's scandir does it in C); on io_uring a readdir also started a cachemiss thread.
    readdir: nodeFs.readdir, rmdir: nodeFs.rmdir,
    statfs: nodeFs.statfs, symlink: nodeFs.symlink, utimes: nodeFs.utimes, watch: nodeFs.watch, constants: nodeFs.constants,
    // Named on Node 22's module only: a switched `import { glob }` must link there (hunt25).
    glob: (nodeFs as { readonly glob?: NodeGlob }).glob,
  };
}

/**
 * Whether Node's permission model is on (`--experimental-permission`, `--permission`): node:fs
 * checks each path against `--allow-fs-read`/`--allow-fs-write`, and a syslet's own syscalls are
 * not checked (a native addon, allowed with `--allow-addons`, is outside the model). So with the
 * model on, every function is node:fs/promises's own, and what the process may touch stays what
 * the flags say: syslet-aio/fs's writeFile wrote where Node's answered ERR_ACCESS_DENIED.
 */
const PERMISSION_MODEL = (process as { permission?: unknown }).permission !== undefined;

/** A call on an engine: the engine first, then the call's own arguments (at most three). */
type OnEngine = (engine: Engine, a: unknown, b: unknown, c: unknown) => Promise<unknown>;
/** The same call on node:fs/promises. */
type OnNode = (a: unknown, b: unknown, c: unknown) => Promise<unknown>;

/**
 * Whether making the engine failed only for want of fds (EMFILE, ENFILE: its eventfd or ring
 * could not be had). Node's calls then still answer as they would: a path call that needs no fd
 * in Node succeeds, one that needs one fails with Node's own EMFILE.
 */
function engineOutOfFds(error: unknown): boolean {
  return error instanceof SyscallError && outOfFds(error.errno);
}

/** A rejected Promise of what was thrown (our code throws Errors; anything else is wrapped in one). */
function rejection(thrown: unknown): Promise<never> {
  return Promise.reject(thrown instanceof Error ? thrown : new Error(String(thrown)));
}

/**
 * One of the module's functions on the engine `engine()` returns (called on every call: the
 * shared one is made on first use). Like Node's, it never throws: whatever goes wrong — making
 * the engine included — is a rejection. When the engine cannot be made for want of fds, the
 * call is node:fs/promises's (and the engine is tried again on the next call).
 */
function guarded(engine: () => Engine, on: OnEngine, node: OnNode) {
  if (PERMISSION_MODEL) return node;
  return (a?: unknown, b?: unknown, c?: unknown): Promise<unknown> => {
    let made: Engine;
    try {
      made = engine();
    } catch (error) {
      return engineOutOfFds(error) ? node(a, b, c) : rejection(error);
    }
    try {
      return on(made, a, b, c);
    } catch (error) {
      return rejection(error);
    }
  };
}

/** The functions on the engine `engine()` returns (see {@link guarded}). */
function bind(engine: () => Engine): SysletFs {
  const call = (on: OnEngine, node: OnNode) => guarded(engine, on, node);
  return {
    access: call(accessOn, nodeFs.access as OnNode) as NodeFs['access'],
    appendFile: call(appendFileOn, nodeFs.appendFile as OnNode) as NodeFs['appendFile'],
    copyFile: call(copyFileOn, nodeFs.copyFile as OnNode) as NodeFs['copyFile'],
    lstat: call(lstatOn, nodeFs.lstat as OnNode) as NodeFs['lstat'],
    open: call(openOn, nodeFs.open as OnNode) as NodeFs['open'],
    readFile: call(readFileOn, nodeFs.readFile as OnNode) as NodeFs['readFile'],
    readlink: call(readlinkOn, nodeFs.readlink as OnNode) as NodeFs['readlink'],
    realpath: call(realpathOn, nodeFs.realpath as OnNode) as NodeFs['realpath'],
    rename: call(renameOn, nodeFs.rename as OnNode) as NodeFs['rename'],
    rm: call(rmOn, nodeFs.rm as OnNode) as NodeFs['rm'],
    stat: call(statOn, nodeFs.stat as OnNode) as NodeFs['stat'],
    truncate: call(truncateOn, nodeFs.truncate as OnNode) as NodeFs['truncate'],
    unlink: call(unlinkOn, nodeFs.unlink as OnNode) as NodeFs['unlink'],
    writeFile: call(writeFileOn, nodeFs.writeFile as OnNode) as NodeFs['writeFile'],
    ...delegated(),
  };
}

/**
 * createFs - the functions of syslet-aio/fs on `engine` instead of the shared one: for a program
 * that wants its own policy, thread count or request window (`setRequestWindow(engine, n)`).
 *
 * @param engine - an open engine; closing it makes the calls in flight on it and later calls
 *   reject with ESHUTDOWN (the files the calls in flight had opened are closed).
 * @returns an object with every function of node:fs/promises.
 * @throws TypeError when `engine` is not an Engine.
 * @example
 * ```ts
 * import { Engine } from 'syslet-aio';
 * import { createFs } from 'syslet-aio/fs';
 * const engine = new Engine({ threads: 4 });
 * const fs = createFs(engine);
 * const hostname = await fs.readFile('/etc/hostname', 'utf8');
 * await engine.close();
 * ```
 */
export function createFs(engine: Engine): SysletFs {
  if (!(engine instanceof Engine)) throw new TypeError('createFs: expected an Engine');
  return bind(() => engine);
}

let shared: Engine | null = null;

/**
 * How long the shared engine's idle cachemiss threads linger. A cachemiss thread is a worker
 * thread that loads the engine (tens of ms warm, far more right after a page-cache drop), so the
 * engine's default of 1 s (glibc's aio_idle_time) made a server that pauses for a second pay that
 * start-up again on its next burst of uncached opens. libuv keeps its pool for the life of the
 * process; a minute is the compromise: idle threads are unref'd and never hold the process.
 */
const SHARED_IDLE_MS = 60_000;

/**
 * sharedEngine - the engine the module's own functions run on, created on first use (default
 * thread bound, idle cachemiss threads kept for a minute). It keeps the process alive only while
 * chains are in flight, so there is no need to close it. If a program closes it anyway (a test's
 * teardown), the calls in flight and the FileHandles opened on it fail with ESHUTDOWN, and the
 * next call makes a new one (with the defaults again: a request window set on the old one is gone).
 *
 * @returns the process's shared Engine (the same object on every call until it is closed).
 * @example
 * ```ts
 * import { sharedEngine, setRequestWindow } from 'syslet-aio/fs';
 * setRequestWindow(sharedEngine(), 256); // more requests in flight before the rest queue
 * ```
 */
export function sharedEngine(): Engine {
  // A closed one is replaced: every later call of the module failed with ESHUTDOWN for the life
  // of the process (hunt28).
  if (shared === null || shared.closed) shared = new Engine({ idleTimeMs: SHARED_IDLE_MS });
  return shared;
}

const fs = bind(sharedEngine);

/** fsp.access on the shared engine: openat(O_PATH) + faccessat2(AT_EMPTY_PATH) + close. */
export const access: NodeFs['access'] = fs.access;
/** fsp.appendFile on the shared engine. */
export const appendFile: NodeFs['appendFile'] = fs.appendFile;
/** fsp.copyFile on the shared engine: one chain as libuv's copyfile (copy_file_range, sendfile fallback). */
export const copyFile: NodeFs['copyFile'] = fs.copyFile;
/** fsp.lstat on the shared engine. */
export const lstat: NodeFs['lstat'] = fs.lstat;
/** Node's own mkdir (faster there: docs/fs.md). */
export const mkdir: NodeFs['mkdir'] = fs.mkdir;
/** fsp.open on the shared engine: a {@link FileHandle} whose methods are syslets. */
export const open: NodeFs['open'] = fs.open;
/** fsp.readFile on the shared engine. */
export const readFile: NodeFs['readFile'] = fs.readFile;
/** Node's own readdir (faster there: docs/fs.md). */
export const readdir: NodeFs['readdir'] = fs.readdir;
/** fsp.rename on the shared engine. */
export const rename: NodeFs['rename'] = fs.rename;
/** fsp.rm on the shared engine (directories, recursive: Node's). */
export const rm: NodeFs['rm'] = fs.rm;
/** fsp.stat on the shared engine. */
export const stat: NodeFs['stat'] = fs.stat;
/** fsp.truncate on the shared engine. */
export const truncate: NodeFs['truncate'] = fs.truncate;
/** fsp.unlink on the shared engine. */
export const unlink: NodeFs['unlink'] = fs.unlink;
/** fsp.writeFile on the shared engine. */
export const writeFile: NodeFs['writeFile'] = fs.writeFile;
/** fsp.readlink on the shared engine: openat(O_PATH|O_NOFOLLOW) + readlinkat(fd, "") + close. */
export const readlink: NodeFs['readlink'] = fs.readlink;
/** fsp.realpath on the shared engine: openat(O_PATH), then readlinkat("/proc/self/fd/N") + close. */
export const realpath: NodeFs['realpath'] = fs.realpath;
/** node:fs/promises's chmod (delegated). */
export const chmod: NodeFs['chmod'] = fs.chmod;
/** node:fs/promises's chown (delegated). */
export const chown: NodeFs['chown'] = fs.chown;
/** node:fs/promises's cp (delegated). */
export const cp: NodeFs['cp'] = fs.cp;
/** node:fs/promises's lchmod (delegated). */
export const lchmod: NodeFs['lchmod'] = fs.lchmod;
/** node:fs/promises's lchown (delegated). */
export const lchown: NodeFs['lchown'] = fs.lchown;
/** node:fs/promises's link (delegated). */
export const link: NodeFs['link'] = fs.link;
/** node:fs/promises's lutimes (delegated). */
export const lutimes: NodeFs['lutimes'] = fs.lutimes;
/** node:fs/promises's mkdtemp (delegated). */
export const mkdtemp: NodeFs['mkdtemp'] = fs.mkdtemp;
/** node:fs/promises's opendir (delegated). */
export const opendir: NodeFs['opendir'] = fs.opendir;
/** node:fs/promises's rmdir (delegated). */
export const rmdir: NodeFs['rmdir'] = fs.rmdir;
/** node:fs/promises's statfs (delegated). */
export const statfs: NodeFs['statfs'] = fs.statfs;
/** node:fs/promises's symlink (delegated). */
export const symlink: NodeFs['symlink'] = fs.symlink;
/** node:fs/promises's utimes (delegated). */
export const utimes: NodeFs['utimes'] = fs.utimes;
/** node:fs/promises's watch (delegated: syslets have no inotify). */
export const watch: NodeFs['watch'] = fs.watch;
/** node:fs's constants. */
export const constants: NodeFs['constants'] = fs.constants;
/** node:fs/promises's glob (delegated; Node 22 and later, undefined on Node 20 as node:fs/promises has none). */
export const glob: NodeGlob = fs.glob;

/** The module as one object, as `import fsp from 'node:fs/promises'` gives it. */
export default fs;
