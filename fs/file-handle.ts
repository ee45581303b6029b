/**
 * FileHandle: node:fs/promises's FileHandle on canned syslets. The data calls (read, write,
 * readv, writev) are in handle-io.ts, readFile and writeFile in handle-whole.ts; stat is one
 * statx on the fd (inline, as fstat is), truncate/sync/datasync one ftruncate/fsync/fdatasync
 * on a cachemiss thread; chmod, chown and utimes are node:fs's own calls on the fd, and the streams are Node's, reading and
 * writing through this handle.
 *
 * The handle keeps Node's bookkeeping: a reference count so that close() waits for the calls in
 * flight, the 'close' event, `file closed` (EBADF) for calls after close, and closing on garbage
 * collection with a warning.
 */
import { EventEmitter } from 'node:events';
import { createReadStream, createWriteStream, fchmod, fchown, fdatasync, fstat, fsync, ftruncate, futimes, type BigIntStats, type ReadStream, type Stats, type WriteStream } from 'node:fs';
import type { CreateReadStreamOptions, CreateWriteStreamOptions, FileHandle as NodeFileHandle, FileReadResult, ReadableWebStreamOptions } from 'node:fs/promises';
import type { Interface } from 'node:readline';
import type { ReadableStream, ReadableStreamBYOBRequest } from 'node:stream/web';
import { promisify } from 'node:util';
import type { Engine } from '../engine/engine.js';
import type { Plugin } from '../plugins/plugin.js';
import { Request } from '../plugins/requests.js';
import { read, vectored, write, type HandleIo } from './handle-io.js';
import { readFile, writeFile } from './handle-whole.js';
import { fsFdatasync, fsFstat, fsFsync, fsFtruncate } from './chains.js';
import { result, scratchView, submitted, take, unserved } from './core.js';
import { STOP } from '../engine/atom.js';
import { outOfFds } from './direct.js';
import { fileClosedError, fsError } from './errors.js';
import { STATX_BYTES, statsFromStatx } from './stats.js';
import { invalidArgType, validateInteger } from './validate.js';
import { invalidState } from '../engine/arguments.js';
import { fileClose } from '../plugins/builtin/file-read.js';
import { closeThroughNode } from '../plugins/reader.js';
import { stopWatching, watchForLeak } from './leaked-handles.js';

// node:fs's calls on an fd, made by a handle's method whose chain met the fd limit (core.ts
// atTheFdLimit: no cachemiss thread could start to take it).
const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);
const fstatAsync = promisify(fstat) as (fd: number, options: { bigint: boolean }) => Promise<Stats | BigIntStats>;

/**
 * Whether the running Node's readableWebStream always makes a byte stream (and only warns about
 * another `type`): nodejs/node#55461, in Node 23.8.0 and taken into 22.x (22.23.5 measured;
 * 22.15.0 taken as the first). Before, `{ type: 'bytes' }` asked for one and the default was a
 * plain stream (hunt25: on Node 22 a BYOB reader of the default stream threw where Node's read).
 */
const WEB_STREAMS_ALWAYS_BYTES = ((major: number, minor: number): boolean => major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15))(
  ...(process.versions.node.split('.').map(Number) as [number, number]),
);

/** Bytes a web stream's read asks for (Node's autoAllocateChunkSize). */
const WEB_STREAM_CHUNK = 16384;

/** The brand readFile/writeFile use to recognise a handle of this module. */
export const kSysletHandle = Symbol('syslet-aio/fs FileHandle');

/**
 * FileHandle - an open file, as node:fs/promises's FileHandle (same methods, overloads, results
 * and errors), served by canned syslets on the engine that opened it.
 */
export class FileHandle extends EventEmitter implements NodeFileHandle {
  readonly #engine: Engine;
  #fd: number;
  #refs = 1;
  #closing: Promise<void> | null = null;
  #closeResolve: (() => void) | null = null;
  #closeReject: ((error: Error) => void) | null = null;
  // readableWebStream was called: Node allows one per handle, for its life.
  #webStreamMade = false;
  // The data calls' view of the handle; pollReads: a FIFO this layer opened O_NONBLOCK reads as
  // empty until a writer connects, so its reads poll first.
  readonly #io: HandleIo;
  /** @internal */
  readonly [kSysletHandle] = true;

  /** @internal Made by open(); not a public constructor. */
  constructor(engine: Engine, fd: number, pollReads: boolean, appendsAnywhere = false, regularFile = false) {
    super();
    this.#engine = engine;
    this.#fd = fd;
    this.#io = { engine, pollReads, appendsAnywhere, regularFile };
    // Closed if collected unclosed, as Node's (leaked-handles.ts).
    watchForLeak(this, fd);
  }

