/**
 * The converter: a whole 32-bit chain becomes a 64-bit chain in engine memory, once, before it
 * runs ("you can translate into any arbitrary internal format _once_, and be done with it",
 * Linus, 2007). The engine then runs ordinary 64-bit atoms and never sees a 32-bit pointer.
 *
 * Rules (docs/compat32.md has them table by table):
 * - every reachable 32-bit atom maps to one 88-byte atom; atoms keep their address order, so the
 *   atom 44 bytes after a SKIP_TO_NEXT_ON_STOP atom becomes the atom 88 bytes after its image;
 * - the i386 number goes through the shared syscall table; hard-denied calls keep their x86-64
 *   number so the engine's policy answers -EPERM at run time (policy lives in one place);
 * - arguments and results go through shadow cells (cells.ts): zero-extended pointers and
 *   unsigned kinds, sign-extended ints, fds, pids and 32-bit offsets, joined split offsets;
 * - iovec arrays, timespecs, stat64, siginfo and msghdr are converted into engine memory;
 * - umem_add on a 32-bit word becomes umem_add32 on that word's cell (modulo 2^32, as on i386),
 *   or a 64-bit umem_add on the joined cell when the word is the low half of a split offset, so
 *   the add carries into the high half.
 *
 * Write-back happens only when {@link Conversion.writeBack} is called, which run.ts does once
 * the whole chain has completed (inline or on a cachemiss thread): results and umem targets are
 * copied into their 32-bit words truncated to 32 bits, then out-structs are converted back.
 * Data buffers need no write-back: their 32-bit pointers are real addresses in the arena.
 */
import { ATOM, MAX_ARGS } from '../engine/atom.js';
import type { MemoryRegistry, Region } from '../engine/memory.js';
import { SYSLET_NR, isDenied, syscallByName } from '../engine/syscalls/table.js';
import type { ArgSpec, I386Arg, ScalarKind } from '../engine/syscalls/types.js';
import { contains32, type Space32 } from './arena.js';
import { readChain32, MAX_COMPAT32_ATOMS, type Atom32, type Chain32 } from './chain32.js';
import { CellAllocator, type Cell, type UseSite } from './cells.js';
import { ConversionError, hex32 } from './errors.js';
import { buildStructArg, type StructPlan } from './struct-args.js';
import type { ArgRule } from './arg-rule.js';
import { Conversion, type ConvertedAtom } from './conversion.js';

export type { ArgRule };
export { Conversion, type ConvertedArg, type ConvertedAtom, type WriteBackReport } from './conversion.js';

/** Options of {@link convertChain}. */
export interface ConvertOptions {
  /** Bound on distinct atoms (default {@link MAX_COMPAT32_ATOMS}). */
  readonly maxAtoms?: number;
}

const SIGNED: ReadonlySet<ScalarKind> = new Set<ScalarKind>(['int', 'fd', 'pid', 'signo', 'clock', 'off64']);
/** Calls whose first argument points at a one-word counter or result the 64-bit call reads 8 bytes wide. */
const COUNTER_ARG: Readonly<Record<string, boolean>> = { umem_add32: true, aio_status: true };
/** i386-only denied calls and the x86-64 call the policy denies for the same reason. */
const DENIED_EQUIVALENT: Readonly<Record<string, string>> = { mmap2: 'mmap', sigreturn: 'rt_sigreturn' };

interface PlannedArg {
  readonly index64: number;
  /** The i386 argument slot of the (low) word, for error messages. */
  readonly slot: number;
  readonly word: number;
  /** For split offsets: the high word (0 when its argument pointer was NULL). */
  readonly hi: number;
  readonly split: boolean;
}

interface Draft {
  readonly atom: Atom32;
  readonly nr64: number;
  readonly name64: string;
  readonly args: { index64: number; cell: Cell; rule: ArgRule; words: number[] }[];
  readonly ret: Cell | null;
}

/**
 * Maps an atom's i386 argument words to 64-bit argument indices following its i386Shape:
 * `'as64'` takes the next index, `{lo: i}`/`{hi: i}` fill index i (a `{lo: i}` without a
 * `{hi: i}` is a plain word placed at index i), `'zero'` words are ignored.
 * Words after the first NULL argument pointer are absent, as in the 2007 copy_uatom().
 */
