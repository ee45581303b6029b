/**
 * Canned chains run as one checked unit (issue 16 P1). A plugin instance — a POSIX request's
 * aio.read, say: pread64, then aio_status — is the same few atoms run again and again from one
 * address. Its plan is made once (when first run, and again whenever the registry's version moves
 * or its words change): each atom decoded (engine/atom-decode.ts) and found to be of a kind the
 * plan can run without the executor's generic dispatch, and the words they were decoded from.
 *
 * A run then does what {@link Executor.run} does, with the same checks, in the same order:
 * - every atom's words are compared with the planned ones before it runs (anything may have
 *   rewritten them: a chain's read, another thread, the program through engine.memory); a word
 *   that differs, or a registry version that moved, hands the rest of the chain, from that atom,
 *   to the generic walk, which decodes what is there now;
 * - the policy is asked for every atom on every run (it can narrow at any time);
 * - the arguments are read through their cells when the atom runs;
 * - confinement: the values the checks read are compared with the ones that last passed for this
 *   atom (Confinement.checkRemembered's rule: a call that copies nothing depends only on them and
 *   on the regions, which the version guards); any other value is checked in full;
 * - a read that would block goes to the ring or a cachemiss thread, and the rest of the chain
 *   continues there, exactly as from the generic path (the outcome is the same record);
 * - results, stop flags (SKIP_TO_NEXT included), `next` re-read after the call, the executed
 *   mask, the atom limit and the inline budget are what run() gives.
 * Any atom the plan does not cover (a denied call, an unusual value, an atom past the plan) goes
 * through the generic code for that atom or from it on, so a plan can only ever be faster.
 *
 * A plan is a few numbers per atom in one Float64Array and a few references (no decoded atom is
 * kept: 100,000 requests in flight have 100,000 plans). The hot path allocates nothing: a plan's
 * arrays are made the first time it is made, and the region-wide views it reads through once per
 * region.
 */
import type { Word } from './native/index.js';
import { EFAULT } from './native/index.js';
import {
  ATOM, STOP, SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, stopFlagFires,
  SYSLET_SYNC,
} from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Policy } from './policy.js';
import { BLOCK, PROBE, type CompiledSyscall } from './compiled-table.js';
import { DecodedAtom } from './atom-decode.js';
import { readPointer, writeWord } from './words.js';
import { MAX_ARGS } from './atom.js';
import type { ExecOutcome, ExecutorOptions, RingPort } from './executor-types.js';
import { RING, type AtomCall } from './atom-call.js';
import { wordsDiffer } from './executor-canned-words.js';

/** Atoms one plan covers at most (a POSIX request's chain has two, three with notify.signal). */
const PLAN_ATOMS = 4;
/** An atom's words a plan can compare, as float64s: the header and the six argument pointers (not `private`). */
const ATOM_PLANNED_WORDS = ATOM.private / 8;
/** An atom's size in float64s. */
const ATOM_WORDS = ATOM.size / 8;
const KIND_NONE = 0;
/** A positional probed read (pread64). */
const KIND_READ = 1;
/** A syslet-private call that never blocks (aio_status). */
const KIND_PRIVATE = 2;

// A planned atom's numbers: PER_ATOM float64s in CannedChain.numbers, at these offsets.
/** The words its decode read, as float64s (ATOM_PLANNED_WORDS at most; `I_COMPARED` of them). */
const WORDS = 0;
/** The result cell's address (0: none). */
const RET = ATOM_PLANNED_WORDS;
const NEXT = RET + 1;
/** The confinement check's last pass: the registry version (-1: none) and the argument values it read. */
const CHECKED_VERSION = NEXT + 1;
const CHECKED_ARGS = CHECKED_VERSION + 1;
const PER_ATOM = CHECKED_ARGS + MAX_ARGS;
// Its small integers: PER_ATOM_INTS int32s in CannedChain.ints (read without a double's conversion).
/** How many of its words are compared. */
const I_COMPARED = 0;
const I_KIND = 1;
const I_NR = 2;
const I_FLAGS = 3;
const I_ARG_COUNT = 4;
/** The result cell's int32 index in the region's view (-1: not there, or not aligned). */
const I_RET_INDEX = 5;
/** The arguments the confinement check reads (compiled.confinedArgs), as a bit mask by index. */
const I_CONFINED = 6;
/** Each argument cell's int32 index in the region's view. */
const I_CELLS = 7;
const PER_ATOM_INTS = I_CELLS + MAX_ARGS;
// A planned atom's references: PER_ATOM_REFS in CannedChain.refs.
const COMPILED = 0;
const RET_REGION = 1;
const NEXT_REGION = 2;
/** A private call's regions as its last passed check found them (an array per such atom). */
const CHECKED_REGIONS = 3;
const PER_ATOM_REFS = 4;