  /** The numeric file descriptor (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }

  /** Run a method as Node's fsCall does: `file closed` after close, a reference while it runs. */
  async #call<T>(name: string, work: (fd: number) => Promise<T>): Promise<T> {
    if (this.#fd === -1) throw fileClosedError(name);
    this.#refs++;
    try {
      return await work(this.#fd);
    } finally {
      this.#unref();
    }
  }

  #unref(): void {
    if (--this.#refs > 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    stopWatching(this);
    this.#closeFd(fd).then(() => this.#closeResolve?.(), (error: Error) => this.#closeReject?.(error));
  }

  async #closeFd(fd: number): Promise<void> {
    let req: Request;
    try {
      const got = take(this.#engine);
      req = got instanceof Request ? got : await got;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ESHUTDOWN') return closeThroughNode(fd);
      throw error;
    }
    const instance = fileClose.acquire(this.#engine);
    try {
      instance.set(0, fd);
      const outcome = req.run(fileClose, instance);
      if (typeof outcome === 'number' && outcome < 0) return await closeThroughNode(fd);
      const wait = submitted(outcome, 'close');
      const stop = wait === null ? STOP.end : await wait;
      const status = result(instance, 0);
      if (outOfFds(status) || unserved(stop, fileClose, instance)) return await closeThroughNode(fd);
      if (status < 0) throw fsError(status, 'close');
    } finally {
      instance.release();
      req.end();
    }
  }

  /**
   * One chain of one call on this fd: `fill` sets its parameters (the slot is the request's); at
   * the fd limit (core.ts atTheFdLimit: no cachemiss thread could start), or when no thread took
   * the chain (core.ts unserved: none can start in a deleted working directory, where sync()
   * rejected ENOENT 'fsync' on the threads engine), the call is `throughNode`, node:fs's on the fd.
   */
  async #chain<T>(plugin: Plugin, syscall: string, fill: (set: (index: number, value: number | bigint) => void, req: Request) => void, done: (status: number, req: Request) => T, throughNode: () => Promise<T>): Promise<T> {
    const got = take(this.#engine);
    const req = got instanceof Request ? got : await got;
    const instance = plugin.acquire(this.#engine);
    try {
      fill((index, value) => instance.set(index, value), req);
      const wait = submitted(req.run(plugin, instance), syscall);
      const stop = wait === null ? STOP.end : await wait;
      const status = result(instance, plugin.calls.length - 1);
      if (outOfFds(status) || unserved(stop, plugin, instance)) return await throughNode();
      if (status < 0) throw fsError(status, syscall);
      return done(status, req);
    } finally {
      instance.release();
      req.end();
    }
  }

  appendFile(data: string | Uint8Array, options?: Parameters<NodeFileHandle['appendFile']>[1]): Promise<void> {
    return this.#call('writeFile', (fd) => writeFile(this.#io, fd, data, options));
  }

  chown(uid: number, gid: number): Promise<void> {
    return this.#call('fchown', (fd) => promisify(fchown)(fd, uid, gid));
  }

  chmod(mode: Parameters<NodeFileHandle['chmod']>[0]): Promise<void> {
    return this.#call('fchmod', (fd) => promisify(fchmod)(fd, mode));
  }

  utimes(atime: Parameters<NodeFileHandle['utimes']>[0], mtime: Parameters<NodeFileHandle['utimes']>[1]): Promise<void> {
    return this.#call('futimes', (fd) => promisify(futimes)(fd, atime, mtime));
  }

  datasync(): Promise<void> {
    return this.#call('fdatasync', (fd) => this.#chain(fsFdatasync, 'fdatasync', (set) => set(0, fd), () => undefined, () => fdatasyncAsync(fd)));
  }

  sync(): Promise<void> {
    return this.#call('fsync', (fd) => this.#chain(fsFsync, 'fsync', (set) => set(0, fd), () => undefined, () => fsyncAsync(fd)));
  }

  truncate(len: number = 0): Promise<void> {
    return this.#call('ftruncate', (fd) => {
      validateInteger(len, 'len');
      return this.#chain(fsFtruncate, 'ftruncate', (set) => {
        set(0, fd);
        set(1, Math.max(0, len));
      }, () => undefined, () => ftruncateAsync(fd, Math.max(0, len)));
    });
  }

  stat(opts?: { bigint?: false | undefined }): Promise<Stats>;
  stat(opts: { bigint: true }): Promise<BigIntStats>;
  stat(opts?: { bigint?: boolean }): Promise<Stats | BigIntStats>;
  stat(opts: { bigint?: boolean } = { bigint: false }): Promise<Stats | BigIntStats> {
    return this.#call('fstat', async (fd) => {
      const bigint = opts.bigint === true;
      const got = take(this.#engine);
      const req = got instanceof Request ? got : await got;
      const instance = fsFstat.acquire(this.#engine);
      try {
        instance.set(0, fd);
        const wait = submitted(req.run(fsFstat, instance), 'fstat');
        const stop = wait === null ? STOP.end : await wait;
        const status = result(instance, 0);
        if (outOfFds(status) || unserved(stop, fsFstat, instance)) return await fstatAsync(fd, { bigint });
        if (status < 0) throw fsError(status, 'fstat');
        const { view, at } = scratchView(this.#engine, instance, 'stx', STATX_BYTES);
        return statsFromStatx(view, at, bigint);
      } finally {
        instance.release();
        req.end();
      }
    });
  }

  read<T extends NodeJS.ArrayBufferView>(buffer: T, offset?: number | null, length?: number | null, position?: number | null): Promise<FileReadResult<T>>;
  read<T extends NodeJS.ArrayBufferView>(buffer: T, options?: { offset?: number | null; length?: number | null; position?: number | bigint | null }): Promise<FileReadResult<T>>;
  read<T extends NodeJS.ArrayBufferView = Buffer>(options?: { buffer?: T; offset?: number | null; length?: number | null; position?: number | bigint | null }): Promise<FileReadResult<T>>;
  read(bufferOrOptions?: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): Promise<FileReadResult<NodeJS.ArrayBufferView>> {
    return this.#call('read', (fd) => read(this.#io, fd, bufferOrOptions, offsetOrOptions, length, position));
  }

  write<TBuffer extends NodeJS.ArrayBufferView>(buffer: TBuffer, offset?: number | null, length?: number | null, position?: number | null): Promise<{ bytesWritten: number; buffer: TBuffer }>;
  write(data: string, position?: number | null, encoding?: BufferEncoding | null): Promise<{ bytesWritten: number; buffer: string }>;
  write(buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): Promise<{ bytesWritten: number; buffer: unknown }> {
    return this.#call('write', (fd) => write(this.#io, fd, buffer, offsetOrOptions, length, position));
  }

  readv<TBuffers extends readonly NodeJS.ArrayBufferView[]>(buffers: TBuffers, position?: number): Promise<{ bytesRead: number; buffers: TBuffers }> {
    return this.#call('readv', (fd) => vectored(this.#io, fd, buffers, position, false)) as Promise<{ bytesRead: number; buffers: TBuffers }>;
  }

  writev<TBuffers extends readonly NodeJS.ArrayBufferView[]>(buffers: TBuffers, position?: number): Promise<{ bytesWritten: number; buffers: TBuffers }> {
    return this.#call('writev', (fd) => vectored(this.#io, fd, buffers, position, true)) as Promise<{ bytesWritten: number; buffers: TBuffers }>;
  }

  readFile(options?: ({ encoding?: null | undefined; signal?: AbortSignal }) | null): Promise<NonSharedBuffer>;
  readFile(options: ({ encoding: BufferEncoding; signal?: AbortSignal }) | BufferEncoding): Promise<string>;
  readFile(options?: ({ encoding?: BufferEncoding | null; signal?: AbortSignal }) | BufferEncoding | null): Promise<string | NonSharedBuffer>;
  readFile(options?: unknown): Promise<string | NonSharedBuffer> {
    return this.#call('readFile', (fd) => readFile(this.#io, fd, options)) as Promise<string | NonSharedBuffer>;
  }

  writeFile(data: string | Uint8Array, options?: Parameters<NodeFileHandle['writeFile']>[1]): Promise<void> {
    return this.#call('writeFile', (fd) => writeFile(this.#io, fd, data, options));
  }

  /** close - as Node's: waits for calls in flight, emits 'close', then closes the fd once. */
  close = (): Promise<void> => {
    if (this.#fd === -1) return Promise.resolve();
    if (this.#closing !== null) return this.#closing;
    this.#refs--;
    if (this.#refs === 0) {
      const fd = this.#fd;
      this.#fd = -1;
      stopWatching(this);
      this.#closing = this.#closeFd(fd).finally(() => {
        this.#closing = null;
      });
    } else {
      this.#closing = new Promise<void>((resolve, reject) => {
        this.#closeResolve = resolve;
        this.#closeReject = reject;
      }).finally(() => {
        this.#closing = null;
        this.#closeResolve = null;
        this.#closeReject = null;
      });
    }
    this.emit('close');
    return this.#closing;
  };

  /** Closes the handle: `await using handle = await open(path)`. */
  async [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A ReadStream over this handle (its reads are this handle's; autoClose closes the handle). */
  createReadStream(options?: CreateReadStreamOptions): ReadStream {
    return createReadStream(null as unknown as string, { ...options, fd: this.#fd, fs: this.#streamOps() } as never);
  }

  /** A WriteStream over this handle (its writes are this handle's; autoClose closes the handle). */
  createWriteStream(options?: CreateWriteStreamOptions): WriteStream {
    return createWriteStream(null as unknown as string, { ...options, fd: this.#fd, fs: this.#streamOps() } as never);
  }

  /** The fs operations Node's streams call, routed to this handle. */
  #streamOps(): object {
    return {
      open: (_path: unknown, _flags: unknown, _mode: unknown, callback: (error: Error | null, fd?: number) => void) => callback(null, this.#fd),
      read: (_fd: number, buffer: Buffer, offset: number, length: number, position: number | null, callback: (error: Error | null, bytes?: number, buffer?: Buffer) => void) => {
        this.read(buffer, offset, length, position).then((done) => callback(null, done.bytesRead, buffer), (error: Error) => callback(error));
      },
      // As node:fs's callbacks, with the buffers as the last argument, on an error too: after a
      // short write or EAGAIN the stream writes the rest from them (its writeAll/writevAll), and
      // without them it threw a TypeError that ended the process.
      write: (_fd: number, buffer: Buffer, offset: number, length: number, position: number | null, callback: (error: Error | null, bytes?: number, buffer?: Buffer) => void) => {
        this.write(buffer, offset, length, position).then((done) => callback(null, done.bytesWritten, buffer), (error: Error) => callback(error, 0, buffer));
      },
      writev: (_fd: number, buffers: Buffer[], position: number | null, callback: (error: Error | null, bytes?: number, buffers?: Buffer[]) => void) => {
        this.writev(buffers, position ?? undefined).then((done) => callback(null, done.bytesWritten, buffers), (error: Error) => callback(error, 0, buffers));
      },
      // A write stream made with { flush: true } fsyncs before it closes (Node checks it has one).
      fsync: (_fd: number, callback: (error: Error | null) => void) => {
        this.sync().then(() => callback(null), (error: Error) => callback(error));
      },
      close: (_fd: number, callback: (error: Error | null) => void) => {
        this.close().then(() => callback(null), (error: Error) => callback(error));
      },
    };
  }

  /** A readline Interface over {@link createReadStream}, as Node's readLines. */
  readLines(options?: CreateReadStreamOptions): Interface {
    // node:readline and node:stream/web are loaded when first used, not at import: with
    // node:crypto, node:vm and node:string_decoder they cost a fresh process 6-10 ms of CPU
    // before its first call (a CLI's, a serverless start's), for methods most programs never call.
    const { createInterface } = process.getBuiltinModule('node:readline');
    return createInterface({ input: this.createReadStream(options), crlfDelay: Infinity });
  }

  /**
   * A web ReadableStream of this file's bytes from its position (the handle stays open), as
   * Node's: one per handle (a second is ERR_INVALID_STATE "locked", as is one after close);
   * `{ type: 'bytes' }` makes a byte stream, which a BYOB reader reads into its own views.
   */
  readableWebStream(options?: ReadableWebStreamOptions): ReadableStream {
    if (this.#fd === -1) throw invalidState('The FileHandle is closed');
    if (this.#closing !== null) throw invalidState('The FileHandle is closing');
    if (this.#webStreamMade) throw invalidState('The FileHandle is locked');
    this.#webStreamMade = true;
    if (WEB_STREAMS_ALWAYS_BYTES && options !== undefined && (options === null || typeof options !== 'object')) throw invalidArgType('options', 'object', options);
    // Read as Node reads it: `null.type` is Node 20's own TypeError.
    let type: unknown = options === undefined ? undefined : (options as { type?: unknown }).type;
    if (WEB_STREAMS_ALWAYS_BYTES) {
      // Node's validateObject of the options (above), a warning for any other type, and a byte
      // stream whatever was asked.
      if (type !== undefined && type !== 'bytes') process.emitWarning('A non-"bytes" options.type has no effect. A byte-oriented steam is always created.', 'ExperimentalWarning');
      type = 'bytes';
    } else if (type !== undefined && typeof type !== 'string') throw invalidArgType('options.type', 'string', type);
    const { ReadableStream } = process.getBuiltinModule('node:stream/web');
    if (type === 'bytes') {
      return new ReadableStream({
        type: 'bytes',
        autoAllocateChunkSize: WEB_STREAM_CHUNK,
        pull: async (controller) => {
          // With autoAllocateChunkSize there is always a request: the reader's view, or one of 16 KiB.
          const request = controller.byobRequest as ReadableStreamBYOBRequest;
          const view = request.view as Uint8Array;
          const { bytesRead } = await this.read(view, 0, view.byteLength, null);
          if (bytesRead === 0) controller.close();
          request.respond(bytesRead);
        },
      }) as ReadableStream;
    }
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const { bytesRead, buffer } = await this.read(Buffer.allocUnsafe(WEB_STREAM_CHUNK), 0, WEB_STREAM_CHUNK, null);
        if (bytesRead === 0) controller.close();
        else controller.enqueue(buffer.subarray(0, bytesRead));
      },
    }) as ReadableStream;
  }
}
