/**
 * Helpers for callers who have a path string, not an address: they copy the path into engine
 * memory, run a built-in file plugin and hand back plain JavaScript values.
 *
 * The hot path allocates no engine memory. Each engine gets pools of *slots*: one slot is a
 * plugin instance acquired once and kept, plus its path buffers and data area carved from one
 * slab. A request encodes the path in place, fills four parameters, submits, and returns the slot
 * when the chain has ended (never earlier, even when the caller aborted: the chain may still be
 * writing into the slot).
 */
import type { Word } from '../engine/native/index.js';
import { EFBIG, EINVAL, ENAMETOOLONG } from '../engine/native/index.js';
import { Engine, type ChainListener } from '../engine/engine.js';
import { invalidArgType, optionsOf, outOfRange, pathOf, signalOf } from '../engine/arguments.js';
import { abortError, SyscallError } from '../engine/errors.js';
import type { Region } from '../engine/memory.js';
import { COPY, fileCopy, fileReadAll, READ_ALL, STAT_SIZE_OFFSET } from './builtin/file.js';
import { NOT_EXECUTED } from './define.js';
import type { Plugin, PluginInstance } from './plugin.js';

/** PATH_MAX: the longest path the kernel accepts, NUL included. */
export const PATH_BYTES = 4096;
/** The smallest data area of a read slot; requests are rounded up to a power of two from here. */
export const MIN_READ_CAPACITY = 4096;
/** Default `maxBytes` of {@link readFileSyslet}. */
export const DEFAULT_MAX_BYTES = 1 << 20;
/** Largest `maxBytes` accepted (the data area is twice the capacity). */
export const MAX_READ_CAPACITY = 1 << 30;
const SLAB_BYTES = 256 * 1024;

/** Options of the helpers. */
export interface HelperOptions {
  /** Aborting rejects at once with an AbortError (its `cause` the reason); the chain still finishes (a syscall cannot be recalled). */
  readonly signal?: AbortSignal;
}

/** Options of {@link readFileSyslet}: `readFileSyslet(engine, path, { maxBytes, signal })`. */
export interface ReadFileOptions extends HelperOptions {
  /** The largest file accepted, default {@link DEFAULT_MAX_BYTES} (1 MiB); at most 1 GiB. */
  readonly maxBytes?: number;
}

/** Options of {@link copyFileSyslet}: `copyFileSyslet(engine, src, dst, { mode, signal })`. */
export interface CopyFileOptions extends HelperOptions {
  /** The mode `dst` is created with (before the umask), default 0o644. */
  readonly mode?: number;
}

/** A path as `node:fs` takes one: a string, the bytes of one (Buffer, Uint8Array), or a `file:` URL. */
export type PathLike = string | Uint8Array | URL;

/**
 * The error the helpers reject with for a failed call: a {@link SyscallError}, Node's fields
 * (`errno` negative, `code`, `syscall`, `path`) and message. (The name stays for code that
 * imported it before the base class had these fields.)
 */
export type SysletPathError = SyscallError;

/**
 * sysletError - the Error a helper rejects with for a negative atom result.
 *
 * @param result - the atom's result, `-errno`.
 * @param syscall - the failing call, for the message (`'open'`, `'read'`...).
 * @param path - the path involved, if any.
 * @returns the error (not thrown): e.g. `ENOENT: no such file or directory, open '/x'`.
 * @example
 * ```ts
 * if (fd < 0) throw sysletError(fd, 'open', path);
 * ```
 */
export function sysletError(result: number, syscall: string, path?: string): SysletPathError {
  return new SyscallError(result, syscall, path);
}

/** One pooled request context. */
class Slot implements ChainListener {
  readonly pool: SlotPool;
  readonly instance: PluginInstance;
  readonly paths: Uint8Array[];
  readonly pathAddresses: number[];
  /** The data area (empty for plugins that have none) and its address. */
  readonly data: Uint8Array;
  readonly dataAddress: number;
  resolve: ((slot: Slot) => void) | null = null;
  reject: ((error: Error) => void) | null = null;
  aborted = false;
  signal: AbortSignal | undefined = undefined;
  readonly onAbort = (): void => {
    this.aborted = true;
    const reject = this.reject;
    this.resolve = null;
    this.reject = null;
    if (this.signal !== undefined) reject?.(abortError(this.signal));
  };