function planArgs(atom: Atom32): PlannedArg[] {
  const spec = atom.spec;
  const shape: readonly I386Arg[] | undefined = isDenied(spec) ? undefined : spec.i386Shape?.args;
  const wordCount = isDenied(spec) ? atom.argCount : (shape?.length ?? spec.args.length);
  const byIndex = new Map<number, { slot: number; word: number; hi: number; split: boolean }>();
  let nextIndex = 0;
  for (let slot = 0; slot < Math.min(wordCount, atom.argCount); slot++) {
    const mapping = shape?.[slot] ?? 'as64';
    const word = atom.argPtrs[slot] as number;
    if (mapping === 'zero') continue;
    if (mapping === 'as64') {
      byIndex.set(nextIndex, { slot, word, hi: 0, split: false });
      nextIndex++;
    } else if ('lo' in mapping) {
      // A low half with no high half in the shape just places a 32-bit word at that index.
      const split = shape?.some((other) => typeof other === 'object' && 'hi' in other && other.hi === mapping.lo) === true;
      byIndex.set(mapping.lo, { slot, word, hi: 0, split });
      nextIndex = Math.max(nextIndex, mapping.lo + 1);
    } else {
      const low = byIndex.get(mapping.hi);
      if (low !== undefined) low.hi = word;
      nextIndex = Math.max(nextIndex, mapping.hi + 1);
    }
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([index64, plan]) => ({ index64, ...plan }));
}

function nr64Of(atom: Atom32): { nr: number; name: string } {
  const spec = atom.spec;
  if (spec.name === 'umem_add32') return { nr: SYSLET_NR.umem_add, name: 'umem_add' };
  // The kernel's compat entry answers differently (openat without O_LARGEFILE): its private twin does too.
  const compat = spec.i386Shape?.compat;
  const twin = compat === undefined ? undefined : syscallByName(compat);
  if (twin !== undefined && twin.x86_64 >= 0) return { nr: twin.x86_64, name: twin.name };
  if (spec.x86_64 >= 0) return { nr: spec.x86_64, name: spec.name };
  const equivalent = DENIED_EQUIVALENT[spec.name];
  const target = equivalent === undefined ? undefined : syscallByName(equivalent);
  if (target === undefined || target.x86_64 < 0) {
    throw new ConversionError(atom.index, atom.address, 'nr', 'ENOSYS', `i386 ${spec.name} (${atom.nr}) has no x86-64 counterpart`);
  }
  return { nr: target.x86_64, name: target.name };
}

/**
 * convertChain - read the 32-bit chain at `entry` and build its 64-bit image in engine memory.
 *
 * @param space - the 32-bit memory: an {@link Arena32} registered with `memory` (to run the
 *   result), or any Space32 (to inspect a conversion).
 * @param memory - the engine's MemoryRegistry; one block is allocated in it.
 * @param entry - the 32-bit address of the first atom.
 * @param options - see {@link ConvertOptions}.
 * @returns the conversion; run `conversion.entry64` with the engine, then call `writeBack()`,
 *   and dispose it to free the engine memory.
 * @throws ConversionError: EFAULT (a pointer outside `space`), ENOSYS (unknown i386 number),
 *   E2BIG (too many atoms, or an iovec count above IOV_MAX), EINVAL (misaligned or overlapping
 *   atoms, a word used both as half of a split offset and as a plain word, msghdr control data).
 * @example
 * ```ts
 * using conversion = convertChain(arena, engine.memory, image.entry);
 * await engine.runChain(conversion.entry64);
 * conversion.writeBack();
 * ```
 */
export function convertChain(space: Space32, memory: MemoryRegistry, entry: number, options: ConvertOptions = {}): Conversion {
  const started = process.hrtime.bigint();
  const chain = readChain32(space, entry, options.maxAtoms ?? MAX_COMPAT32_ATOMS);
  const order = [...chain.atoms].sort((a, b) => a.address - b.address);
  const slotOf = new Map<number, number>(order.map((atom, slot) => [atom.index, slot]));
  const cells = new CellAllocator(space, chain.atoms.length * ATOM.size);
  const plans = chain.atoms.map(planArgs);
  // Split offsets are declared first, so that any other use of their halves is seen as a conflict.
  chain.atoms.forEach((atom, index) => {
    for (const plan of plans[index] ?? []) {
      if (plan.split) cells.declareJoined(plan.word, plan.hi, { atomIndex: atom.index, atomAddress: atom.address, field: `arg_ptr[${plan.slot}]` });
    }
  });
  const written = new Set<number>(chain.atoms.filter((atom) => atom.retPtr !== 0).map((atom) => atom.retPtr));
  const structs: StructPlan[] = [];
  const drafts = chain.atoms.map((atom, index) => draftAtom(atom, plans[index] ?? [], space, cells, written, structs));
  const region = memory.allocate(Math.max(cells.size, 8));
  try {
    const converted = fill(region, drafts, slotOf, chain, cells.cells, structs, space);
    const entrySlot = slotOf.get(0) as number;
    return new Conversion(chain, converted, region.start + entrySlot * ATOM.size, region, memory, space, cells.cells, structs, Number(process.hrtime.bigint() - started));
  } catch (error) {
    memory.release(region);
    throw error;
  }
}

