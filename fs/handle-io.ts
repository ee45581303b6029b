/**
 * The data calls of syslet-aio/fs's FileHandle, with Node's argument handling (promises' read,
 * write, readv and writev, in the same order of checks): each is one pread64 / pwrite64 / read /
 * write / preadv / pwritev atom. Data goes through the request's 64 KiB slot, or — for a larger
 * transfer — the caller's buffer is lent to the engine for the one chain; a larger write to a
 * regular file is node:fs's own write or writev instead (write-node.ts: the engine can only hand
 * it to another thread, and libuv's hand-off costs less). The whole-file calls (readFile,
 * writeFile) are in handle-whole.ts.
 */
import { read as readCallback, readv as readvCallback, write as writeCallback, writev as writevCallback } from 'node:fs';
import type { FileReadResult } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Engine } from '../engine/engine.js';
import { viewByteLength, viewBytes } from '../engine/view-getters.js';
import { EINVAL } from '../engine/native/index.js';
import { IOV_MAX, MAX_RW_COUNT } from '../engine/syscalls/abi.js';
import { STRUCT_SIZES } from '../engine/syscalls/table.js';
import { filePollRead, POLL_READ } from '../plugins/builtin/file-read.js';
import { Request, SLOT_DATA_BYTES } from '../plugins/requests.js';
import { fsPread, fsPreadv, fsPwrite, fsPwritev, fsRead, fsReadv, fsWrite, fsWritev } from './chains.js';
import { result, submitted, take, unserved } from './core.js';
import { STOP } from '../engine/atom.js';
import { outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { NODE_WRITE_BYTES, writeThroughNode, writevThroughNode } from './write-node.js';
import { invalidArgType, invalidArgValue, outOfRange, validateBufferArray, validateInteger, validateOffsetLengthRead, validateOffsetLengthWrite, validatePosition } from './validate.js';

const IOVEC_BYTES = STRUCT_SIZES.iovec;

// node:fs's calls on an fd, made by a data call whose chain met the fd limit (core.ts
// atTheFdLimit: no cachemiss thread could start to take it; the atom that answered so did not run).
const readAsync = promisify(readCallback);
const writeAsync = promisify(writeCallback) as (fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null) => Promise<{ bytesWritten: number }>;
const readvAsync = promisify(readvCallback);
const writevAsync = promisify(writevCallback);

/** What the data calls need of their handle. */
export interface HandleIo {
  /** The engine the handle's chains run on. */
  readonly engine: Engine;
  /** The fd is a FIFO this layer opened O_NONBLOCK: a read at the file position polls first. */
  readonly pollReads: boolean;
  /**
   * The fd is a regular file opened write-only with O_APPEND ('a', 'ax', 'as'): Linux appends
   * a pwrite64/pwritev there whatever the offset (pwrite(2), BUGS), and the file position of a
   * handle that cannot read is not observable through Node's API, so a write at the file
   * position is made as a positional one at offset 0. The ring takes that one when the
   * RWF_NOWAIT probe cannot answer (ext4: EOPNOTSUPP); a write at the file position it refuses
   * (uring-fd-rules.ts), and a cachemiss thread made each (apps21: 72 against 36 µs of CPU).
   */
  readonly appendsAnywhere: boolean;
  /**
   * The fd was a regular file at open (its type cannot change while the handle owns the number):
   * its large writes are node:fs's own (write-node.ts).
   */
  readonly regularFile: boolean;
}

/** The position a write at `position` is made at: 0 for a write at the file position of an append-only handle. */
function writePosition(io: HandleIo, position: number): number {
  return position < 0 && io.appendsAnywhere ? 0 : position;
}

const isView = (value: unknown): value is NodeJS.ArrayBufferView => ArrayBuffer.isView(value);
// A caller's view by its intrinsic getters, never its own properties: a `byteLength` or
// `byteOffset` that lies made a view past the caller's bytes — into other Buffers of the same
// pool slab — that a read then wrote (Node validates by the property too, then aborts in its
// binding's bounds check). With the real length, the same call is refused ERR_OUT_OF_RANGE.
const bytesOf = viewBytes;
const lengthOf = viewByteLength;

/**
 * The offset Node's binding gives libuv for a position (node_file.cc's GetOffset): a safe integer
 * as it is, anything else (2^53, 1.5, NaN, a bigint, null) -1; a negative one reads or writes
 * at the file position, as libuv does for an offset below 0.
 */
function offsetOf(position: unknown): number {
  return typeof position === 'number' && Number.isSafeInteger(position) ? position : -1;
}

/**
 * Whether the running Node validates FileHandle.read's position and reads at a bigint one: Node 21
 * and later (nodejs/node#42835, semver-major). Before, anything but a safe integer read at the
 * file position; syslet-aio/fs follows the Node it runs in (hunt25: on Node 22 a bigint position
 * read at the file position, and -2, 1.5 or '5' read where Node threw).
 */
const READ_VALIDATES_POSITION = Number(process.versions.node.split('.')[0]) >= 21;

/**
 * The offset a FileHandle.read of `length` bytes makes at `position`, as the running Node's read
 * takes it (see {@link READ_VALIDATES_POSITION}).
 * @throws RangeError ERR_OUT_OF_RANGE, TypeError ERR_INVALID_ARG_TYPE (Node 21 and later).
 */
function readPosition(position: unknown, length: number): number {
  if (!READ_VALIDATES_POSITION) return offsetOf(position);
  if (position === null || position === undefined) return -1;
  validatePosition(position, 'position', length);
  if (typeof position === 'number') return position;
  // A bigint past 2^53 is past the end of any file Linux holds (8 EiB files are sparse XFS
  // curiosities): the largest safe offset reads the same nothing there.
  return position > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(position);
}

/** Node's read(): the same argument handling, then one pread64/read atom. */
export async function read(io: HandleIo, fd: number, bufferOrOptions: unknown, offsetArg: unknown, lengthArg: unknown, positionArg: unknown): Promise<FileReadResult<NodeJS.ArrayBufferView>> {
  let buffer = bufferOrOptions as NodeJS.ArrayBufferView;
  let offset: unknown = offsetArg;
  let length: unknown = lengthArg;
  let position: unknown = positionArg;
  if (!isView(bufferOrOptions)) {
    if (bufferOrOptions !== undefined && (typeof bufferOrOptions !== 'object' || Array.isArray(bufferOrOptions))) throw invalidArgType('options', 'Object', bufferOrOptions);
    const options = (bufferOrOptions ?? {}) as Record<string, unknown>;
    buffer = (options.buffer === undefined ? Buffer.alloc(16384) : options.buffer) as NodeJS.ArrayBufferView;
    offset = options.offset === undefined ? 0 : options.offset;
    length = options.length === undefined ? (isView(buffer) ? lengthOf(buffer) : 0) - (offset as number) : options.length;
    position = options.position === undefined ? null : options.position;
    if (!isView(buffer)) throw invalidArgType('buffer', ['Buffer', 'TypedArray', 'DataView'], buffer);
  }
  if (offset !== null && typeof offset === 'object') {
    const options = offset as Record<string, unknown>;
    offset = options.offset === undefined ? 0 : options.offset;
    length = options.length === undefined ? lengthOf(buffer) - (offset as number) : options.length;
    position = options.position === undefined ? null : options.position;
  }
  if (offset === null || offset === undefined) offset = 0;
  else validateInteger(offset, 'offset', 0);
  const at = offset as number;
  const size = lengthOf(buffer);
  if (length === null || length === undefined) length = size - at;
  if (length === 0) return { __proto__: null, bytesRead: 0, buffer } as unknown as FileReadResult<NodeJS.ArrayBufferView>;
  if (size === 0) throw invalidArgValue('buffer', buffer, 'is empty and cannot be written');
  // Node 20 and 22 abort the process in their binding for a length that is not an int32 (an
  // object, '4', 1.5); its checks before that coerce an object each time they compare it, and a
  // valueOf that changes answered bytesRead 4000 for an 8-byte buffer here, the file position
  // moved past bytes never delivered (hunt28). Read once, and only a number that is an integer.
  if (typeof length !== 'number') throw invalidArgType('length', 'number', length);
  // (An infinite one is Node's ERR_OUT_OF_RANGE from the bounds check below.)
  if (!Number.isInteger(length) && length !== Infinity && length !== -Infinity) throw outOfRange('length', 'an integer', length);
  validateOffsetLengthRead(at, length, size);
  const count = length;
  // Node 20's promises read takes the position only when it is a safe integer: anything else
  // (null, a bigint, -1) reads at the file position. Node 21 and later validate it.
  const pos = readPosition(position, count);
  const target = bytesOf(buffer);
  const bytesRead = await transfer(io, fd, target, at, count, pos, false);
  return { __proto__: null, bytesRead, buffer } as unknown as FileReadResult<NodeJS.ArrayBufferView>;
}

/**
 * One read or write of `count` bytes at `offset` of `bytes`: pread64/pwrite64 when `position`
 * is at least 0, read/write at the file position otherwise. Through the slot up to 64 KiB,
 * else `bytes` is lent to the engine for the chain.
 */
export async function transfer(io: HandleIo, fd: number, bytes: Uint8Array, offset: number, count: number, position: number, write: boolean): Promise<number> {
  const engine = io.engine;
  if (write) position = writePosition(io, position);
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  const positioned = position >= 0;
  const poll = !write && !positioned && io.pollReads;
  const plugin = poll ? filePollRead : write ? (positioned ? fsPwrite : fsWrite) : positioned ? fsPread : fsRead;
  const instance = plugin.acquire(engine);
  try {
    const size = Math.min(count, MAX_RW_COUNT);
    const viaSlot = size <= SLOT_DATA_BYTES;
    const address = viaSlot ? req.slot.dataAddress : req.lend(bytes) + offset;
    if (viaSlot && write) req.slot.data.set(bytes.subarray(offset, offset + size));
    instance.set(0, fd);
    instance.set(1, address);
    instance.set(2, size);
    if (positioned) instance.set(3, position);
    // A FIFO's poll and read off the ring: on it, the read after the poll is made by this thread
    // (the ring's completions run only when it enters the ring: DEFER_TASKRUN), and a program
    // that blocks this thread writing into the same pipe (fs.writeSync of more than the pipe
    // holds) waited for ever (hunt26: 4 of 4 hung; Node's read runs on libuv's pool). A
    // cachemiss thread polls and reads by itself, as Node's pool does.
    const wait = submitted(req.run(plugin, instance, poll), write ? 'write' : 'read');
    let stop = wait === null ? STOP.end : await wait;
    // No thread could take it (none starts in a deleted working directory): the ring can still
    // wait for the writer, as before, with the deadlock above left to that rare case.
    if (poll && unserved(stop, plugin, instance)) {
      const again = submitted(req.run(plugin, instance), 'read');
      stop = again === null ? STOP.end : await again;
    }
    // A poll that failed stopped the chain (an atom the engine's close cut off answers -ECANCELED).
    const polled = poll ? result(instance, POLL_READ.poll) : 0;
    const status = polled < 0 ? polled : result(instance, plugin.calls.length - 1);
    // (Not a polled FIFO read: its fd is O_NONBLOCK, and Node's read would answer EAGAIN.) Also
    // when no thread took the chain (core.ts unserved).
    if (!poll && (outOfFds(status) || unserved(stop, plugin, instance))) {
      const at = positioned ? position : null;
      return write ? (await writeAsync(fd, bytes, offset, size, at)).bytesWritten : (await readAsync(fd, bytes, offset, size, at)).bytesRead;
    }
    if (status < 0) throw fsError(status, write ? 'write' : 'read');
    if (viaSlot && !write && status > 0) req.slot.data.copy(bytes, offset, 0, status);
    return status;
  } finally {
    instance.release();
    req.end();
  }
}

/** Node's write(): a Buffer/TypedArray/DataView with offset/length/position, or a string with position/encoding. */
export async function write(io: HandleIo, fd: number, buffer: unknown, offsetArg: unknown, lengthArg: unknown, positionArg: unknown): Promise<{ bytesWritten: number; buffer: unknown }> {
  // A view's real length, read once (see bytesOf); anything else as Node looks at it.
  const size = isView(buffer) ? lengthOf(buffer) : -1;
  if (size === 0 || (size < 0 && (buffer as { byteLength?: unknown } | null | undefined)?.byteLength === 0)) return { __proto__: null, bytesWritten: 0, buffer } as never;
  let offset = offsetArg;
  let length = lengthArg;
  let position = positionArg;
  if (isView(buffer)) {
    if (typeof offset === 'object') {
      const options = (offset ?? {}) as Record<string, unknown>;
      offset = options.offset === undefined ? 0 : options.offset;
      length = options.length === undefined ? size - (offset as number) : options.length;
      position = options.position === undefined ? null : options.position;
    }
    if (offset === null || offset === undefined) offset = 0;
    else validateInteger(offset, 'offset', 0);
    if (typeof length !== 'number') length = size - (offset as number);
    validateOffsetLengthWrite(offset as number, length as number, size);
    const bytesWritten = await writeBytes(io, fd, bytesOf(buffer), offset as number, length as number, offsetOf(position));
    return { __proto__: null, bytesWritten, buffer } as never;
  }
  if (typeof buffer !== 'string') throw invalidArgType('buffer', ['string', 'Buffer', 'TypedArray', 'DataView'], buffer);
  // write(string, position, encoding): Node's binding takes an unknown encoding as UTF-8.
  const encoding = typeof length === 'string' && Buffer.isEncoding(length) ? length : 'utf8';
  if (encoding.toLowerCase() === 'hex' && buffer.length % 2 !== 0) throw invalidArgValue('encoding', length, `is invalid for data of length ${buffer.length}`);
  const bytes = Buffer.from(buffer, encoding);
  const pos = offsetOf(offset);
  // An empty string is still written (Node's shortcut is for an empty view only): write(2) of
  // 0 bytes answers 0, or EBADF on a handle not open for writing, as Node's does.
  const bytesWritten = await writeBytes(io, fd, bytes, 0, bytes.length, pos);
  return { __proto__: null, bytesWritten, buffer } as never;
}

/**
 * A write as libuv makes it (uv__fs_write_all): after a short write it writes the rest, until every
 * byte is written or a call answers an error or 0, which then ends it with the bytes written (an
 * error before any byte is thrown). One call writes at most MAX_RW_COUNT bytes, so a write of more
 * was short: Node's write of 2,147,483,000 bytes writes them all, where one call wrote 2,147,479,552.
 */
function writeBytes(io: HandleIo, fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  // A large write to a regular file: node:fs's own (write-node.ts; libuv goes on after a short
  // write as below), at the position as given (write(2) at the file position of an append-only
  // handle appends, as Node's). Returned as it is: no async frame of this module's around it.
  const delegated = length >= NODE_WRITE_BYTES ? writeThroughNode(io, fd, bytes, offset, length, position) : null;
  return delegated ?? writeAllBytes(io, fd, bytes, offset, length, position);
}

/** {@link writeBytes} on the engine: one chain a call. */
async function writeAllBytes(io: HandleIo, fd: number, bytes: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  let total = await transfer(io, fd, bytes, offset, length, position, true);
  while (total > 0 && total < length) {
    const n = await transfer(io, fd, bytes, offset + total, length - total, position < 0 ? position : position + total, true).catch(() => 0);
    if (n <= 0) break;
    total += n;
  }
  return total;
}

/** readv/writev: iovecs in the slot, data in the slot when it fits, else each buffer lent. */
export async function vectored(io: HandleIo, fd: number, buffersArg: unknown, positionArg: unknown, write: boolean): Promise<object> {
  validateBufferArray(buffersArg);
  const buffers = buffersArg;
  const position = offsetOf(positionArg);
  if (write && buffers.length === 0) return { __proto__: null, bytesWritten: 0, buffers };
  // Node's readv has no such shortcut: libuv's uv_fs_read refuses zero buffers with EINVAL
  // (where readv(2) would answer 0).
  if (buffers.length === 0) throw fsError(-EINVAL, 'read');
  // libuv passes at most IOV_MAX buffers to one call: a read makes that one call; a write goes on,
  // IOV_MAX buffers at a time and after a short write, until every byte is written
  // (uv__fs_write_all; see writeBytes). It wrote the first 1,024 buffers of 5,000 and answered so.
  let views = buffers.map((view) => bytesOf(view as NodeJS.ArrayBufferView));
  if (!write) return { __proto__: null, bytesRead: await vectoredCall(io, fd, views.length > IOV_MAX ? views.slice(0, IOV_MAX) : views, position, false), buffers };
  const all = views.reduce((sum, bytes) => sum + bytes.length, 0);
  // A large writev to a regular file: node:fs's own, every buffer in one call (libuv goes on past
  // IOV_MAX buffers and after a short write, as below; write-node.ts).
  const delegated = all >= NODE_WRITE_BYTES ? writevThroughNode(io, fd, views, all, position) : null;
  if (delegated !== null) return { __proto__: null, bytesWritten: await delegated, buffers };
  let total = await vectoredCall(io, fd, views.length > IOV_MAX ? views.slice(0, IOV_MAX) : views, position, true);
  let n = total;
  while (n > 0 && total < all) {
    views = advance(views, n);
    n = await vectoredCall(io, fd, views.length > IOV_MAX ? views.slice(0, IOV_MAX) : views, position < 0 ? position : position + total, true).catch(() => 0);
    total += n;
  }
  return { __proto__: null, bytesWritten: total, buffers };
}

/** The views past the first `n` bytes of `views` (libuv's uv__fs_buf_iter_advance). */
function advance(views: readonly Uint8Array[], n: number): Uint8Array[] {
  let index = 0;
  let rest = n;
  for (let bytes = views[0]; bytes !== undefined && rest >= bytes.length && rest > 0; bytes = views[++index]) rest -= bytes.length;
  const after = views.slice(index);
  const first = after[0];
  if (first !== undefined && rest > 0) after[0] = first.subarray(rest);
  return after;
}

/** One readv/writev call of at most IOV_MAX views: the bytes it read or wrote (an error thrown). */
async function vectoredCall(io: HandleIo, fd: number, used: readonly Uint8Array[], position: number, write: boolean): Promise<number> {
  // libuv makes one buffer a read(2)/pread64(2) (write/pwrite64), not a readv: they differ where
  // the buffer is empty, e.g. on a directory read(2) answers EISDIR where readv(2) answers 0.
  const only = used.length === 1 ? used[0] : undefined;
  if (only !== undefined) return transfer(io, fd, only, 0, only.length, position, write);
  if (write) position = writePosition(io, position);
  const engine = io.engine;
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  const positioned = position >= 0;
  const plugin = write ? (positioned ? fsPwritev : fsWritev) : positioned ? fsPreadv : fsReadv;
  const instance = plugin.acquire(engine);
  try {
    const slot = req.slot;
    const total = used.reduce((sum, bytes) => sum + bytes.length, 0);
    const iovBytes = used.length * IOVEC_BYTES;
    const inSlot = iovBytes + total <= SLOT_DATA_BYTES;
    let at = iovBytes;
    used.forEach((bytes, index) => {
      let address: number;
      if (inSlot) {
        address = slot.dataAddress + at;
        if (write) slot.data.set(bytes, at);
        at += bytes.length;
      } else {
        address = bytes.length === 0 ? 0 : req.lend(bytes);
      }
      slot.data.writeBigUInt64LE(BigInt(address), index * IOVEC_BYTES);
      slot.data.writeBigUInt64LE(BigInt(bytes.length), index * IOVEC_BYTES + 8);
    });
    instance.set(0, fd);
    instance.set(1, slot.dataAddress);
    instance.set(2, used.length);
    if (positioned) instance.set(3, position);
    const syscall = write ? 'write' : 'read';
    const wait = submitted(req.run(plugin, instance), syscall);
    const stop = wait === null ? STOP.end : await wait;
    const status = result(instance, 0);
    if (outOfFds(status) || unserved(stop, plugin, instance)) {
      const at = positioned ? position : undefined;
      return write ? (await writevAsync(fd, used as Uint8Array[], at)).bytesWritten : (await readvAsync(fd, used as Uint8Array[], at)).bytesRead;
    }
    if (status < 0) throw fsError(status, syscall);
    if (inSlot && !write) {
      let left = status;
      let from = iovBytes;
      for (const bytes of used) {
        if (left <= 0) break;
        const part = Math.min(left, bytes.length);
        slot.data.copy(bytes, 0, from, from + part);
        from += bytes.length;
        left -= part;
      }
    }
    return status;
  } finally {
    instance.release();
    req.end();
  }
}