  constructor(pool: SlotPool, region: Region, at: number) {
    this.pool = pool;
    this.instance = pool.plugin.acquire(pool.engine);
    this.paths = [];
    this.pathAddresses = [];
    for (let i = 0; i < pool.pathCount; i++) {
      const offset = at - region.start + i * PATH_BYTES;
      this.paths.push(region.bytes.subarray(offset, offset + PATH_BYTES));
      this.pathAddresses.push(at + i * PATH_BYTES);
    }
    const dataOffset = at - region.start + pool.pathCount * PATH_BYTES;
    this.data = region.bytes.subarray(dataOffset, dataOffset + pool.dataBytes);
    this.dataAddress = at + pool.pathCount * PATH_BYTES;
  }

  /** ChainListener: the chain ended on a cachemiss thread. */
  chainDone(): void {
    this.finish();
  }

  /** The chain has ended: settle the caller (unless it aborted) and return to the pool. */
  finish(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    const resolve = this.resolve;
    this.resolve = null;
    this.reject = null;
    if (resolve !== null && !this.aborted) resolve(this);
    else this.release();
  }

  release(): void {
    this.aborted = false;
    this.signal = undefined;
    this.pool.free.push(this);
  }
}

/** Slots of one plugin and data size on one engine. */
class SlotPool {
  readonly free: Slot[] = [];
  readonly regions: Region[] = [];
  readonly engine: Engine;
  readonly plugin: Plugin;
  readonly pathCount: number;
  readonly dataBytes: number;

  constructor(engine: Engine, plugin: Plugin, pathCount: number, dataBytes: number) {
    this.engine = engine;
    this.plugin = plugin;
    this.pathCount = pathCount;
    this.dataBytes = dataBytes;
  }

  take(): Slot {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    const slotBytes = this.pathCount * PATH_BYTES + this.dataBytes;
    const count = Math.max(1, Math.floor(SLAB_BYTES / slotBytes));
    const region = this.engine.alloc(slotBytes * count);
    this.regions.push(region);
    for (let i = 1; i < count; i++) this.free.push(new Slot(this, region, region.start + i * slotBytes));
    return new Slot(this, region, region.start);
  }
}

// engine → plugin → data size → pool: no key is built per call (this is on every file's path).
const pools = new WeakMap<Engine, Map<Plugin, Map<number, SlotPool>>>();

function poolFor(engine: Engine, plugin: Plugin, pathCount: number, dataBytes: number): SlotPool {
  let byPlugin = pools.get(engine);
  if (byPlugin === undefined) {
    byPlugin = new Map();
    pools.set(engine, byPlugin);
  }
  let bySize = byPlugin.get(plugin);
  if (bySize === undefined) {
    bySize = new Map();
    byPlugin.set(plugin, bySize);
  }
  let pool = bySize.get(dataBytes);
  if (pool === undefined) {
    pool = new SlotPool(engine, plugin, pathCount, dataBytes);
    bySize.set(dataBytes, pool);
  }
  return pool;
}

const encoder = new TextEncoder();

/**
 * Copy a path into a slot as a C string. @returns null when it fits, else the errno
 * (ENAMETOOLONG, or EINVAL for a NUL inside it, which would silently shorten the path).
 */
function putPath(target: Uint8Array, path: string | Uint8Array): number {
  let length: number;
  if (typeof path === 'string') {
    // pathOf refused a NUL already (as Node does, a TypeError); kept for the callers inside the package.
    if (path.includes('\0')) return EINVAL;
    const { read, written } = encoder.encodeInto(path, target.subarray(0, PATH_BYTES - 1));
    if (read !== path.length) return ENAMETOOLONG;
    length = written;
  } else {
    if (path.length >= PATH_BYTES) return ENAMETOOLONG;
    if (path.includes(0)) return EINVAL;
    target.set(path);
    length = path.length;
  }
  target[length] = 0;
  return 0;
}

function pathText(path: string | Uint8Array): string {
  return typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.length).toString();
}

/**
 * Submit a filled slot. `onEnd` runs once: with null when its chain has ended (synchronously,
 * before this returns, when the chain completed inline), or with the error that ended the wait
 * (refused submission: the slot is back in its pool; abort: the slot goes back when the chain ends).
 */