function draftAtom(atom: Atom32, plans: readonly PlannedArg[], space: Space32, cells: CellAllocator, written: ReadonlySet<number>, structs: StructPlan[]): Draft {
  let { nr, name } = nr64Of(atom);
  const spec = atom.spec;
  const denied = isDenied(spec);
  const args: Draft['args'] = [];
  for (const plan of plans) {
    const site: UseSite = { atomIndex: atom.index, atomAddress: atom.address, field: `arg_ptr[${plan.slot}]` };
    const value = space.view.getUint32(plan.word - space.base, true);
    if (plan.split) {
      args.push({ index64: plan.index64, cell: cells.joined(plan.word) as Cell, rule: 'joined lo/hi', words: plan.hi === 0 ? [plan.word] : [plan.word, plan.hi] });
      continue;
    }
    const words = [plan.word];
    if (plan.index64 === 0 && COUNTER_ARG[spec.name] === true) {
      if (!contains32(space, value, 4)) throw new ConversionError(atom.index, atom.address, `${site.field} → *`, 'EFAULT', `${spec.name} target ${hex32(value)} lies outside the 32-bit memory`);
      const counter = cells.counter(value, site);
      if (spec.name === 'umem_add32') {
        counter.written = true;
        // A plain word keeps counting modulo 2^32 (the engine's umem_add32 on its cell's low half):
        // a 64-bit add on the zero-extended cell never wrapped to 0, and a loop waiting for 0 ran
        // to the atom limit (hunt26). Only a split offset's joined cell carries into its high half.
        if (counter.kind !== 'joined') {
          nr = SYSLET_NR.umem_add32;
          name = 'umem_add32';
        }
      }
      args.push({ index64: 0, cell: cells.constant(BigInt(counter.offset), true), rule: 'counter cell', words });
      continue;
    }
    const kind: Compat32Kind = denied ? undefined : spec.i386Shape?.structs?.[plan.index64];
    const argSpec: ArgSpec | undefined = denied ? undefined : spec.args[plan.index64];
    if (kind !== undefined && argSpec?.kind === 'ptr') {
      const countWord = typeof argSpec.len === 'object' && 'iovCountArg' in argSpec.len ? plans.find((p) => p.index64 === (argSpec.len as { iovCountArg: number }).iovCountArg) : undefined;
      const count = countWord === undefined ? 0 : space.view.getUint32(countWord.word - space.base, true);
      const built = buildStructArg(kind, argSpec, value, count, space, cells, site);
      if (built.plan !== null) structs.push(built.plan);
      args.push({ index64: plan.index64, cell: built.cell, rule: built.rule, words });
      continue;
    }
    if (argSpec?.kind === 'ptr') checkPointer(argSpec, value, plans, space, written, site);
    // umem_add's increment is sign-extended so that a 32-bit "add -1" still decrements a 64-bit cell.
    const signed = spec.name === 'umem_add32' ? plan.index64 === 1 : argSpec !== undefined && argSpec.kind !== 'ptr' && SIGNED.has(argSpec.kind);
    args.push({ index64: plan.index64, cell: cells.word(plan.word, signed ? 'sign' : 'zero', site), rule: signed ? 'sign-extend' : 'zero-extend', words });
  }
  let ret: Cell | null = null;
  if (atom.retPtr !== 0) {
    ret = cells.word(atom.retPtr, 'sign', { atomIndex: atom.index, atomAddress: atom.address, field: 'ret_ptr' });
    ret.written = true;
  }
  return { atom, nr64: nr, name64: name, args: fillGaps(args, cells), ret };
}

type Compat32Kind = 'iovec' | 'timespec' | 'stat64' | 'siginfo' | 'msghdr' | undefined;

