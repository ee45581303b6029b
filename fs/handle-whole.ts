/**
 * The whole-file calls of syslet-aio/fs's FileHandle, with Node's argument handling (promises'
 * readFileHandle and writeFileHandle, in the same order of checks): readFile is the
 * file.readFdStart loop (plugins/reader.ts readWholeFd), writeFile one fs.writeFd (fs.appendFd)
 * chain per buffer or chunk. The single-call data calls (read, write, readv, writev) are in
 * handle-io.ts, whose {@link HandleIo} these take too.
 */
import { fstatSync, write as writeCallback } from 'node:fs';
import { promisify } from 'node:util';
import { STOP } from '../engine/atom.js';
import { abortError } from '../engine/errors.js';
import { abortPoint, checkAborted } from './abort-point.js';
import { EFBIG } from '../engine/native/index.js';
import { MAX_RW_COUNT } from '../engine/syscalls/abi.js';
import { viewBytes } from '../engine/view-getters.js';
import { ReadFailure, readWholeFd } from '../plugins/reader.js';
import { Request, SLOT_DATA_BYTES } from '../plugins/requests.js';
import { encodingOf } from './args.js';
import { fsAppendFd, fsWriteFd, WRITE_FD } from './chains.js';
import { ran, result, submitted, take, unserved } from './core.js';
import { outOfFds } from './direct.js';
import { fsError, IO_MAX_LENGTH, throwIfTooLarge, wholeString } from './errors.js';
import type { HandleIo } from './handle-io.js';
import { invalidArgType, nodeOptions } from './validate.js';

// node:fs's write on an fd, for the rest of a chain that met the fd limit (core.ts atTheFdLimit).
const writeAsync = promisify(writeCallback) as (fd: number, bytes: Uint8Array, offset: number, length: number, position: number | null) => Promise<{ bytesWritten: number }>;

const isView = (value: unknown): value is NodeJS.ArrayBufferView => ArrayBuffer.isView(value);
// A caller's view by its intrinsic getters, never its own properties (see handle-io.ts bytesOf).
const bytesOf = viewBytes;


function isIterable(value: unknown): boolean {
  return value !== null && value !== undefined && (typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' || typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function');
}

/** Node's readFileHandle: fstat, then read at the file position to st_size (or to EOF). */
export async function readFile(io: HandleIo, fd: number, optionsArg: unknown): Promise<string | Buffer> {
  const options = nodeOptions(optionsArg, { flag: 'r' });
  const encoding = encodingOf(options);
  // Node builds its StringDecoder first: an encoding it cannot decode ('buffer') throws here.
  // (node:string_decoder loaded here, not at import: see fs/file-handle.ts readLines.)
  if (encoding !== undefined) new (process.getBuiltinModule('node:string_decoder').StringDecoder)(encoding);
  const signal = options.signal as AbortSignal | undefined;
  checkAborted(signal);
  if (signal !== undefined) await abortPoint(signal);
  const taken = take(io.engine);
  const req = taken instanceof Request ? taken : await taken;
  let got: Buffer | ReadFailure;
  try {
    got = await readWholeFd(req, fd, {
      limit: IO_MAX_LENGTH,
      pollReads: io.pollReads,
      between: () => {
        if (signal?.aborted === true) throw abortError(signal);
      },
    });
  } finally {
    req.end();
  }
  // As fs readFile: a read past the inline limit is one request, so the abort is looked at after it.
  if (signal?.aborted === true) throw abortError(signal);
  if (got instanceof ReadFailure) {
    if (got.errno === EFBIG && got.syscall === 'read') await throwIfTooLarge(fd);
    // Past the limit with an encoding on a file of no size (an endless one: /dev/zero), Node,
    // which decodes such a file as it reads, has made a string longer than V8's longest (2^29 - 24
    // units: at most 1.5 GiB of any encoding) first, and rejects with V8's own RangeError.
    if (got.errno === EFBIG && got.syscall === 'read' && encoding !== undefined && !fstatSync(fd).isFile()) throw new RangeError('Invalid string length');
    throw fsError(got.errno, got.syscall);
  }
  return encoding === undefined ? got : wholeString(got, encoding);
}

/** Node's writeFile on a handle: at the file position, no truncation, `flag` and `flush` ignored. */
export async function writeFile(io: HandleIo, fd: number, data: unknown, optionsArg: unknown): Promise<void> {
  const options = nodeOptions(optionsArg, { encoding: 'utf8', mode: 0o666, flag: 'w', flush: false });
  const flush = options.flush ?? false;
  if (typeof flush !== 'boolean') throw invalidArgType('options.flush', 'boolean', flush);
  const encoding = (encodingOf(options) ?? 'utf8');
  const signal = options.signal as AbortSignal | undefined;
  if (!isView(data) && typeof data !== 'string' && isIterable(data)) {
    checkAborted(signal);
    for await (const chunk of data as AsyncIterable<unknown>) {
      checkAborted(signal);
      const bytes = isView(chunk) ? bytesOf(chunk) : Buffer.from(chunk as string, encoding);
      await writeAll(io, fd, bytes);
    }
    return;
  }
  let bytes: Uint8Array;
  if (isView(data)) bytes = bytesOf(data);
  else if (typeof data === 'string') bytes = Buffer.from(data, encoding);
  else throw invalidArgType('data', ['string', 'Buffer', 'TypedArray', 'DataView'], data);
  checkAborted(signal);
  if (signal !== undefined) await abortPoint(signal);
  await writeAll(io, fd, bytes);
}

/** fs.writeFd (fs.appendFd on an append-only handle): every byte of `bytes` at the file position, in one chain. */
export async function writeAll(io: HandleIo, fd: number, bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0) return;
  const engine = io.engine;
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  const plugin = io.appendsAnywhere ? fsAppendFd : fsWriteFd;
  const instance = plugin.acquire(engine);
  try {
    const viaSlot = bytes.length <= SLOT_DATA_BYTES;
    if (viaSlot) req.slot.data.set(bytes);
    instance.set(0, fd);
    instance.set(1, viaSlot ? req.slot.dataAddress : req.lend(bytes));
    instance.set(2, Math.min(bytes.length, MAX_RW_COUNT));
    instance.set(3, bytes.length);
    const wait = submitted(req.run(plugin, instance), 'write');
    const stop = wait === null ? STOP.end : await wait;
    if (ran(instance, WRITE_FD.write)) {
      const status = result(instance, WRITE_FD.write);
      if (outOfFds(status) || unserved(stop, plugin, instance)) {
        // The rest, after what the chain's writes before it wrote, at the file position they moved.
        for (let at = Number(instance.cell('written')); at < bytes.length;) at += (await writeAsync(fd, bytes, at, bytes.length - at, null)).bytesWritten;
        return;
      }
      if (status < 0) throw fsError(status, 'write');
    }
  } finally {
    instance.release();
    req.end();
  }
}