const TWO32 = 4294967296;
const SAFE_HIGH = 0x200000;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** @internal A region's bytes as float64s and int32s (what plans in it read through). */
export interface RegionViews {
  readonly float64: Float64Array;
  readonly int32: Int32Array;
}

type PlanRef = CompiledSyscall | Region | (Region | null)[] | null;

/**
 * A canned chain: the chain at `first`, which its owner (a plugin instance) submits again and
 * again with {@link Engine.submitCanned}. It holds the plan its runs use; what it holds is never
 * trusted without the checks the module's comment lists.
 */
export class CannedChain {
  /** The chain's first atom. */
  readonly first: number;
  /** @internal The registry version the plan was made at (-1: make it again before the next run). */
  version = -1;
  /** @internal The region holding the planned atoms. */
  region: Region | null = null;
  /** @internal The registry `region` and `version` are of (the executor's that made the plan). */
  registry: MemoryRegistry | null = null;
  /** @internal Atoms planned, laid one after another from `first` (0: run generically). */
  count = 0;
  /** @internal The planned atoms' numbers (PER_ATOM each; made when a plan first has atoms). */
  numbers: Float64Array | null = null;
  /** @internal Their small integers (PER_ATOM_INTS each; made with `numbers`). */
  ints: Int32Array | null = null;
  /** @internal Their references (PER_ATOM_REFS each). */
  refs: PlanRef[] | null = null;
  /** @internal The region's bytes as float64s and int32s (shared by the plans in it). */
  views: RegionViews | null = null;

  /** @internal Made by Engine.cannedChain. */
  constructor(first: number) {
    this.first = first;
  }
}


/** What the plan runs an atom as, or KIND_NONE when only the generic path may run it. */
function kindOf(decoded: DecodedAtom, region: Region): number {
  const compiled = decoded.compiled as CompiledSyscall;
  if ((decoded.flags & (SYSLET_SYNC | SYSLET_ASYNC)) !== 0 || compiled.selfArg >= 0 || compiled.copies) return KIND_NONE;
  // Argument cells in the plan's own region, 4-byte aligned there (read through its int32s).
  for (let i = 0; i < decoded.argCount; i++) if (decoded.argCells[i] === null || decoded.argRegions[i] !== region) return KIND_NONE;
  if (compiled.impl !== null) return compiled.block === BLOCK.never ? KIND_PRIVATE : KIND_NONE;
  return compiled.block === BLOCK.probe && compiled.probe === PROBE.rwfRead && compiled.iovArg < 0 && compiled.posArg >= 0 ? KIND_READ : KIND_NONE;
}

/** The part of an inline executor that runs canned chains (see the module's comment). */
export class CannedRunner {
  readonly #memory: MemoryRegistry;
  readonly #policy: Policy;
  readonly #call: AtomCall;
  readonly #options: ExecutorOptions;
  // Continues a chain generically from an atom, on an outcome that says what ran before it (Executor.walk).
  readonly #walk: (atom: number, out: ExecOutcome, firstRegion: Region | null, first: number) => void;
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  // Where a plan's atoms are decoded (the plan keeps numbers, not the decoded atom).
  readonly #scratch = new DecodedAtom();
  readonly #views = new WeakMap<Region, RegionViews>();

