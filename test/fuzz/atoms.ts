/**
 * Seeded fuzz driver for 64-bit syslet atoms (issue #8). Each iteration lays out a random chain
 * in a *window* of engine memory and runs it, inline or on a cachemiss thread, through
 * `Engine.runChain` or the completion ring. The window is the middle of a Buffer whose first and
 * last CANARY bytes are never registered: they are canaries, checked after every chain, as are
 * two Buffers the engine never sees (pointers into them are generated on purpose).
 *
 * Safety: the engines are narrowed to harmless calls, and the fuzz never gives a fd-taking call a
 * value that could be one of the runner's own fds:
 * - phase A ("pointer chaos"): any pointer anywhere, but only fd-free calls are allowed
 *   (getpid, gettid, getppid, getuid, sched_yield, clock_gettime, umem_add, umem_add32, aio_status,
 *   read_size);
 * - phase B ("fd calls"): read/write/pread64/pwrite64/readv/writev/preadv/pwritev/lseek/fstat/
 *   fdatasync/fadvise64 are allowed, argument pointers only reach cells whose values come from a
 *   controlled pool (the fuzz's own fds, sizes >= 64, buffer addresses, edges, invalid values).
 * Every other number (the rest of the table, hard-denied ones, private, unknown, hi-word) is
 * generated too and must come back -EPERM / -ENOSYS / -EINVAL.
 *
 * Run standalone: `node --import tsx test/fuzz/atoms.ts --seed 1 --seconds 10 [--from 0] [--out f.json]`.
 */
