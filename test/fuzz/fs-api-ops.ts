/**
 * The fs differential fuzz's world (test/fuzz/fs-api.ts): the twin tree a case starts from, and
 * the random calls. A call's arguments are drawn once from the case's Prng; `run` then makes them
 * afresh for each side (a buffer a read fills is the side's own), so both sides get the same call.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FsPromises } from '../helpers/fs-implementations.js';
import type { Prng } from './prng.js';

type Handle = Awaited<ReturnType<FsPromises['open']>>;

/** One side of a case: its module, its twin's root (absolute and relative to the cwd), its handles. */
export interface Side {
  readonly fs: FsPromises;
  readonly root: string;
  readonly relRoot: string;
  readonly handles: Handle[];
}

/** One random call. */
export interface Op {
  /** Its kind, for the per-op counts. */
  readonly name: string;
  /** The call and its arguments, for a violation's message. */
  readonly label: string;
  readonly run: (side: Side) => Promise<unknown>;
}

/** Random bytes, printable half the time (so encodings see text). */
function bytes(r: Prng, length: number): Buffer {
  const out = Buffer.alloc(length);
  const text = r.chance(0.5);
  for (let i = 0; i < length; i++) out[i] = text ? 0x61 + r.int(26) : r.int(256);
  return out;
}

/**
 * buildTwin - lay out a case's starting tree under `root` from `r` (the same seed gives the same
 * tree): files f0–f2 of random sizes, a directory d with a file and a subdirectory, symlinks to a
 * file, to a directory, to nothing, to each other and to themselves.
 */
export function buildTwin(root: string, r: Prng): void {
  mkdirSync(join(root, 'd', 'e'), { recursive: true });
  for (const name of ['f0', 'f1', 'f2', 'd/g', 'd/e/h']) writeFileSync(join(root, name), bytes(r, r.pick([0, 1, 5, 100, 4096, 5000, 70_000])));
  symlinkSync('f0', join(root, 'l-file'));
  symlinkSync('d', join(root, 'l-dir'));
  symlinkSync('nowhere', join(root, 'l-dangling'));
  symlinkSync('l-loop2', join(root, 'l-loop1'));
  symlinkSync('l-loop1', join(root, 'l-loop2'));
  symlinkSync('l-self', join(root, 'l-self'));
  symlinkSync(join(root, 'd', 'g'), join(root, 'l-abs'));
}

/** Names a call may be given: existing and missing, through links, a file in the middle, odd ones. */
const NAMES = [
  'f0', 'f1', 'f2', 'd', 'd/g', 'd/e', 'd/e/h', 'd/', 'new', 'new2', 'd/new', 'l-file', 'l-dir', 'l-dir/g', 'l-dangling',
  'l-loop1', 'l-self', 'l-abs', 'f0/x', 'f0/', 'nope/x', '.', 'd/..', `${'n'.repeat(256)}`, `d/${'n'.repeat(300)}/x`, 'f\0', '',
] as const;
/** Names a destructive call (rm, rename's source, unlink) may be given: not the twin itself. */
const TARGETS = NAMES.filter((name) => name !== '.' && name !== 'd/..');

/** How a path is passed. */
type PathForm = 'absolute' | 'relative' | 'buffer' | 'url' | 'bare';

/** A path argument drawn once, made for each side. */
function pathArg(r: Prng, names: readonly string[] = NAMES): { label: string; on: (side: Side) => string | Buffer | URL } {
  const name = r.pick(names);
  const form: PathForm = name === '' ? 'bare' : r.pick(['absolute', 'absolute', 'relative', 'buffer', 'url'] as const);
  const label = `${form}:${JSON.stringify(name.length > 40 ? `${name.slice(0, 12)}…(${name.length})` : name)}`;
  return {
    label,
    on: (side) => {
      if (form === 'bare') return name;
      const relative = name === '' ? side.relRoot : `${side.relRoot}/${name}`;
      const absolute = `${side.root}/${name}`;
      switch (form) {
        case 'relative':
          return relative;
        case 'buffer':
          return Buffer.from(absolute);
        case 'url':
          return pathToFileURL(absolute);
        default:
          return absolute;
      }
    },
  };
}

const VIEW_KINDS = [
  'Buffer', 'Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'DataView',
] as const;
type ViewKind = (typeof VIEW_KINDS)[number];

