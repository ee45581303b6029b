/**
 * readdir: fsp.readdir on the syslet path. One chain opens the directory and reads its entries
 * with getdents64 into the request's slot (fs/chains.ts: fs.readdir, then fs.readdirMore while
 * the slot fills up); the names are sorted by their bytes, as libuv's scandir sorts them
 * (strcmp), and decoded as Node decodes them.
 *
 * Each name is taken as a latin1 string first: one UTF-16 unit per byte, so the engine's native
 * string sort is exactly strcmp's order, with no comparator called from C++ (sorting Buffers with
 * Buffer.compare cost 3.5x Node's whole readdir of 10,000 names). A name is decoded again only
 * when it has a byte of 0x80 or more, or the encoding asked for is not an ASCII superset.
 */
import type { Dirent } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { PluginInstance } from '../plugins/plugin.js';
import { closeThroughNode } from '../plugins/reader.js';
import { Request, SLOT_DATA_BYTES } from '../plugins/requests.js';
import { fastOptions, fastPath, type FastPath } from './args.js';
import { fsReaddir, fsReaddirMore, READDIR, READDIR_MORE } from './chains.js';
import { NotTaken, outOfFdsError, putPaths, ran, result, submitted, take, unserved } from './core.js';
import { STOP } from '../engine/atom.js';
import { fsError } from './errors.js';
import { lstat } from './metadata.js';
import { newDirent, UV_DIRENT_UNKNOWN, uvDirentType, uvDirentTypeOfMode } from './stats.js';

/** The entries of one directory as getdents64 gave them, . and .. left out. */
interface RawEntries {
  /** Each name's bytes as a latin1 string (one char per byte). */
  readonly names: string[];
  /** Each name's d_type, by name (names in a directory are distinct). */
  readonly types: Map<string, number>;
  /** Whether some name has a byte of 0x80 or more (then it is not its own UTF-8 decoding). */
  highBytes: boolean;
}

const DIRENT_CHUNK = 8192;

/** Parse getdents64 records (d_ino@0 d_off@8 d_reclen@16 d_type@18 d_name@19) and skip . and .. */
function parseDirents(data: Buffer, bytes: number, into: RawEntries, withTypes: boolean): void {
  let at = 0;
  while (at < bytes) {
    const reclen = data.readUInt16LE(at + 16);
    const nameStart = at + 19;
    const nameEnd = data.indexOf(0, nameStart);
    const length = nameEnd - nameStart;
    const dot = data[nameStart] === 0x2e;
    if (!(dot && (length === 1 || (length === 2 && data[nameStart + 1] === 0x2e)))) {
      const name = data.toString('latin1', nameStart, nameEnd);
      into.names.push(name);
      if (withTypes) into.types.set(name, data[at + 18] as number);
      if (!into.highBytes) {
        for (let i = nameStart; i < nameEnd; i++) {
          if ((data[i] as number) >= 0x80) {
            into.highBytes = true;
            break;
          }
        }
      }
    }
    at += reclen;
  }
}

/** getdents64 batches that fill the request slot's data area. */
const CHUNKS = Math.floor(SLOT_DATA_BYTES / DIRENT_CHUNK);

/**
 * Start one chain of the getdents64 loop into the slot's data area: fs.readdir from the path
 * (`first` is its address in the slot) or fs.readdirMore from the fd it left open (`first` is
 * the fd). @returns what to await, or null when the chain completed inline.
 */
function startBatch(req: Request, plugin: typeof fsReaddir, instance: PluginInstance, first: number, path: FastPath): Promise<number> | null {
  instance.set(0, first);
  instance.set(1, req.slot.dataAddress);
  instance.set(2, DIRENT_CHUNK);
  instance.set(3, CHUNKS);
  return submitted(req.run(plugin, instance), 'scandir', path);
}

/**
 * Parse what one chain of the getdents64 loop read into the slot (`atoms`: its atom indices).
 * @returns whether the chain reached the end of the directory (and closed the fd).
 * @throws the getdents64 error, as Node's scandir error.
 */
function takeBatch(req: Request, instance: PluginInstance, atoms: { readonly getdents: number; readonly total: number; readonly close: number }, entries: RawEntries, withTypes: boolean, path: FastPath): boolean {
  const got = ran(instance, atoms.getdents) ? result(instance, atoms.getdents) : 0;
  if (got < 0) throw fsError(got, 'scandir', path);
  parseDirents(req.slot.data, ran(instance, atoms.total) ? result(instance, atoms.total) : 0, entries, withTypes);
  return ran(instance, atoms.close);
}