/** The engine stops reading arguments at the first NULL pointer, so a gap before a later argument gets a zero cell. */
function fillGaps(args: Draft['args'], cells: CellAllocator): Draft['args'] {
  const last = args.reduce((max, arg) => Math.max(max, arg.index64), -1);
  const result: Draft['args'] = [];
  for (let index64 = 0; index64 <= last && index64 < MAX_ARGS; index64++) {
    result.push(args.find((arg) => arg.index64 === index64) ?? { index64, cell: cells.constant(0n), rule: 'gap (zero)', words: [] });
  }
  return result;
}

/**
 * Checks that a plain pointer argument points into the 32-bit memory: its first byte always;
 * the whole range when the length is a fixed size, or an argument no atom writes at run time
 * (a length produced by an earlier atom is only known when the chain runs, where the engine's
 * confinement checks it again).
 */
function checkPointer(arg: ArgSpec & { kind: 'ptr' }, value: number, plans: readonly PlannedArg[], space: Space32, written: ReadonlySet<number>, site: UseSite): void {
  if (value === 0) return;
  const fail = (detail: string): never => {
    throw new ConversionError(site.atomIndex, site.atomAddress, site.field, 'EFAULT', `${arg.name} ${hex32(value)} ${detail}`);
  };
  if (!contains32(space, value, 1)) fail(`lies outside the 32-bit memory [${hex32(space.base)}, ${hex32(space.end)})`);
  const len = arg.len;
  if (len === 'cstring') {
    if (space.bytes.indexOf(0, value - space.base) < 0) fail('is a string with no NUL inside the 32-bit memory');
  } else if (typeof len === 'object' && 'size' in len) {
    if (!contains32(space, value, len.size)) fail(`(${len.size} bytes) runs past the end of the 32-bit memory`);
  } else if (typeof len === 'object' && 'arg' in len) {
    const lengthPlan = plans.find((p) => p.index64 === len.arg && !p.split);
    if (lengthPlan !== undefined && !written.has(lengthPlan.word)) {
      const length = space.view.getUint32(lengthPlan.word - space.base, true) * (len.scale ?? 1);
      if (!contains32(space, value, length)) fail(`(${length} bytes) runs past the end of the 32-bit memory`);
    }
  }
}

function fill(region: Region, drafts: readonly Draft[], slotOf: ReadonlyMap<number, number>, chain: Chain32, cells: readonly Cell[], structs: readonly StructPlan[], space: Space32): ConvertedAtom[] {
  const view = region.view;
  const start = region.start;
  const valueOf = (cell: Cell): bigint => (cell.relative ? BigInt(start) + cell.initial : cell.initial);
  for (const cell of cells) view.setBigInt64(cell.offset, BigInt.asIntN(64, valueOf(cell)), true);
  for (const plan of structs) plan.fill({ view, offset: plan.offset }, start, space);
  const address64 = (index: number): number => start + (slotOf.get(index) as number) * ATOM.size;
  return drafts.map((draft) => {
    const atom = draft.atom;
    const at = (slotOf.get(atom.index) as number) * ATOM.size;
    const next64 = atom.next === 0 ? 0 : address64(chain.indexOf.get(atom.next) as number);
    view.setBigUint64(at + ATOM.flags, BigInt(atom.flags), true);
    view.setBigUint64(at + ATOM.nr, BigInt(draft.nr64), true);
    view.setBigUint64(at + ATOM.ret_ptr, draft.ret === null ? 0n : BigInt(start + draft.ret.offset), true);
    view.setBigUint64(at + ATOM.next, BigInt(next64), true);
    for (let i = 0; i < MAX_ARGS; i++) {
      const arg = draft.args[i];
      view.setBigUint64(at + ATOM.arg_ptr + i * 8, arg === undefined ? 0n : BigInt(start + arg.cell.offset), true);
    }
    view.setBigUint64(at + ATOM.private, BigInt(atom.private), true);
    return {
      atom32: atom, address64: start + at, nr64: draft.nr64, name64: draft.name64, next64,
      retCell64: draft.ret === null ? 0 : start + draft.ret.offset,
      args: draft.args.map((arg) => ({
        index64: arg.index64, words32: arg.words, values32: arg.words.map((word) => space.view.getUint32(word - space.base, true)),
        rule: arg.rule, cell64: start + arg.cell.offset, value64: valueOf(arg.cell),
      })),
    };
  });
}