function start(slot: Slot, signal: AbortSignal | undefined, onEnd: (error: Error | null) => void): void {
  const pool = slot.pool;
  slot.resolve = () => onEnd(null);
  slot.reject = onEnd;
  slot.signal = signal;
  const submitted = pool.plugin.submit(pool.engine, slot.instance, slot);
  if (submitted > 0) {
    slot.finish();
  } else if (submitted < 0) {
    slot.resolve = null;
    slot.reject = null;
    slot.release();
    // The engine's own entry refused the chain (-ESHUTDOWN: closed; -EAGAIN: full).
    onEnd(new SyscallError(submitted, 'async_exec'));
  } else {
    signal?.addEventListener('abort', slot.onAbort, { once: true });
  }
}

/** Submit a filled slot; resolves with the slot once its chain has ended (inline or not). */
function submit(slot: Slot, signal: AbortSignal | undefined): Promise<Slot> {
  return new Promise<Slot>((resolve, reject) => start(slot, signal, (error) => (error === null ? resolve(slot) : reject(error))));
}

/** Read-slot capacity for a byte limit: a power of two from MIN_READ_CAPACITY. */
function capacityFor(bytes: number, name: string): number {
  if (typeof bytes !== 'number') throw invalidArgType(name, 'of type number', bytes);
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_READ_CAPACITY) throw outOfRange(name, `>= 0 && <= ${MAX_READ_CAPACITY}`, bytes);
  let capacity = MIN_READ_CAPACITY;
  while (capacity < bytes) capacity *= 2;
  return capacity;
}

// Parameter indices, looked up once: the hot path sets parameters by index.
const READ_PATH = fileReadAll.paramIndex('path');
const READ_BUF = fileReadAll.paramIndex('buf');
const READ_CHUNK = fileReadAll.paramIndex('chunk');
const READ_CHUNKS = fileReadAll.paramIndex('chunks');

const num = (word: Word): number => (typeof word === 'bigint' ? Number(word) : word);

/** How a file.readAll run ended: an error, or the slot with the bytes read and the file's size. */
type ReadDone = (error: Error | null, slot: Slot | null, total: number, size: number) => void;

/**
 * Run file.readAll on `path` (reset first: offset, cursor, countdown and want start over) with a
 * data area of 2 × capacity read in at most two capacity-sized pieces: a file of up to `capacity`
 * bytes is read whole (to st_size, or to an EOF read when st_size is 0), and a larger file shows
 * up as more than `capacity` bytes read. `done` is called
 * once — synchronously when the chain completed inline — so the public helpers need a single
 * Promise per file, not one per layer.
 */
function readAll(engine: Engine, path: string | Uint8Array, limit: number, limitName: string, signal: AbortSignal | undefined, done: ReadDone): void {
  let capacity: number;
  try {
    capacity = capacityFor(limit, limitName);
  } catch (error) {
    done(error as Error, null, 0, 0);
    return;
  }
  if (signal?.aborted === true) {
    done(abortError(signal), null, 0, 0);
    return;
  }
  const pool = poolFor(engine, fileReadAll, 1, 2 * capacity);
  const slot = pool.take();
  const bad = putPath(slot.paths[0] as Uint8Array, path);
  if (bad !== 0) {
    slot.release();
    done(sysletError(-bad, 'open', pathText(path)), null, 0, 0);
    return;
  }
  const instance = slot.instance;
  instance.reset();
  instance.set(READ_PATH, slot.pathAddresses[0] as number);
  instance.set(READ_BUF, slot.dataAddress);
  instance.set(READ_CHUNK, capacity);
  instance.set(READ_CHUNKS, 2);
  start(slot, signal, (ended) => {
    if (ended !== null) {
      done(ended, null, 0, 0);
      return;
    }
    const opened = num(instance.result(READ_ALL.open));
    const read = instance.result(READ_ALL.read);
    const error = opened < 0 ? sysletError(opened, 'open', pathText(path)) : num(read) < 0 && read !== NOT_EXECUTED ? sysletError(num(read), 'read', pathText(path)) : null;
    if (error !== null) {
      slot.release();
      done(error, null, 0, 0);
      return;
    }
    const total = instance.result(READ_ALL.total);
    done(null, slot, total === NOT_EXECUTED ? 0 : num(total), num(instance.scratchWord('stat', STAT_SIZE_OFFSET)));
  });
}