  constructor(memory: MemoryRegistry, policy: Policy, call: AtomCall, options: ExecutorOptions, walk: (atom: number, out: ExecOutcome, firstRegion: Region | null, first: number) => void) {
    this.#memory = memory;
    this.#policy = policy;
    this.#call = call;
    this.#options = options;
    this.#walk = walk;
  }

  /**
   * run - run the canned chain `plan` (its first atom lies in `region`, looked up for this run),
   * as Executor.run(plan.first, out, 0, region) would.
   */
  run(plan: CannedChain, out: ExecOutcome, region: Region): void {
    const memory = this.#memory;
    if (plan.version !== memory.version || plan.region !== region) this.#plan(plan, region);
    out.last = 0;
    out.atoms = 0;
    out.stop = STOP.end;
    out.handoff = 0;
    out.ring = 0;
    out.result = 0;
    out.executed = 0;
    const first = plan.first;
    const count = plan.count;
    if (count === 0) {
      this.#walk(first, out, region, first);
      return;
    }
    const views = plan.views as RegionViews;
    const live = views.float64;
    const int32 = views.int32;
    const numbers = plan.numbers as Float64Array;
    const ints = plan.ints as Int32Array;
    const refs = plan.refs as PlanRef[];
    const call = this.#call;
    const policy = this.#policy;
    const args = this.#args;
    const version = plan.version;
    let executed = 0;
    let atom = first;
    const liveFirst = ((first - region.start) / 8) | 0;
    for (let i = 0; ; i++) {
      const at = i * PER_ATOM;
      const ia = i * PER_ATOM_INTS;
      // The atom's words, compared with the planned ones (wordsDiffer).
      // (Indices as int32s, `| 0`: an index computed from a double is converted at every access.)
      const liveAt = (liveFirst + i * ATOM_WORDS) | 0;
      const differs = wordsDiffer(live, int32, liveAt, numbers, at + WORDS, ints[ia + I_COMPARED] as number);
      const nr = ints[ia + I_NR] as number;
      if (differs || memory.version !== version || policy.check(nr) !== 0) {
        // Rewritten since it was planned (the generic walk runs what is there now; it is planned
        // again next time), or refused (the walk answers and records it).
        if (differs) plan.version = -1;
        this.#walk(atom, out, region, first);
        return;
      }
      // The arguments, read through their cells now (as executeDecoded reads them; the cells
      // are the planned ones: their pointers are among the words just compared). Those the
      // confinement check reads are compared on the way with the ones that last passed for this
      // atom: what last passed for these values passes again (no region has gone since: the version).
      const argCount = ints[ia + I_ARG_COUNT] as number;
      const confined = ints[ia + I_CONFINED] as number;
      let same = numbers[at + CHECKED_VERSION] === version;
      let a = 0;
      for (; a < argCount; a++) {
        const cell = ints[ia + I_CELLS + a] as number;
        const high = int32[cell + 1];
        if (high === undefined || high < -SAFE_HIGH || high >= SAFE_HIGH) break;
        const value = high * TWO32 + ((int32[cell] as number) >>> 0);
        args[a] = value;
        if ((confined & (1 << a)) !== 0 && value !== numbers[at + CHECKED_ARGS + a]) same = false;
      }
      if (a < argCount) {
        // A value past 2^53: the generic path reads it as a bigint.
        this.#walk(atom, out, region, first);
        return;
      }
      for (; a < MAX_ARGS; a++) {
        args[a] = 0;
        if ((confined & (1 << a)) !== 0 && numbers[at + CHECKED_ARGS + a] !== 0) same = false;
      }
      const compiled = refs[i * PER_ATOM_REFS + COMPILED] as CompiledSyscall;
      const kind = ints[ia + I_KIND] as number;
      let result: number | bigint | symbol;
      if (!same && (result = call.confine(compiled, args)) !== 0) {
        // Refused: the call is not made; its answer is the check's.
      } else {
        if (!same) this.#remember(numbers, refs, i, compiled, args, version);
        result = kind === KIND_READ ? call.cannedRead(compiled, nr, args) : call.cannedPrivate(compiled, args, refs[i * PER_ATOM_REFS + CHECKED_REGIONS] as (Region | null)[]);
      }
      const flags = ints[ia + I_FLAGS] as number;
      const ret = numbers[at + RET] as number;
      const retRegion = refs[i * PER_ATOM_REFS + RET_REGION] as Region | null;
      const bit = 1 << i;
      if (typeof result === 'symbol') {
        if (result === RING) {
          // The call was made as an io_uring request: the atom ran now; its result comes later.
          (call.ring as RingPort).bind(atom, flags, ret, retRegion);
          out.ring = atom;
          out.executed = executed | bit;
          return;
        }
        out.handoff = atom;
        return;
      }
      // From here on as Executor.walk after a call (no cancel flag and no chain table inline: no -EINTR test).
      const value: Word = typeof result === 'number' || result > MAX_SAFE_BIG || result < -MAX_SAFE_BIG ? result : Number(result);
      if (retRegion !== null) {
        const retIndex = ints[ia + I_RET_INDEX] as number;
        if (retIndex >= 0 && typeof value === 'number' && (value | 0) === value && int32.length > retIndex) {
          int32[retIndex] = value;
          int32[retIndex + 1] = value >> 31;
        } else {
          writeWord(retRegion, ret, value);
        }
      }
      out.last = atom;
      out.atoms++;
      out.result = value;
      executed |= bit;
      out.executed = executed;
      const stopped = stopFlagFires(flags, value);
      let next: number;
      let nextRegion: Region | null;
      if (stopped) {
        if ((flags & SYSLET_SKIP_TO_NEXT_ON_STOP) === 0) {
          out.stop = STOP.flag;
          return;
        }
        next = atom + ATOM.size;
        nextRegion = next >= region.start && next + ATOM.size <= region.end ? region : memory.find(next, ATOM.size);
      } else {
        // `next` is read after the call, which may have rewritten it: the planned one only if its word is still the planned one.
        const nextAt = (liveAt + ATOM.next / 8) | 0;
        const plannedNext = numbers[at + WORDS + ATOM.next / 8] as number;
        if (live[nextAt] === plannedNext && (plannedNext !== 0 || int32[2 * nextAt + 1] === 0) && memory.version === version) {
          next = numbers[at + NEXT] as number;
          nextRegion = refs[i * PER_ATOM_REFS + NEXT_REGION] as Region | null;
        } else {
          next = readPointer(region.view, atom - region.start + ATOM.next);
          nextRegion = next <= 0 ? null : next >= region.start && next + ATOM.size <= region.end ? region : memory.find(next, ATOM.size);
        }
        if (next === 0) {
          out.stop = STOP.end;
          return;
        }
      }
      if (nextRegion === null) {
        // The atom whose next (or skip target) is bad takes the fault as its result.
        if (retRegion !== null) writeWord(retRegion, ret, -EFAULT);
        out.result = -EFAULT;
        out.stop = STOP.fault;
        return;
      }
      if (i + 1 >= count || next !== atom + ATOM.size || nextRegion !== region) {
        this.#walk(next, out, nextRegion, first);
        return;
      }
      atom = next;
    }
  }