/** Read every entry of a directory: fs.readdir, then fs.readdirMore while the slot filled up. */
async function readEntries(engine: Engine, path: FastPath, withTypes: boolean): Promise<RawEntries> {
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, path);
    if (bad !== 0) throw fsError(bad, 'scandir', path);
    const entries: RawEntries = { names: [], types: new Map(), highBytes: false };
    let instance: PluginInstance = fsReaddir.acquire(engine);
    // The directory's fd while no chain is to close it: a chain the engine cut short (closed)
    // leaves it open, and the next batch is then refused (ESHUTDOWN); it is closed through Node
    // on the way out (before, it stayed open: bug 37 in docs/reliability.md).
    let fd = -1;
    let owned = false;
    try {
      try {
        const wait = startBatch(req, fsReaddir, instance, req.slot.pathAddresses[0], path);
        const stop = wait === null ? STOP.end : await wait;
        const opened = result(instance, READDIR.open);
        if (opened < 0 && !unserved(stop, fsReaddir, instance)) throw fsError(opened, 'scandir', path);
        fd = opened;
        // Asked before the batch is taken: a getdents64 error is thrown after the chain closed.
        owned = opened >= 0 && !ran(instance, READDIR.close);
        if (unserved(stop, fsReaddir, instance)) throw new NotTaken();
        if (takeBatch(req, instance, READDIR, entries, withTypes, path)) return entries;
      } finally {
        instance.release();
      }
      // The slot filled before the end of the directory: the chain left the fd open.
      for (;;) {
        instance = fsReaddirMore.acquire(engine);
        try {
          const wait = startBatch(req, fsReaddirMore, instance, fd, path);
          const stop = wait === null ? STOP.end : await wait;
          owned = !ran(instance, READDIR_MORE.close);
          if (unserved(stop, fsReaddirMore, instance)) throw new NotTaken();
          if (takeBatch(req, instance, READDIR_MORE, entries, withTypes, path)) return entries;
        } finally {
          instance.release();
        }
      }
    } finally {
      if (owned) await closeThroughNode(fd).catch(() => {});
    }
  } finally {
    req.end();
  }
}

/** Encodings whose decoding of ASCII bytes is those bytes' latin1 string. */
const ASCII_SUPERSETS = new Set(['utf8', 'utf-8', 'ascii', 'latin1', 'binary']);

/**
 * How to turn a name's latin1 string into what Node gives for `encoding` (falsy: UTF-8): itself
 * where that is already the answer, else the bytes decoded (or the bytes, for 'buffer').
 */
function decoderFor(encoding: unknown, highBytes: boolean): (latin1: string) => string | Buffer {
  if (encoding === 'buffer') return (latin1) => Buffer.from(latin1, 'latin1');
  const name = typeof encoding === 'string' && encoding !== '' ? encoding.toLowerCase() : 'utf8';
  if (name === 'latin1' || name === 'binary' || (!highBytes && ASCII_SUPERSETS.has(name))) return (latin1) => latin1;
  return (latin1) => Buffer.from(latin1, 'latin1').toString(name as BufferEncoding);
}

/**
 * readdir - fsp.readdir on the syslet path: names sorted by their bytes, as libuv's scandir
 * sorts them (strcmp); `withFileTypes` gives Node's Dirent objects, an entry whose d_type the
 * file system did not give (DT_UNKNOWN) typed by lstat, as Node does. `recursive` goes to Node.
 *
 * @param engine - the engine whose chains read the directory.
 * @param path - the directory (string, Buffer or file: URL).
 * @param options - Node's: an encoding, or `{ encoding, withFileTypes, recursive }`.
 * @returns the names (strings, or Buffers for `encoding: 'buffer'`), or Dirents.
 * @throws Node's errors with `syscall: 'scandir'`: ENOENT, ENOTDIR, EACCES, EMFILE, ...
 */
export async function readdir(engine: Engine, path: unknown, options?: unknown): Promise<(string | Buffer | Dirent)[]> {
  const fast = fastPath(path);
  const opts = fastOptions(options);
  if (fast === undefined || opts === undefined || (opts.recursive !== undefined && opts.recursive !== false) || (opts.withFileTypes !== undefined && typeof opts.withFileTypes !== 'boolean')) {
    return nodeFs.readdir(path as string, options as object);
  }
  const withTypes = opts.withFileTypes === true;
  let entries: RawEntries;
  try {
    entries = await readEntries(engine, fast, withTypes);
  } catch (error) {
    // At the fd limit, or when no cachemiss thread took a chain (core.ts unserved), Node's
    // answer: reading a directory undoes nothing.
    if (outOfFdsError(error) || error instanceof NotTaken) return nodeFs.readdir(path as string, options as object);
    throw error;
  }
  const names = entries.names;
  names.sort();
  const nameOf = decoderFor(opts.encoding, entries.highBytes);
  if (!withTypes) {
    const out = new Array<string | Buffer>(names.length);
    for (let i = 0; i < names.length; i++) out[i] = nameOf(names[i] as string);
    return out;
  }
  // Node's Dirent keeps the path as it was given (a Buffer stays a Buffer, a URL is its path).
  const parent = typeof path === 'string' || path instanceof Uint8Array ? (path as string | Buffer) : (fast as string);
  const out: Dirent[] = [];
  for (const raw of names) {
    let type = uvDirentType(entries.types.get(raw) as number);
    const name = nameOf(raw);
    if (type === UV_DIRENT_UNKNOWN) {
      const child = typeof parent === 'string' && typeof name === 'string' ? join(parent, name) : Buffer.concat([Buffer.from(parent), Buffer.from('/'), Buffer.from(raw, 'latin1')]);
      type = uvDirentTypeOfMode(Number((await lstat(engine, child)).mode));
    }
    out.push(newDirent(name, type, parent));
  }
  return out;
}
