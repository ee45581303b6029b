/**
 * A small i386 image built in TypeScript, so that `syslet-aio compat32 sample` lets a new user try
 * compat32 without a 32-bit C compiler. It lays out words, strings and 44-byte atoms at 32-bit
 * addresses the way a 32-bit program would (each argument pointer points at a word holding the
 * value), using the offsets of compat32/layouts.ts, which are checked against gcc -m32.
 *
 * The chain shows what conversion has to get right: results flowing into later arguments (the
 * fd from openat into read and close, read's byte count into write), a negative 32-bit word
 * (AT_FDCWD) widened by sign extension, and stop flags.
 */
import { SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { syscallByName } from '../engine/syscalls/table.js';
import type { Image32 } from './image.js';
import { UATOM32 } from './layouts.js';
import { AT_FDCWD } from '../engine/syscalls/abi.js';
import { O_RDONLY } from '../engine/syscalls/constants.generated.js';

/**
 * Where the sample is laid out unless told otherwise. Above 2 GiB on purpose: /usr/bin/node is
 * not position-independent, so its brk heap starts at a random address in the first ~1.1 GiB and
 * could already occupy a lower base (the arena would then fail with EEXIST), and 1-2 GiB is
 * where MAP_32BIT mappings go. Nothing maps 2-4 GiB in a 64-bit process unless asked to.
 */
export const SAMPLE_BASE = 0x90000000;

/** What the sample's first write prints (on stderr: see {@link sampleImage}). */
export const SAMPLE_GREETING = 'compat32 sample: an i386 syslet chain, converted to x86-64, running in process ';

/** The file the sample reads: the name of the process running the chain (`node`). */
export const SAMPLE_PATH = '/proc/self/comm';

/** The calls of the sample's atoms, in chain order. */
export const SAMPLE_CALLS = ['getpid', 'openat', 'read', 'close', 'write', 'write'] as const;

const STDERR = 2;
const BUFFER_SIZE = 64;
const PAGE = 4096;

/**
 * sampleImage - lay out the sample chain at `base`:
 *
 * ```
 * 0 getpid()                              -> pid      STOP_ON_NEGATIVE
 * 1 openat(AT_FDCWD, SAMPLE_PATH, O_RDONLY) -> fd     STOP_ON_NEGATIVE
 * 2 read(fd, buf, 64)                     -> count
 * 3 close(fd)                             -> 0
 * 4 write(2, SAMPLE_GREETING, len)        -> len
 * 5 write(2, buf, count)                  -> count    ("node\n")
 * ```
 *
 * It writes to stderr rather than stdout so that `compat32 run --json` still prints nothing but
 * JSON on stdout: the chain's writes go straight to fd 2, past the CLI.
 *
 * @param base - the 32-bit address to lay the image out for (page-aligned, non-zero, the page
 *   below 4 GiB at most); not checked here: parseImage checks it when the image is read.
 * @returns the image (one page, entry = base, no reserve); `serializeImage` makes the file.
 * @example
 * ```ts
 * writeFileSync('sample.img', serializeImage(sampleImage()));
 * ```
 */
export function sampleImage(base = SAMPLE_BASE): Image32 {
  const layout = new Layout(base, PAGE);
  const atoms = Array.from({ length: SAMPLE_CALLS.length }, () => layout.take(UATOM32.size));
  const [getpid, openat, read, close, greet, echo] = atoms as [number, number, number, number, number, number];
  const pid = layout.word(0);
  const fd = layout.word(0);
  const count = layout.word(0);
  const closed = layout.word(0);
  const greeted = layout.word(0);
  const echoed = layout.word(0);
  const buffer = layout.take(BUFFER_SIZE);
  const greeting = new TextEncoder().encode(SAMPLE_GREETING);
  const stderr = layout.word(STDERR);

  layout.atom(getpid, 'getpid', { flags: SYSLET_STOP_ON_NEGATIVE, ret: pid, next: openat });
  layout.atom(openat, 'openat', {
    flags: SYSLET_STOP_ON_NEGATIVE, ret: fd, next: read,
    args: [layout.word(AT_FDCWD), layout.word(layout.string(SAMPLE_PATH)), layout.word(O_RDONLY)],
  });
  layout.atom(read, 'read', { ret: count, next: close, args: [fd, layout.word(buffer), layout.word(BUFFER_SIZE)] });
  layout.atom(close, 'close', { ret: closed, next: greet, args: [fd] });
  layout.atom(greet, 'write', { ret: greeted, next: echo, args: [stderr, layout.word(layout.bytes(greeting)), layout.word(greeting.length)] });
  layout.atom(echo, 'write', { ret: echoed, args: [stderr, layout.word(buffer), count] });
  return { base, entry: getpid, bytes: layout.memory, reserve: 0 };
}

/** One atom's fields, as 32-bit addresses (0 = NULL). */
interface AtomFields {
  readonly flags?: number;
  readonly ret?: number;
  readonly next?: number;
  readonly args?: readonly number[];
}

/** A bump allocator over one image's memory, addressed by 32-bit addresses. */
class Layout {
  readonly memory: Uint8Array;
  readonly #base: number;
  readonly #view: DataView;
  #used = 0;

  constructor(base: number, size: number) {
    this.#base = base;
    this.memory = new Uint8Array(size);
    this.#view = new DataView(this.memory.buffer);
  }

  /** Reserve `size` bytes, 4-byte aligned (atoms and words need it); returns the address. */
  take(size: number): number {
    const offset = Math.ceil(this.#used / 4) * 4;
    if (offset + size > this.memory.length) throw new RangeError(`sample image: ${offset + size} bytes do not fit in ${this.memory.length}`);
    this.#used = offset + size;
    return this.#base + offset;
  }

  /** A new 32-bit word holding `value` (negative values stored as two's complement). */
  word(value: number): number {
    const address = this.take(4);
    this.#view.setUint32(address - this.#base, value >>> 0, true);
    return address;
  }

  /** A copy of `data`; returns its address. */
  bytes(data: Uint8Array): number {
    const address = this.take(data.length);
    this.memory.set(data, address - this.#base);
    return address;
  }

  /** A NUL-terminated copy of `text`. */
  string(text: string): number {
    return this.bytes(new TextEncoder().encode(`${text}\0`));
  }

  /** Fill the atom at `address`; its number is the i386 one of the shared table's `call`. */
  atom(address: number, call: string, fields: AtomFields): void {
    const nr = syscallByName(call)?.i386;
    if (nr === undefined) throw new Error(`sample image: ${call} has no i386 number`);
    const f = UATOM32.fields;
    const set = (offset: number, value: number): void => this.#view.setUint32(address - this.#base + offset, value >>> 0, true);
    set(f.flags.offset, fields.flags ?? 0);
    set(f.nr.offset, nr);
    set(f.ret_ptr.offset, fields.ret ?? 0);
    set(f.next.offset, fields.next ?? 0);
    for (let i = 0; i < 6; i++) set(f.arg_ptr.offset + i * 4, fields.args?.[i] ?? 0);
    set(f.private.offset, 0);
  }
}