  /** Keeps what a passed confinement check read (the values; a private call's regions), as checkRemembered does. */
  #remember(numbers: Float64Array, refs: PlanRef[], i: number, compiled: CompiledSyscall, args: Word[], version: number): void {
    const at = i * PER_ATOM;
    const confined = compiled.confinedArgs;
    for (let c = 0; c < confined.length; c++) {
      const index = confined[c] as number;
      numbers[at + CHECKED_ARGS + index] = args[index] as number;
    }
    const regions = refs[i * PER_ATOM_REFS + CHECKED_REGIONS] as (Region | null)[] | null;
    if (regions !== null) {
      const found = this.#call.confinedRegions;
      const checks = compiled.checks;
      for (let c = 0; c < checks.length; c++) {
        const index = (checks[c] as (typeof checks)[number]).index;
        regions[index] = found[index] as Region | null;
      }
    }
    numbers[at + CHECKED_VERSION] = version;
  }

  /** Makes `plan` for the chain's atoms as they are now (count 0 when none can be planned). */
  #plan(plan: CannedChain, region: Region): void {
    const memory = this.#memory;
    const options = this.#options;
    const version = memory.version;
    plan.version = version;
    plan.region = region;
    plan.registry = memory;
    plan.count = 0;
    // Only on the calling thread's executor (no cancel flag, no progress words: run() tests neither there).
    if (options.cancelFlag !== undefined || options.progress !== undefined) return;
    const first = plan.first;
    const view = region.view;
    // (Cells are int32 indices in the region: a region of 8 GiB or more is not planned.)
    if (view.byteOffset % 8 !== 0 || (first - region.start) % 8 !== 0 || first < region.start || view.byteLength >= 2 ** 33) return;
    const room = Math.min(PLAN_ATOMS, Math.floor((region.end - first) / ATOM.size), options.inlineBudget, options.maxAtomsPerChain);
    const scratch = this.#scratch;
    let count = 0;
    while (count < room) {
      const atom = first + count * ATOM.size;
      const decoded = this.#call.decoder.decodeInto(scratch, region, atom - region.start, atom);
      const kind = decoded === null ? KIND_NONE : kindOf(decoded, region);
      if (decoded === null || kind === KIND_NONE) break;
      if (plan.numbers === null || plan.numbers.length < (count + 1) * PER_ATOM) {
        // Made once per chain (for as many atoms as its first plan found), kept from then on.
        const atoms = Math.max(room, 2);
        const numbers = new Float64Array(atoms * PER_ATOM);
        const ints = new Int32Array(atoms * PER_ATOM_INTS);
        if (plan.numbers !== null) numbers.set(plan.numbers);
        if (plan.ints !== null) ints.set(plan.ints);
        plan.numbers = numbers;
        plan.ints = ints;
        plan.refs = new Array<PlanRef>(atoms * PER_ATOM_REFS).fill(null);
      }
      const numbers = plan.numbers;
      const ints = plan.ints as Int32Array;
      const refs = plan.refs as PlanRef[];
      const at = count * PER_ATOM;
      const ia = count * PER_ATOM_INTS;
      // The words its decode read (the header, the argument pointers up to the first NULL) are
      // the ones compared: no run reads the others.
      const words = decoded.wordCount >> 1;
      for (let k = 0; k < words; k++) numbers[at + WORDS + k] = decoded.words64[k] as number;
      ints[ia + I_COMPARED] = words;
      ints[ia + I_KIND] = kind;
      ints[ia + I_NR] = decoded.nr;
      ints[ia + I_FLAGS] = decoded.flags;
      ints[ia + I_ARG_COUNT] = decoded.argCount;
      for (let a = 0; a < decoded.argCount; a++) ints[ia + I_CELLS + a] = ((decoded.argPointers[a] as number) - region.start) / 4;
      let confined = 0;
      for (const index of (decoded.compiled as CompiledSyscall).confinedArgs) confined |= 1 << index;
      ints[ia + I_CONFINED] = confined;
      numbers[at + RET] = decoded.ret;
      ints[ia + I_RET_INDEX] = decoded.retRegion === region && decoded.retCell !== null ? (decoded.ret - region.start) / 4 : -1;
      numbers[at + NEXT] = decoded.next;
      numbers[at + CHECKED_VERSION] = -1;
      const r = count * PER_ATOM_REFS;
      refs[r + COMPILED] = decoded.compiled;
      refs[r + RET_REGION] = decoded.retRegion;
      refs[r + NEXT_REGION] = decoded.nextRegion;
      if (kind === KIND_PRIVATE && refs[r + CHECKED_REGIONS] === null) refs[r + CHECKED_REGIONS] = [null, null, null, null, null, null];
      count++;
      if (decoded.next !== atom + ATOM.size) break;
    }
    if (count === 0) return;
    let views = this.#views.get(region);
    if (views === undefined) {
      views = { float64: new Float64Array(view.buffer, view.byteOffset, view.byteLength >> 3), int32: new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2) };
      this.#views.set(region, views);
    }
    plan.views = views;
    plan.count = count;
  }
}