/** A fresh view of `kind` over `content` (its length rounded down to the element size), at a byte offset inside a larger ArrayBuffer. */
function makeView(kind: ViewKind, content: Buffer, lead: number): ArrayBufferView {
  if (kind === 'Buffer') return Buffer.from(content);
  const element = kind === 'DataView' ? 1 : (globalThis[kind] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const start = lead * element;
  const count = Math.floor(content.length / element);
  const backing = new ArrayBuffer(start + count * element + element);
  new Uint8Array(backing, start, count * element).set(content.subarray(0, count * element));
  if (kind === 'DataView') return new DataView(backing, start, count * element);
  const Ctor = globalThis[kind] as unknown as new (buffer: ArrayBuffer, offset: number, length: number) => ArrayBufferView;
  return new Ctor(backing, start, count);
}

/** A buffer argument drawn once. */
function viewArg(r: Prng, filled: boolean): { label: string; make: () => ArrayBufferView } {
  const kind = r.pick(VIEW_KINDS);
  const size = r.pick([0, 1, 3, 8, 16, 64, 4096, 70_000]);
  const content = filled ? bytes(r, size) : Buffer.alloc(size);
  const lead = r.int(3);
  return { label: `${kind}(${size})`, make: () => makeView(kind, content, lead) };
}

const READ_POSITIONS: readonly unknown[] = [null, null, undefined, -1, 0, 0, 1, 100, 4095, 5000, 70_001, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1.5, -2, NaN, 5n, 2n ** 63n - 1n, 2n ** 63n, -1n, '3'];
/** Writes stay below 1 MiB: a write at 2^40 would make a sparse file the tree check reads. */
const WRITE_POSITIONS: readonly unknown[] = [null, null, undefined, -1, 0, 0, 1, 100, 5000, 70_001, 2 ** 53, 1.5, -2, NaN, 5n, 2n ** 63n, '3'];
const OFFSETS: readonly unknown[] = [undefined, 0, 0, 1, 3, 8, 100, -1, 1.5, null];
const WRITE_LENGTHS: readonly unknown[] = [undefined, null, 0, 1, 3, 8, 16, 64, 4096, 100_000, -1, 1.5];
/**
 * Read lengths leave out fractions: Node 20's FileHandle.read passes a fractional length to its
 * binding unchecked and aborts the process (`Assertion failed: args[3]->IsInt32()`, seed 2 case
 * 226); Node 22 answers ERR_OUT_OF_RANGE, as we do.
 */
const READ_LENGTHS: readonly unknown[] = WRITE_LENGTHS.filter((length) => length !== 1.5);
const ENCODINGS: readonly unknown[] = [undefined, 'utf8', 'latin1', 'hex', 'base64', 'base64url', 'ucs2', 'ascii', 'buffer', 'bogus'];
const OPEN_FLAGS: readonly unknown[] = ['r', 'r', 'r+', 'w', 'w+', 'a', 'a+', 'wx', 'ax', 'rs+', 'as+', constants.O_RDONLY, constants.O_RDWR | constants.O_CREAT, constants.O_WRONLY | constants.O_DIRECTORY, 'bogus', undefined];
const WRITE_FLAGS: readonly unknown[] = [undefined, 'w', 'a', 'wx', 'r+', 'r', 'as', 'bogus'];
const MODES: readonly unknown[] = [undefined, 0o644, 0o600, 0o755, 0o444, '644', -1];
const ACCESS_MODES: readonly unknown[] = [undefined, constants.F_OK, constants.R_OK, constants.W_OK, constants.X_OK, 7, 8, -1, 'r'];
const COPY_MODES: readonly unknown[] = [undefined, 0, constants.COPYFILE_EXCL, constants.COPYFILE_FICLONE, 8, -1];
const TRUNCATE_LENGTHS: readonly unknown[] = [undefined, 0, 1, 5, 100, 5000, 70_001, -1, 1.5, 5n, '3'];

const show = (value: unknown): string => (typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? JSON.stringify(value) : String(value));

/** Data for writeFile/appendFile/FileHandle.write: a string or a view. */
function dataArg(r: Prng): { label: string; make: () => string | ArrayBufferView } {
  if (r.chance(0.4)) {
    const text = r.chance(0.2) ? 'é€😀\u0000x' : bytes(r, r.pick([0, 1, 10, 5000])).toString('latin1').replace(/[^a-z]/g, 'q');
    return { label: `string(${text.length})`, make: () => text };
  }
  const view = viewArg(r, true);
  return { label: view.label, make: view.make };
}

/** Picks a handle index: usually one of the open ones, sometimes one past them. */
function handleAt(side: Side, index: number): Handle | undefined {
  return side.handles.length === 0 ? undefined : side.handles[index % side.handles.length];
}

/** randomOp - one random call, its arguments drawn from `r`. */
export function randomOp(r: Prng): Op {
  const kind = r.pick([
    'readFile', 'writeFile', 'appendFile', 'open', 'open', 'open', 'handle', 'handle', 'handle', 'handle', 'handle', 'handle',
    'stat', 'lstat', 'access', 'readdir', 'mkdir', 'rm', 'unlink', 'rename', 'copyFile', 'truncate', 'readlink', 'realpath', 'symlink',
    'special',
  ] as const);
  const path = pathArg(r);
  const aborted = r.chance(0.05);
  const signal = (): AbortSignal | undefined => (aborted ? AbortSignal.abort() : undefined);
  switch (kind) {
    case 'readFile': {
      const encoding = r.pick(ENCODINGS);
      const flag = r.pick(['r', 'r', 'a+', 'w+', 'rs', undefined, 'bogus']);
      const asString = r.chance(0.2);
      return {
        name: kind, label: `readFile(${path.label}, ${asString ? show(encoding) : `{encoding ${show(encoding)}, flag ${show(flag)}${aborted ? ', aborted' : ''}}`})`,
        run: (side) => (asString ? side.fs.readFile(path.on(side), encoding as never) : side.fs.readFile(path.on(side), { encoding, flag, signal: signal() } as never)),
      };
    }
    case 'writeFile':
    case 'appendFile': {
      const data = dataArg(r);
      const encoding = r.pick(ENCODINGS);
      const flag = r.pick(WRITE_FLAGS);
      const mode = r.pick(MODES);
      return {
        name: kind, label: `${kind}(${path.label}, ${data.label}, {encoding ${show(encoding)}, flag ${show(flag)}, mode ${show(mode)}${aborted ? ', aborted' : ''}})`,
        run: (side) => side.fs[kind](path.on(side), data.make() as never, { encoding, flag, mode, signal: signal() } as never),
      };
    }
    case 'open': {
      const flags = r.pick(OPEN_FLAGS);
      const mode = r.pick(MODES);
      return {
        name: kind, label: `open(${path.label}, ${show(flags)}, ${show(mode)})`,
        run: async (side) => {
          const handle = await side.fs.open(path.on(side), flags as never, mode as never);
          side.handles.push(handle);
          // The fd number differs between the twins' processes' histories: only that it is one.
          return { opened: typeof handle.fd === 'number' && handle.fd >= 0 };
        },
      };
    }
    case 'handle':
      return handleOp(r);
    case 'special':
      return specialOp(r);
    case 'stat':
    case 'lstat': {
      const bigint = r.chance(0.4);
      return { name: kind, label: `${kind}(${path.label}, {bigint ${bigint}})`, run: (side) => side.fs[kind](path.on(side), { bigint }) };
    }
    case 'access': {
      const mode = r.pick(ACCESS_MODES);
      return { name: kind, label: `access(${path.label}, ${show(mode)})`, run: (side) => side.fs.access(path.on(side), mode as never) };
    }
    case 'readdir': {
      const withFileTypes = r.chance(0.5);
      const encoding = r.pick([undefined, 'utf8', 'buffer']);
      // Sorted: the kernel's order is the directory's own history, not the call's answer.
      const byName = (a: unknown, b: unknown): number => {
        const name = (x: unknown): string => String(typeof x === 'object' && x !== null && 'name' in x ? (x).name : x);
        return name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0;
      };
      return {
        name: kind, label: `readdir(${path.label}, {withFileTypes ${withFileTypes}, encoding ${show(encoding)}})`,
        run: async (side) => ((await side.fs.readdir(path.on(side), { withFileTypes, encoding } as never)) as unknown[]).sort(byName),
      };
    }
    case 'mkdir': {
      const recursive = r.chance(0.5);
      const mode = r.pick(MODES);
      return {
        name: kind, label: `mkdir(${path.label}, {recursive ${recursive}, mode ${show(mode)}})`,
        run: async (side) => {
          const made = await side.fs.mkdir(path.on(side), { recursive, mode } as never);
          return made;
        },
      };
    }
    case 'rm':
    case 'unlink': {
      const target = pathArg(r, TARGETS);
      const recursive = r.chance(0.5);
      const force = r.chance(0.5);
      if (kind === 'unlink') return { name: kind, label: `unlink(${target.label})`, run: (side) => side.fs.unlink(target.on(side)) };
      return { name: kind, label: `rm(${target.label}, {recursive ${recursive}, force ${force}})`, run: (side) => side.fs.rm(target.on(side), { recursive, force }) };
    }
    case 'rename':
    case 'copyFile':
    case 'symlink': {
      const source = pathArg(r, kind === 'rename' ? TARGETS : NAMES);
      const dest = pathArg(r, TARGETS);
      const mode = r.pick(COPY_MODES);
      if (kind === 'rename') return { name: kind, label: `rename(${source.label}, ${dest.label})`, run: (side) => side.fs.rename(source.on(side), dest.on(side)) };
      if (kind === 'symlink') {
        const target = r.pick(['f0', 'd', 'nowhere', '../f1', 'new']);
        return { name: kind, label: `symlink(${show(target)}, ${dest.label})`, run: (side) => side.fs.symlink(target, dest.on(side)) };
      }
      return { name: kind, label: `copyFile(${source.label}, ${dest.label}, ${show(mode)})`, run: (side) => side.fs.copyFile(source.on(side), dest.on(side), mode as never) };
    }
    case 'truncate': {
      const length = r.pick(TRUNCATE_LENGTHS);
      return { name: kind, label: `truncate(${path.label}, ${show(length)})`, run: (side) => side.fs.truncate(path.on(side), length as never) };
    }
    case 'readlink':
    case 'realpath': {
      const encoding = r.pick([undefined, 'utf8', 'buffer', 'hex']);
      return { name: kind, label: `${kind}(${path.label}, ${show(encoding)})`, run: (side) => side.fs[kind](path.on(side), { encoding } as never) };
    }
  }
}

/**
 * System files that read the same on both sides (one process): a procfs file of size 0 whose
 * text is fixed, a device, a sysctl. Only read-only calls take them (a sysctl opened for writing
 * would be written by a later handle call), and copyFile only as its source: a sysfs file (size
 * 4096, less text) is left out, as Node's copyFile never returns there.
 */
const SPECIAL_FILES = ['/proc/version', '/proc/sys/kernel/hostname', '/proc/self/cmdline', '/dev/null', '/dev/zero', '/proc/self'] as const;

/** A read-only call on a system file (hunt17: procfs files of size 0 and a FileHandle's fd flags were blind spots). */
function specialOp(r: Prng): Op {
  const file = r.pick(SPECIAL_FILES);
  const call = r.pick(['readFile', 'open', 'open', 'stat', 'copyFile', 'access'] as const);
  switch (call) {
    case 'readFile': {
      // /dev/zero never ends: readFile of it would run to Node's size limit.
      const source = file === '/dev/zero' ? '/dev/null' : file;
      const encoding = r.pick(ENCODINGS);
      return { name: 'special.readFile', label: `readFile(${show(source)}, ${show(encoding)})`, run: (side) => side.fs.readFile(source, { encoding } as never) };
    }
    case 'open': {
      const flags = r.pick(['r', 'rs', constants.O_RDONLY, constants.O_RDONLY | constants.O_NONBLOCK] as const);
      return {
        name: 'special.open', label: `open(${show(file)}, ${show(flags)})`,
        run: async (side) => {
          const handle = await side.fs.open(file, flags);
          side.handles.push(handle);
          // Its status flags as the process sees them (F_GETFL through fdinfo), and that it is an fd.
          const flagsLine = readFileSync(`/proc/self/fdinfo/${handle.fd}`, 'utf8').split('\n').find((line) => line.startsWith('flags:'));
          return { opened: handle.fd >= 0, flags: flagsLine };
        },
      };
    }
    case 'stat': {
      const bigint = r.chance(0.3);
      // Times and sizes of /proc/self come from the process, the same for both sides.
      return { name: 'special.stat', label: `stat(${show(file)}, {bigint ${bigint}})`, run: (side) => side.fs.stat(file, { bigint }) };
    }
    case 'copyFile': {
      const dest = pathArg(r, TARGETS);
      return { name: 'special.copyFile', label: `copyFile(${show(file)}, ${dest.label})`, run: (side) => side.fs.copyFile(file, dest.on(side)) };
    }
    case 'access': {
      const mode = r.pick(ACCESS_MODES);
      return { name: 'special.access', label: `access(${show(file)}, ${show(mode)})`, run: (side) => side.fs.access(file, mode as never) };
    }
  }
}

/** A call on one of the case's FileHandles (maybe closed, maybe none open). */
function handleOp(r: Prng): Op {
  const index = r.int(8);
  const call = r.pick(['read', 'read', 'readObject', 'readNoArgs', 'write', 'write', 'writeString', 'readv', 'writev', 'stat', 'truncate', 'sync', 'datasync', 'readFile', 'writeFile', 'appendFile', 'utimes', 'chmod', 'close'] as const);
  const on = (side: Side, body: (handle: Handle) => Promise<unknown>): Promise<unknown> => {
    const handle = handleAt(side, index);
    return handle === undefined ? Promise.resolve('no handle') : body(handle);
  };
  const label = (args: string): string => `handle[${index}].${call}(${args})`;
  switch (call) {
    case 'read':
    case 'readObject': {
      const view = viewArg(r, false);
      const offset = r.pick(OFFSETS);
      const length = r.pick(READ_LENGTHS);
      const position = r.pick(READ_POSITIONS);
      return {
        name: `fh.${call}`, label: label(`${view.label}, ${show(offset)}, ${show(length)}, ${show(position)}`),
        run: (side) => on(side, (h) => (call === 'read'
          ? h.read(view.make() as never, offset as never, length as never, position as never)
          : h.read({ buffer: view.make(), offset, length, position } as never))),
      };
    }
    case 'readNoArgs':
      return { name: 'fh.read', label: label(''), run: (side) => on(side, (h) => h.read()) };
    case 'write': {
      const view = viewArg(r, true);
      const offset = r.pick(OFFSETS);
      const length = r.pick(WRITE_LENGTHS);
      const position = r.pick(WRITE_POSITIONS);
      return {
        name: 'fh.write', label: label(`${view.label}, ${show(offset)}, ${show(length)}, ${show(position)}`),
        run: (side) => on(side, (h) => h.write(view.make() as never, offset as never, length as never, position as never)),
      };
    }
    case 'writeString': {
      const data = bytes(r, r.pick([0, 1, 10, 100])).toString('hex');
      const position = r.pick(WRITE_POSITIONS);
      const encoding = r.pick(ENCODINGS);
      return { name: 'fh.write', label: label(`string(${data.length}), ${show(position)}, ${show(encoding)}`), run: (side) => on(side, (h) => h.write(data, position as never, encoding as never)) };
    }
    case 'readv':
    case 'writev': {
      const views = Array.from({ length: r.int(4) }, () => viewArg(r, call === 'writev'));
      const position = r.pick(call === 'readv' ? READ_POSITIONS : WRITE_POSITIONS);
      return {
        name: `fh.${call}`, label: label(`[${views.map((v) => v.label).join(', ')}], ${show(position)}`),
        run: (side) => on(side, (h) => h[call](views.map((v) => v.make()) as never, position as never)),
      };
    }
    case 'stat': {
      const bigint = r.chance(0.4);
      return { name: 'fh.stat', label: label(`{bigint ${bigint}}`), run: (side) => on(side, (h) => h.stat({ bigint })) };
    }
    case 'truncate': {
      const length = r.pick(TRUNCATE_LENGTHS);
      return { name: 'fh.truncate', label: label(show(length)), run: (side) => on(side, (h) => h.truncate(length as never)) };
    }
    case 'sync':
    case 'datasync':
      return { name: `fh.${call}`, label: label(''), run: (side) => on(side, (h) => h[call]()) };
    case 'readFile': {
      const encoding = r.pick(ENCODINGS);
      return { name: 'fh.readFile', label: label(show(encoding)), run: (side) => on(side, (h) => h.readFile({ encoding } as never)) };
    }
    case 'writeFile': {
      const data = dataArg(r);
      const encoding = r.pick(ENCODINGS);
      return { name: 'fh.writeFile', label: label(`${data.label}, ${show(encoding)}`), run: (side) => on(side, (h) => h.writeFile(data.make() as never, { encoding } as never)) };
    }
    case 'appendFile': {
      const data = dataArg(r);
      const encoding = r.pick(ENCODINGS);
      return { name: 'fh.appendFile', label: label(`${data.label}, ${show(encoding)}`), run: (side) => on(side, (h) => h.appendFile(data.make() as never, { encoding } as never)) };
    }
    case 'utimes': {
      const time = r.pick([0, 1_000_000, 1.5, -1, new Date(2_000_000_000), 'x', NaN]);
      return { name: 'fh.utimes', label: label(show(time)), run: (side) => on(side, (h) => h.utimes(time, time)) };
    }
    case 'chmod': {
      const mode = r.pick(MODES);
      return { name: 'fh.chmod', label: label(show(mode)), run: (side) => on(side, (h) => h.chmod(mode as never)) };
    }
    case 'close':
      return { name: 'fh.close', label: label(''), run: (side) => on(side, (h) => h.close()) };
  }
}