/** The engine argument of a helper, checked (a helper without one cannot run anything). */
function engineOf(value: unknown): Engine {
  if (value instanceof Engine) return value;
  throw invalidArgType('engine', 'an instance of Engine', value);
}

/**
 * readFileSyslet - read a whole file with one file.readAll syslet: open, fstat, read to end of
 * file, close. Inline (no thread hop) when the file is cached.
 *
 * Called as Node's `fs.promises.readFile` is, with an options object:
 * `readFileSyslet(engine, path, { maxBytes, signal })`; the older positional form
 * `readFileSyslet(engine, path, maxBytes, { signal })` still works.
 *
 * @param engine - the engine to run on; its slot pool for this size is reused.
 * @param path - a string, a Buffer/Uint8Array or a `file:` URL (relative paths are resolved
 *   against the working directory).
 * @param options - `maxBytes`: the largest file accepted (default 1 MiB; up to twice this is kept
 *   per pooled slot, rounded up to a power of two); `signal`: an AbortSignal.
 * @returns a new Buffer with the file's bytes.
 * @throws (rejects) a SyscallError with `code` `'ENOENT'`, `'EISDIR'`... from the open or read;
 *   `'EFBIG'` when the file is larger than `maxBytes`; an AbortError when `signal` aborts;
 *   TypeError/RangeError with Node's code (ERR_INVALID_ARG_TYPE...) naming a bad argument.
 * @example
 * ```ts
 * const text = (await readFileSyslet(engine, '/etc/hostname')).toString();
 * const small = await readFileSyslet(engine, new URL('file:///etc/hostname'), { maxBytes: 4096 });
 * ```
 */