import { closeSync, ftruncateSync, openSync, readSync, readdirSync, readlinkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../engine/engine.js';
import { addressOf, viewOf, syscall, type Word } from '../../engine/native/index.js';
import { ATOM, STOP_NAMES } from '../../engine/atom.js';
import { setWord, readWord } from '../../engine/words.js';
import { SYSCALL_TABLE, isDenied, syscallByName } from '../../engine/syscalls/table.js';
import type { Region } from '../../engine/memory.js';
import type { TraceRecord } from '../../engine/policy.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';

/** Bytes of canary on each side of the window. */
export const CANARY = 256;
const CANARY_BYTE = 0xc5;
const OUTSIDE_BYTE = 0x5a;

// Window layout (offsets from the window start).
const ATOMS_AT = 0;
const ATOM_SLOTS = 16;
const RETS_AT = 2048;
const RET_CELLS = 32;
const ARGS_AT = 2560;
const ARG_CELLS = 64;
const IOV_AT = 4096;
const IOV_SLOTS = 1024;
// Phase B typed argument cells: [first, count] per kind; the rest hold random safe values.
const CELLS = { fd: [0, 8], buf: [8, 8], size: [16, 8], off: [24, 8], iov: [32, 4], count: [36, 4] } as const;
const BUF_AT = 20480;
const BUF_SIZE = 16384;
export const WINDOW = 40960;
/** Every small value the phase B pools hold: an fd argument can only ever be one of these or an fd the fuzz owns. */
export const FD_LIKE_VALUES: readonly number[] = [0, 512, 600, 1000, 1024, 1025, 4095, 4096, 8192, 12345, 16384, 65536, 99999];
/** What a result cell holds before any atom wrote it. */
const RET_SENTINEL = -0x5e5e5e5e;

const PHASE_A_ALLOW = ['getpid', 'gettid', 'getppid', 'getuid', 'sched_yield', 'clock_gettime', 'umem_add', 'umem_add32', 'aio_status', 'read_size'] as const;
const PHASE_B_ALLOW = ['getpid', 'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'lseek', 'fstat', 'fdatasync', 'fadvise64'] as const;

const nrOf = (name: string): number => syscallByName(name)?.x86_64 ?? -1;
const DENIED_NRS = SYSCALL_TABLE.filter((spec) => isDenied(spec) && spec.x86_64 >= 0).map((spec) => spec.x86_64);
const TABLE_NRS = SYSCALL_TABLE.filter((spec) => !isDenied(spec) && spec.x86_64 >= 0).map((spec) => spec.x86_64);
const KNOWN = new Set(SYSCALL_TABLE.map((spec) => spec.x86_64));
/** Numbers no table row has: -ENOSYS. */
const UNKNOWN_NRS = [335, 400, 463, 500, 777, 1000, 1023, 1028, 1099, 1100, 4096, 65535, 0x7fffffff, 0xffffffff].filter((nr) => !KNOWN.has(nr));

const VALID_FLAG_SETS = [0, 0, 0, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x20 | 0x80, 0x08 | 0x80, 0x01 | 0x20, 0x02 | 0x40, 0x04 | 0x01, 0x78, 0xff];
const INVALID_FLAGS: readonly Word[] = [0x100, 0x8000, 0x80000000, 0x1_0000_0000, 0x1_0000_0001, -1n, 0xff | 0x200];

/** What one fuzz run saw. */
export interface FuzzReport {
  seed: number;
  from: number;
  iterations: number;
  phaseA: number;
  phaseB: number;
  oracle: number;
  atomsLaidOut: number;
  atomsExecuted: number;
  chains: { inline: number; cachemiss: number; refused: number; viaRing: number; ringPosts: number };
  stops: Record<string, number>;
  results: { negative: number; nonNegative: number; privateValues: number };
  /**
   * Open fds (not the fuzz's own) that equal a value the fuzz can pass as an fd. The safety
   * premise is that this is empty (fd 0 excepted when it is /dev/null).
   */
  foreignFdHits: number[];
  errnos: Record<string, number>;
  denies: { hard: number; narrowed: number; selfOnly: number };
  violations: string[];
  elapsedMs: number;
}

/** Fuzz options. */
export interface FuzzOptions {
  readonly seed: number;
  /** Wall-clock budget. */
  readonly seconds: number;
  /** Stop after this many iterations even if time is left. */
  readonly maxIterations?: number;
  /** First iteration index (to replay a reported one). */
  readonly from?: number;
  /** Called before every iteration with its index (for crash breadcrumbs: a replay's `--from`). */
  readonly checkpoint?: (index: number) => void;
}

interface Fds {
  file: number;
  devNull: number;
  devZero: number;
  pipeRead: number;
  pipeWrite: number;
}

/** The shared state of one run. */
class World {
  readonly outer: Buffer;
  readonly outside1 = Buffer.alloc(4096, OUTSIDE_BYTE);
  readonly outside2 = Buffer.alloc(64, OUTSIDE_BYTE);
  readonly base: number;
  readonly end: number;
  readonly view: DataView;
  readonly canaryHead: Buffer;
  readonly canaryTail: Buffer;
  readonly engineA: Engine;
  readonly engineB: Engine;
  readonly regionA: Region;
  readonly regionB: Region;
  readonly denies: TraceRecord[] = [];
  readonly fds: Fds;
  readonly dir: string;

  constructor() {
    this.outer = Buffer.alloc(WINDOW + 2 * CANARY, CANARY_BYTE);
    this.outer.fill(0, CANARY, CANARY + WINDOW);
    this.base = addressOf(this.outer) + CANARY;
    this.end = this.base + WINDOW;
    this.canaryHead = this.outer.subarray(0, CANARY);
    this.canaryTail = this.outer.subarray(CANARY + WINDOW);
    this.view = new DataView(this.outer.buffer, this.outer.byteOffset + CANARY, WINDOW);
    const onDeny = (record: TraceRecord): void => {
      this.denies.push(record);
    };
    this.engineA = new Engine({ allow: [...PHASE_A_ALLOW], maxAtomsPerChain: 64, threads: 4, onDeny });
    this.engineB = new Engine({ allow: [...PHASE_B_ALLOW], maxAtomsPerChain: 64, threads: 4, onDeny });
    // The window is registered as a native block aliasing the middle of `outer`: the canaries
    // around it are real memory next to an engine region that the engine must never write.
    const block = { address: this.base, size: WINDOW, buffer: viewOf(this.base, WINDOW) };
    this.regionA = this.engineA.memory.registerNative(block, 'registered');
    this.regionB = this.engineB.memory.registerNative(block, 'registered');
    this.dir = mkdtempSync(join(existsShm() ? '/dev/shm' : tmpdir(), 'syslet-fuzz-'));
    const file = openSync(join(this.dir, 'data'), 'w+');
    writeFileSync(file, Buffer.alloc(8192, 0x33));
    const pipe = Buffer.alloc(8);
    const O_NONBLOCK = 0o4000;
    const O_CLOEXEC = 0o2000000;
    if (syscall(293, addressOf(pipe), O_NONBLOCK | O_CLOEXEC) !== 0) throw new Error('pipe2 failed');
    this.fds = {
      file,
      devNull: openSync('/dev/null', 'r+'),
      devZero: openSync('/dev/zero', 'r'),
      pipeRead: pipe.readInt32LE(0),
      pipeWrite: pipe.readInt32LE(4),
    };
  }

  canariesIntact(): boolean {
    for (let i = 0; i < CANARY; i++) if (this.canaryHead[i] !== CANARY_BYTE || this.canaryTail[i] !== CANARY_BYTE) return false;
    return true;
  }

  outsideIntact(): boolean {
    for (const byte of this.outside1) if (byte !== OUTSIDE_BYTE) return false;
    for (const byte of this.outside2) if (byte !== OUTSIDE_BYTE) return false;
    return true;
  }

  /** Keep the data file and pipe bounded. */
  housekeeping(): void {
    ftruncateSync(this.fds.file, 8192);
    const scratch = Buffer.alloc(65536);
    try {
      while (readSync(this.fds.pipeRead, scratch) > 0) {
        /* drain */
      }
    } catch {
      // EAGAIN: empty.
    }
  }

  async close(): Promise<void> {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await this.engineA.close();
      await this.engineB.close();
    } finally {
      clearInterval(keepAlive);
    }
    for (const fd of Object.values(this.fds) as number[]) closeSync(fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function existsShm(): boolean {
  try {
    closeSync(openSync('/dev/shm', 'r'));
    return true;
  } catch {
    return false;
  }
}

/** One laid-out input. */
interface Input {
  phase: 'A' | 'B' | 'oracle';
  first: number;
  atoms: number;
  viaRing: boolean;
  /** For oracle inputs: the exact result and stop expected, and the rule prefix of a deny record. */
  expect?: { result: number; stop?: number; rule?: string };
}

/** Generates and lays out inputs in a world. */
class Generator {
  readonly #w: World;
  #r: Prng = new Prng(1);

  constructor(world: World) {
    this.#w = world;
  }

  set rng(r: Prng) {
    this.#r = r;
  }

  #set(offset: number, value: Word): void {
    setWord(this.#w.view, offset, value);
  }

  atomAt(slot: number): number {
    return this.#w.base + ATOMS_AT + slot * ATOM.size;
  }

  retAt(i: number): number {
    return this.#w.base + RETS_AT + i * 8;
  }

  argAt(i: number): number {
    return this.#w.base + ARGS_AT + i * 8;
  }

  /** Addresses that must fault: edges of the window, around it, unregistered memory, non-canonical. */
  badPointer(): Word {
    const w = this.#w;
    const r = this.#r;
    switch (r.int(12)) {
      case 0: return w.end - 1 - r.int(7); // last 7 bytes: an 8-byte cell does not fit
      case 1: return w.end; // exactly at the end
      case 2: return w.base - 8 - 8 * r.int(CANARY / 8); // in the head canary
      case 3: return w.end + 8 * r.int(CANARY / 8); // in the tail canary
      case 4: return addressOf(w.outside1) + r.int(4096);
      case 5: return addressOf(w.outside2);
      case 6: return 1 + r.int(65536); // small integers
      case 7: return 0x7fff_ffff_f000 + r.int(4096); // high canonical
      case 8: return 0xffff_8000_0000_0000n + BigInt(r.int(4096)); // kernel half / non-canonical to us
      case 9: return 0x0000_8000_0000_0000 + r.int(65536); // first non-canonical user address
      case 10: return r.u64(); // anything
      default: return 2 ** 53 + r.int(1024) * 8; // beyond exact doubles
    }
  }

  /** Any pointer: valid cells and areas, misaligned ones, or bad ones. */
  anyPointer(): Word {
    const w = this.#w;
    const r = this.#r;
    switch (r.int(10)) {
      case 0: return this.atomAt(r.int(ATOM_SLOTS));
      case 1: return this.retAt(r.int(RET_CELLS));
      case 2: case 3: return this.argAt(r.int(ARG_CELLS));
      case 4: return w.base + BUF_AT + r.int(BUF_SIZE);
      case 5: return w.base + r.int(WINDOW); // anywhere, misaligned
      case 6: return w.end - 8 * (1 + r.int(4)); // the last cells of the window: valid
      case 7: return 0;
      default: return this.badPointer();
    }
  }

  /** A phase B argument value: never a small number that could be a runner fd. */
  safeValue(): Word {
    const w = this.#w;
    const r = this.#r;
    const fds = w.fds;
    switch (r.int(7)) {
      case 0: return r.pick([fds.file, fds.file, fds.devNull, fds.devZero, fds.pipeRead, fds.pipeWrite, -1, 0x7fffffff, 99999, -100]);
      case 1: return r.pick([0, 600, 1000, 512, 4096, 16384, 65536, 1 << 20, -1, 2 ** 31, 2 ** 32 + 64, 2 ** 53 - 1, -1n, 0x7fff_ffff_ffff_ffffn]);
      case 2: { // buffers: start, middle, flush with the end, past the end
        const at = r.int(4);
        if (at === 0) return w.base + BUF_AT;
        if (at === 1) return w.base + BUF_AT + r.int(BUF_SIZE);
        if (at === 2) return w.base + BUF_AT + BUF_SIZE - r.pick([64, 100, 512, 4096]);
        return this.badPointer();
      }
      case 3: return w.base + IOV_AT + 16 * r.int(IOV_SLOTS);
      case 4: return r.pick([0, 4095, 1 << 20, 2 ** 40, -4096, 2 ** 62]); // offsets
      case 5: return r.pick([0, 12345]); // whence / advice: SEEK_SET or invalid
      default: return this.badPointer();
    }
  }

  nr(phase: 'A' | 'B'): Word {
    const r = this.#r;
    const allow = phase === 'A' ? PHASE_A_ALLOW : PHASE_B_ALLOW;
    switch (r.int(10)) {
      case 0: return r.pick(DENIED_NRS);
      case 1: return r.pick(TABLE_NRS);
      case 2: return r.pick(UNKNOWN_NRS);
      case 3: return r.chance(0.5) ? 0x1_0000_0000 + r.int(400) : r.u64(); // hi word set: -EINVAL
      default: return nrOf(r.pick(allow));
    }
  }

  flags(): Word {
    return this.#r.chance(0.08) ? this.#r.pick(INVALID_FLAGS) : this.#r.pick(VALID_FLAG_SETS);
  }

  /** Reset the cells, iovecs and atoms of the window. */
  #clear(phase: 'A' | 'B'): void {
    const w = this.#w;
    const r = this.#r;
    new Uint8Array(w.view.buffer, w.view.byteOffset + ATOMS_AT, ATOM_SLOTS * ATOM.size).fill(0);
    for (let i = 0; i < RET_CELLS; i++) this.#set(RETS_AT + i * 8, RET_SENTINEL);
    for (let i = 0; i < ARG_CELLS; i++) this.#set(ARGS_AT + i * 8, phase === 'A' ? this.#chaosValue() : this.safeValue());
    if (phase === 'B') {
      const fds = w.fds;
      const typed = (kind: keyof typeof CELLS, value: () => Word): void => {
        const [first, count] = CELLS[kind];
        for (let i = first; i < first + count; i++) this.#set(ARGS_AT + i * 8, value());
      };
      typed('fd', () => r.pick([fds.file, fds.file, fds.devNull, fds.devZero, fds.pipeRead, fds.pipeWrite, -1, 99999]));
      typed('buf', () => (r.chance(0.85) ? w.base + BUF_AT + r.int(BUF_SIZE / 2) : this.badPointer()));
      typed('size', () => r.pick([0, 600, 1000, 512, 4096, 4096, 8192, 65536, -1, 2 ** 53 - 1]));
      typed('off', () => r.pick([0, 0, 4095, 8192, 1 << 20, -4096]));
      typed('iov', () => w.base + IOV_AT + 16 * r.int(8));
      typed('count', () => r.pick([600, 1024, 1024, 1025, -1]));
      this.#set(ARGS_AT + (ARG_CELLS - 1) * 8, 0); // SEEK_SET / POSIX_FADV_NORMAL
    }
    // The first 16 iovecs are random; the rest stay valid (restored by housekeeping) so that a
    // readv of up to IOV_MAX entries can succeed.
    const allValid = r.chance(0.5);
    for (let i = 0; phase === 'B' && i < 16; i++) {
      const inside = allValid || r.chance(0.8);
      this.#set(IOV_AT + i * 16, inside ? w.base + BUF_AT + r.int(BUF_SIZE - 64) : this.badPointer());
      this.#set(IOV_AT + i * 16 + 8, allValid ? r.pick([0, 1, 16, 8]) : r.pick([0, 1, 64, 512, 4096, 16384, -1, 2 ** 40]));
    }
  }

  /** Valid iovecs in every slot: each points at 8 bytes of the buffer area. */
  resetIovecs(): void {
    for (let i = 0; i < IOV_SLOTS; i++) {
      this.#set(IOV_AT + i * 16, this.#w.base + BUF_AT + (i % (BUF_SIZE / 8)) * 8);
      this.#set(IOV_AT + i * 16 + 8, 8);
    }
  }

  #chaosValue(): Word {
    const r = this.#r;
    switch (r.int(4)) {
      case 0: return this.anyPointer();
      case 1: return r.int(1 << 16);
      case 2: return r.pick([8, 4, 16, 3, -1, 0]);
      default: return r.u64();
    }
  }

  /** Lay out one random chain. */
  layout(phase: 'A' | 'B'): Input {
    const r = this.#r;
    this.#clear(phase);
    const count = 1 + r.int(8);
    const start = r.int(ATOM_SLOTS - count + 1);
    for (let i = 0; i < count; i++) {
      const slot = start + i;
      const at = ATOMS_AT + slot * ATOM.size;
      this.#set(at + ATOM.flags, this.flags());
      this.#set(at + ATOM.nr, this.nr(phase));
      // ret_ptr: usually a result cell, sometimes NULL, an atom field, or a bad pointer.
      const ret = r.int(10);
      this.#set(at + ATOM.ret_ptr, ret < 6 ? this.retAt(r.int(RET_CELLS)) : ret === 6 ? 0 : ret === 7 ? this.atomAt(r.int(ATOM_SLOTS)) + 8 * r.int(11) : this.badPointer());
      // next: usually the following atom; sometimes a loop, a misaligned atom, an edge, garbage.
      const nx = r.int(12);
      let next: Word;
      if (i + 1 < count && nx < 7) next = this.atomAt(slot + 1);
      else if (nx < 8) next = 0;
      else if (nx < 9) next = this.atomAt(r.int(ATOM_SLOTS));
      else if (nx < 10) next = this.atomAt(r.int(ATOM_SLOTS)) + 8 * (1 + r.int(10));
      else next = phase === 'A' ? this.anyPointer() : this.badPointer();
      this.#set(at + ATOM.next, next);
      if (phase === 'B' && r.chance(0.6)) {
        this.#typedAtom(at);
        continue;
      }
      const argCount = r.int(7);
      for (let a = 0; a < 6; a++) {
        let pointer: Word = 0;
        if (a < argCount) {
          if (phase === 'A') pointer = this.anyPointer();
          else pointer = r.chance(0.88) ? this.argAt(r.int(ARG_CELLS)) : r.chance(0.3) ? 0 : this.badPointer();
        }
        this.#set(at + ATOM.arg_ptr + a * 8, pointer);
      }
      this.#set(at + ATOM.private, r.u64());
    }
    return { phase, first: this.atomAt(start), atoms: count, viaRing: r.chance(0.3) };
  }

  /** A well-formed phase B atom: an allowed call whose arguments point at cells of the right kind. */
  #typedAtom(at: number): void {
    const r = this.#r;
    const spec = syscallByName(r.pick(PHASE_B_ALLOW));
    if (spec === undefined) return;
    this.#set(at + ATOM.nr, spec.x86_64);
    const cellOf = (kind: keyof typeof CELLS): number => {
      const [first, count] = CELLS[kind];
      return this.argAt(first + r.int(count));
    };
    spec.args.forEach((arg, a) => {
      let cell: number;
      if (arg.kind === 'fd') cell = cellOf('fd');
      else if (arg.kind === 'ptr') cell = typeof arg.len === 'object' && 'iovCountArg' in arg.len ? cellOf('iov') : cellOf('buf');
      else if (arg.kind === 'off64') cell = cellOf('off');
      else if (arg.name === 'iovcnt') cell = cellOf('count');
      else if (arg.name === 'whence' || arg.name === 'advice') cell = this.argAt(ARG_CELLS - 1);
      else cell = cellOf('size');
      this.#set(at + ATOM.arg_ptr + a * 8, r.chance(0.97) ? cell : this.badPointer());
    });
  }

  /** An input with one known answer. */
  oracle(): Input {
    const r = this.#r;
    this.#clear('B');
    const slot = r.int(ATOM_SLOTS);
    const at = ATOMS_AT + slot * ATOM.size;
    const first = this.atomAt(slot);
    const ret = this.retAt(r.int(RET_CELLS));
    this.#set(at + ATOM.ret_ptr, ret);
    const base: Input = { phase: 'oracle', first, atoms: 1, viaRing: false };
    switch (r.int(7)) {
      case 0: {
        this.#set(at + ATOM.nr, r.pick(DENIED_NRS));
        return { ...base, expect: { result: -1, stop: 0, rule: 'hard-deny: ' } };
      }
      case 1: {
        const allowed = new Set<number>(PHASE_B_ALLOW.map(nrOf));
        this.#set(at + ATOM.nr, r.pick(TABLE_NRS.filter((nr) => !allowed.has(nr))));
        return { ...base, expect: { result: -1, stop: 0, rule: 'narrowed: ' } };
      }
      case 2:
        this.#set(at + ATOM.nr, r.pick(UNKNOWN_NRS));
        return { ...base, expect: { result: -38, stop: 0 } };
      case 3:
        this.#set(at + ATOM.nr, 0x1_0000_0000 + nrOf('getpid'));
        return { ...base, expect: { result: -22, stop: 0 } };
      case 4:
        this.#set(at + ATOM.nr, nrOf('getpid'));
        this.#set(at + ATOM.flags, r.pick(INVALID_FLAGS));
        return { ...base, expect: { result: -22, stop: 2 } };
      case 5:
        // getpid reading an argument through a bad pointer: the arguments are read first.
        this.#set(at + ATOM.nr, nrOf('getpid'));
        this.#set(at + ATOM.arg_ptr, this.badPointer());
        return { ...base, expect: { result: -14, stop: 0 } };
      default: {
        // read(fd, <unregistered or edge address>, 16): confinement says -EFAULT, nothing is read.
        this.#set(ARGS_AT, this.#w.fds.devZero);
        this.#set(ARGS_AT + 8, r.pick([addressOf(this.#w.outside1), this.#w.end - 8, this.#w.base - 16, 0x7fff_ffff_f000]));
        this.#set(ARGS_AT + 16, 16);
        this.#set(at + ATOM.nr, nrOf('read'));
        this.#set(at + ATOM.arg_ptr, this.argAt(0));
        this.#set(at + ATOM.arg_ptr + 8, this.argAt(1));
        this.#set(at + ATOM.arg_ptr + 16, this.argAt(2));
        return { ...base, expect: { result: -14, stop: 0 } };
      }
    }
  }
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** runAtomFuzz - fuzz for `seconds` (or `maxIterations`), returning what was tried and seen. */
export async function runAtomFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const world = new World();
  const gen = new Generator(world);
  const from = options.from ?? 0;
  const report: FuzzReport = {
    seed: options.seed, from, iterations: 0, phaseA: 0, phaseB: 0, oracle: 0, atomsLaidOut: 0, atomsExecuted: 0,
    chains: { inline: 0, cachemiss: 0, refused: 0, viaRing: 0, ringPosts: 0 },
    stops: {}, results: { negative: 0, nonNegative: 0, privateValues: 0 }, foreignFdHits: [], errnos: {}, denies: { hard: 0, narrowed: 0, selfOnly: 0 }, violations: [], elapsedMs: 0,
  };
  // Rings live in their own engine allocations, out of the fuzz's reach.
  const ringRegions = [world.engineA, world.engineB].map((engine) => {
    const region = engine.alloc(4 * 48);
    const caps = engine.negotiateRing({ version: 2 });
    const registered = engine.async_register({ ring: region.start, ringSizeBytes: 4 * 48, capabilities: caps });
    if (registered !== 0) throw new Error(`async_register: ${registered}`);
    return region;
  });
  const violation = (index: number, input: Input, what: string): void => {
    if (report.violations.length < 50) report.violations.push(`seed ${options.seed} iteration ${index} (${input.phase}): ${what}`);
  };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const max = options.maxIterations ?? Number.POSITIVE_INFINITY;
  for (let index = from; index - from < max && performance.now() < deadline; index++) {
    options.checkpoint?.(index);
    if ((index - from) % 256 === 0) {
      world.housekeeping();
      gen.resetIovecs();
    }
    gen.rng = new Prng(seedFor(options.seed, index));
    const kind = new Prng(seedFor(options.seed ^ 0x5bd1e995, index)).int(10);
    const input = kind === 0 ? gen.oracle() : gen.layout(kind < 5 ? 'A' : 'B');
    const engine = input.phase === 'A' ? world.engineA : world.engineB;
    report.iterations++;
    report.atomsLaidOut += input.atoms;
    if (input.phase === 'A') report.phaseA++;
    else if (input.phase === 'B') report.phaseB++;
    else report.oracle++;
    const deniesBefore = world.denies.length;
    let result: number;
    let last = 0;
    let stop: number;
    let atoms: number;
    let mode: 'inline' | 'cachemiss';
    if (input.viaRing) {
      report.chains.viaRing++;
      const submitted = engine.submit(input.first, null);
      if (submitted < 0) {
        report.chains.refused++;
        violation(index, input, `submission refused ${submitted}`);
        continue;
      }
      if (submitted > 0) {
        // Inline completions are not posted (no reportInline); the engine keeps the stop reason.
        mode = 'inline';
        stop = engine.lastInlineStop;
        result = Number.NaN;
        atoms = 0;
      } else {
        mode = 'cachemiss';
        await engine.asyncWait(1);
        const completion = engine.reap();
        if (completion === null) {
          // Allowed only when the last atom had SYSLET_NO_COMPLETE.
          result = Number.NaN;
          stop = 0;
          atoms = 0;
        } else {
          report.chains.ringPosts++;
          result = Number(completion.result ?? Number.NaN);
          last = Number(completion.atom);
          stop = completion.stop ?? -1;
          atoms = completion.atoms ?? 0;
        }
        if (engine.reap() !== null) violation(index, input, 'more than one ring completion for one chain');
      }
    } else {
      try {
        const done = await engine.runChain(input.first);
        result = Number(done.result);
        last = done.last;
        stop = done.stop;
        atoms = done.atoms;
        mode = done.mode;
      } catch (error) {
        report.chains.refused++;
        if (!(error instanceof RangeError)) violation(index, input, `untyped error ${String(error)}`);
        continue;
      }
    }
    report.atomsExecuted += atoms;
    if (mode === 'inline') report.chains.inline++;
    else report.chains.cachemiss++;
    bump(report.stops, STOP_NAMES[stop] ?? `?${stop}`);
    if (!(stop >= 0 && stop <= 3)) violation(index, input, `unexpected stop ${stop}`);
    if (!Number.isNaN(result)) {
      if (!Number.isInteger(result)) violation(index, input, `result ${result} is not an integer`);
      if (result < -4095) {
        // Only the private calls return values that are not errnos (umem_add's counter, aio_status's
        // stored result, read_size's chunk); anything else is a violation.
        const nr = last >= world.base && last + ATOM.size <= world.end ? readWord(world.view, last - world.base + ATOM.nr) : -1;
        if (nr === 1024 || nr === 1025 || nr === 1026 || nr === 1027) report.results.privateValues++;
        else violation(index, input, `result ${result} of nr ${nr} is not an errno`);
      } else if (result < 0) {
        report.results.negative++;
        bump(report.errnos, String(-result));
      } else {
        report.results.nonNegative++;
      }
    }
    for (let i = deniesBefore; i < world.denies.length; i++) {
      const rule = (world.denies[i] as TraceRecord).rule;
      if (rule.startsWith('hard-deny: ')) report.denies.hard++;
      else if (rule.startsWith('narrowed: ')) report.denies.narrowed++;
      else if (rule.startsWith('self-only: ')) report.denies.selfOnly++;
      else violation(index, input, `deny record with unknown rule '${rule}'`);
    }
    if (input.expect !== undefined) {
      const expect = input.expect;
      const cell = readWord(world.view, input.first - world.base + ATOM.ret_ptr);
      const retValue = readWord(world.view, Number(cell) - world.base);
      if (result !== expect.result) violation(index, input, `oracle: result ${result}, expected ${expect.result}`);
      if (Number(retValue) !== expect.result) violation(index, input, `oracle: ret cell ${retValue}, expected ${expect.result}`);
      if (expect.stop !== undefined && stop !== expect.stop) violation(index, input, `oracle: stop ${stop}, expected ${expect.stop}`);
      if (expect.rule !== undefined) {
        const record = world.denies[deniesBefore];
        if (record === undefined || !record.rule.startsWith(expect.rule) || record.atom !== input.first) {
          violation(index, input, `oracle: deny record ${JSON.stringify(record)}, expected rule '${expect.rule}…'`);
        }
      }
    }
    if (!world.canariesIntact()) {
      violation(index, input, 'canary around the engine window was written');
      world.canaryHead.fill(CANARY_BYTE);
      world.canaryTail.fill(CANARY_BYTE);
    }
    if (!world.outsideIntact()) {
      violation(index, input, 'unregistered buffer was written');
      world.outside1.fill(OUTSIDE_BYTE);
      world.outside2.fill(OUTSIDE_BYTE);
    }
  }
  report.elapsedMs = Math.round(performance.now() - started);
  const own = new Set(Object.values(world.fds));
  const stdinIsNull = ((): boolean => {
    try {
      return readlinkSync('/proc/self/fd/0') === '/dev/null';
    } catch {
      return false;
    }
  })();
  report.foreignFdHits = readdirSync('/proc/self/fd').map(Number).filter((fd) => !own.has(fd) && FD_LIKE_VALUES.includes(fd) && !(fd === 0 && stdinIsNull));
  for (const [engine, region] of [[world.engineA, ringRegions[0]], [world.engineB, ringRegions[1]]] as const) {
    engine.async_unregister();
    if (region !== undefined) engine.free(region);
  }
  await world.close();
  return report;
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : undefined;
  return raw === undefined ? fallback : Number(raw);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seed = argValue('seed', Number(process.env.SYSLET_FUZZ_SEED ?? Date.now() % 2 ** 31));
  const seconds = argValue('seconds', Number(process.env.SYSLET_FUZZ_SECONDS ?? 4));
  const from = argValue('from', 0);
  const maxIterations = argValue('iterations', Number.POSITIVE_INFINITY);
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : undefined;
  const report = await runAtomFuzz({
    seed, seconds, from, maxIterations,
    checkpoint: writeCheckpoint,
  });
  const json = JSON.stringify(report, null, 2);
  if (out !== undefined) writeFileSync(out, json);
  else process.stderr.write(`${json}\n`);
}