export function readFileSyslet(engine: Engine, path: PathLike, options?: ReadFileOptions): Promise<Buffer>;
export function readFileSyslet(engine: Engine, path: PathLike, maxBytes?: number, options?: HelperOptions): Promise<Buffer>;
export function readFileSyslet(engine: Engine, path: PathLike, maxBytesOrOptions?: number | ReadFileOptions, options?: HelperOptions): Promise<Buffer> {
  let file: string | Uint8Array;
  let maxBytes: number;
  let limitName: string;
  let signal: AbortSignal | undefined;
  try {
    engineOf(engine);
    file = pathOf(path, 'path');
    if (typeof maxBytesOrOptions === 'object' && maxBytesOrOptions !== null) {
      maxBytes = maxBytesOrOptions.maxBytes ?? DEFAULT_MAX_BYTES;
      limitName = 'options.maxBytes';
      signal = signalOf(maxBytesOrOptions.signal);
    } else {
      maxBytes = maxBytesOrOptions ?? DEFAULT_MAX_BYTES;
      limitName = 'maxBytes';
      signal = signalOf(optionsOf(options).signal);
    }
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  return new Promise((resolve, reject) => {
    readAll(engine, file, maxBytes, limitName, signal, (error, slot, total, size) => {
      if (error !== null || slot === null) {
        reject(error ?? new Error('file.readAll ended without a result'));
        return;
      }
      const tooBig = total > maxBytes || size > maxBytes;
      const data = tooBig ? null : Buffer.from(slot.data.subarray(0, total));
      slot.release();
      if (data === null) reject(sysletError(-EFBIG, 'read', pathText(file)));
      else resolve(data);
    });
  });
}

/**
 * readFileInto - read a file into `target` with one file.readAll syslet.
 *
 * @param path - a string, a Buffer/Uint8Array or a `file:` URL.
 * @param target - receives the first `min(file size, target.length)` bytes. It is copied into,
 *   never handed to the engine, so any Uint8Array works and nothing is registered.
 * @returns how many bytes were copied into `target`.
 * @throws (rejects) as {@link readFileSyslet}, except that a larger file is not an error: it
 *   fills `target`.
 * @example
 * ```ts
 * const buf = Buffer.alloc(4096);
 * const n = await readFileInto(engine, 'data.bin', buf);
 * ```
 */
export function readFileInto(engine: Engine, path: PathLike, target: Uint8Array, options?: HelperOptions): Promise<number> {
  let file: string | Uint8Array;
  let signal: AbortSignal | undefined;
  try {
    engineOf(engine);
    file = pathOf(path, 'path');
    if (!(target instanceof Uint8Array)) throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
    signal = signalOf(optionsOf(options).signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  return new Promise((resolve, reject) => {
    readAll(engine, file, target.length, 'target.length', signal, (error, slot, total) => {
      if (error !== null || slot === null) {
        reject(error ?? new Error('file.readAll ended without a result'));
        return;
      }
      const count = Math.min(total, target.length);
      target.set(slot.data.subarray(0, count));
      slot.release();
      resolve(count);
    });
  });
}

/**
 * copyFileSyslet - copy `src` to `dst` in the kernel with one file.copy syslet (open both,
 * copy_file_range until end of file, close both). `dst` is created with `mode` or truncated.
 *
 * Also `copyFileSyslet(engine, src, dst, { mode, signal })`.
 *
 * @param src - a string, a Buffer/Uint8Array or a `file:` URL.
 * @param dst - the same kinds.
 * @param mode - the mode a new `dst` gets (before the umask), default 0o644.
 * @returns the bytes copied.
 * @throws (rejects) a SyscallError with `code` and `syscall` (`'open'` for either open,
 *   `'copy_file_range'`) and `path` (the file at fault); an AbortError when `signal` aborts;
 *   TypeError/RangeError with Node's code naming a bad argument.
 * @example
 * ```ts
 * const copied = await copyFileSyslet(engine, 'a.bin', 'b.bin', { mode: 0o600 });
 * ```
 */
export function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, options?: CopyFileOptions): Promise<number>;
export function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, mode?: number, options?: HelperOptions): Promise<number>;
export async function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, modeOrOptions?: number | CopyFileOptions, options?: HelperOptions): Promise<number> {
  engineOf(engine);
  const from = pathOf(src, 'src');
  const to = pathOf(dst, 'dst');
  const given = typeof modeOrOptions === 'object' && modeOrOptions !== null ? modeOrOptions : { ...optionsOf(options), mode: modeOrOptions };
  const mode = given.mode ?? 0o644;
  const modeName = modeOrOptions === given ? 'options.mode' : 'mode';
  if (typeof mode !== 'number') throw invalidArgType(modeName, 'of type number', mode);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw outOfRange(modeName, '>= 0 && <= 4095', mode);
  const signal = signalOf(given.signal);
  if (signal?.aborted === true) throw abortError(signal);
  const slot = poolFor(engine, fileCopy, 2, 0).take();
  const badSrc = putPath(slot.paths[0] as Uint8Array, from);
  const badDst = badSrc === 0 ? putPath(slot.paths[1] as Uint8Array, to) : 0;
  if (badSrc !== 0 || badDst !== 0) {
    slot.release();
    throw badSrc !== 0 ? sysletError(-badSrc, 'open', pathText(from)) : sysletError(-badDst, 'open', pathText(to));
  }
  const instance = slot.instance;
  instance.reset();
  instance.set(fileCopy.paramIndex('src'), slot.pathAddresses[0] as number);
  instance.set(fileCopy.paramIndex('dst'), slot.pathAddresses[1] as number);
  instance.set(fileCopy.paramIndex('mode'), mode);
  await submit(slot, signal);
  try {
    const openSrc = num(instance.result(COPY.openSrc));
    if (openSrc < 0) throw sysletError(openSrc, 'open', pathText(from));
    const openDst = num(instance.result(COPY.openDst));
    if (openDst < 0) throw sysletError(openDst, 'open', pathText(to));
    const copied = num(instance.result(COPY.copy));
    if (copied < 0) throw sysletError(copied, 'copy_file_range', pathText(from));
    const total = instance.result(COPY.total);
    return total === NOT_EXECUTED ? 0 : num(total);
  } finally {
    slot.release();
  }
}

/**
 * helperPoolStats - slabs and free slots the helpers hold for `engine`, per plugin and data size
 * (`file.readAll/8192`): what tests use to see that repeated calls reuse memory.
 */
export function helperPoolStats(engine: Engine): Record<string, {
  /** Slabs allocated for this plugin and size. */
  readonly slabs: number;
  /** Slots in the pool, ready to use. */
  readonly free: number;
}> {
  const stats: Record<string, { slabs: number; free: number }> = {};
  for (const [plugin, bySize] of pools.get(engine) ?? []) {
    for (const [bytes, pool] of bySize) stats[`${plugin.name}/${bytes}`] = { slabs: pool.regions.length, free: pool.free.length };
  }
  return stats;
}
