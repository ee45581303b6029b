/**
 * A canned chain's plan (split from engine/executor-canned.ts, whose comment says what a plan is
 * and which checks a run makes with it): the layout of a planned atom's numbers, small integers
 * and references, which atoms a plan covers, the chain that holds its plan, and the planning itself.
 */
import { ATOM, MAX_ARGS, SYSLET_ASYNC, SYSLET_SYNC } from './atom.js';
import { SYSLET_NR } from './syscalls/table.js';
import type { MemoryRegistry, Region } from './memory.js';
import { BLOCK, PROBE, type CompiledSyscall } from './compiled-table.js';
import type { AtomDecoder, DecodedAtom } from './atom-decode.js';
import type { ExecutorOptions } from './executor-types.js';
import { regionViewsOf, StatusViews, type RegionViews } from './executor-canned-views.js';

/** @internal Atoms one plan covers at most (a POSIX request's chain has two, three with notify.signal). */
export const PLAN_ATOMS = 4;
/** An atom's words a plan can compare, as float64s: the header and the six argument pointers (not `private`). */
export const ATOM_PLANNED_WORDS = ATOM.private / 8;
/** An atom's size in float64s. */
export const ATOM_WORDS = ATOM.size / 8;
export const KIND_NONE = 0;
/** A positional probed read (pread64). */
export const KIND_READ = 1;
/** A syslet-private call that never blocks (aio_status). */
export const KIND_PRIVATE = 2;
/** aio_status, which the plan runs itself once its argument values have passed a check (executor-canned-status.ts). */
export const KIND_STATUS = 3;

// A planned atom's numbers: PER_ATOM float64s in CannedChain.numbers, at these offsets.
/** The words its decode read, as float64s (ATOM_PLANNED_WORDS at most; `I_COMPARED` of them). */
export const WORDS = 0;
/** The result cell's address (0: none). */
export const RET = ATOM_PLANNED_WORDS;
export const NEXT = RET + 1;
/** The confinement check's last pass: the registry version (-1: none) and the argument values it read. */
export const CHECKED_VERSION = NEXT + 1;
export const CHECKED_ARGS = CHECKED_VERSION + 1;
export const PER_ATOM = CHECKED_ARGS + MAX_ARGS;
// Its small integers: PER_ATOM_INTS int32s in CannedChain.ints (read without a double's conversion).
/** How many of its words are compared. */
export const I_COMPARED = 0;
export const I_KIND = 1;
export const I_NR = 2;
export const I_FLAGS = 3;
export const I_ARG_COUNT = 4;
/** The result cell's int32 index in the region's view (-1: not there, or not aligned). */
export const I_RET_INDEX = 5;
/** The arguments the confinement check reads (compiled.confinedArgs), as a bit mask by index. */
export const I_CONFINED = 6;
/** Each argument cell's int32 index in the region's view. */
export const I_CELLS = 7;
export const PER_ATOM_INTS = I_CELLS + MAX_ARGS;
// A planned atom's references: PER_ATOM_REFS in CannedChain.refs.
export const COMPILED = 0;
export const RET_REGION = 1;
export const NEXT_REGION = 2;
/** A private call's regions as its last passed check found them (an array per such atom). */
export const CHECKED_REGIONS = 3;
/** An aio_status atom's StatusViews (executor-canned-status.ts; null for other kinds). */
export const STATUS_VIEWS = 4;
/**
 * The atom's own words in the region, as a Float64Array of ATOM_PLANNED_WORDS, and its planned
 * words (a view of `numbers` at WORDS): wordsDiffer reads both at constant indices, ~half the
 * instructions of indexing the region-wide view at a computed offset (P1: ~190 an atom).
 */
export const LIVE_WORDS = 5;
export const PLANNED_WORDS = 6;
export const PER_ATOM_REFS = 7;


/** @internal What a plan's references are: an atom's compiled call, a region, a private call's checked regions. */
export type PlanRef = CompiledSyscall | Region | (Region | null)[] | StatusViews | Float64Array | null;

/**
 * A canned chain: the chain at `first`, which its owner (a plugin instance) submits again and
 * again with {@link Engine.submitCanned}. It holds the plan its runs use; what it holds is never
 * trusted without the checks engine/executor-canned.ts's comment lists.
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
  if (compiled.impl !== null) {
    if (compiled.block !== BLOCK.never) return KIND_NONE;
    // (Its four arguments all confined: plannedStatus compares all four with the check's.)
    return decoded.nr === SYSLET_NR.aio_status && decoded.argCount === 4 && compiled.confinedArgs.length === 4 ? KIND_STATUS : KIND_PRIVATE;
  }
  return compiled.block === BLOCK.probe && compiled.probe === PROBE.rwfRead && compiled.iovArg < 0 && compiled.posArg >= 0 ? KIND_READ : KIND_NONE;
}

/**
 * @internal makePlan - make `plan` for the chain's atoms as they are now (count 0 when none can be
 * planned): each atom decoded into `scratch` and kept as numbers (the module's comment).
 * @param views - the region-wide views plans read through, one entry per region (made here when missing).
 */
export function makePlan(plan: CannedChain, region: Region, memory: MemoryRegistry, options: ExecutorOptions, decoder: AtomDecoder, scratch: DecodedAtom, views: WeakMap<Region, RegionViews>): void {
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
  let count = 0;
  while (count < room) {
    const atom = first + count * ATOM.size;
    const decoded = decoder.decodeInto(scratch, region, atom - region.start, atom);
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
    if ((kind === KIND_PRIVATE || kind === KIND_STATUS) && refs[r + CHECKED_REGIONS] === null) refs[r + CHECKED_REGIONS] = [null, null, null, null, null, null];
    // (Kept from an earlier plan of the same atom; the version check makes it refill before use.)
    if (kind === KIND_STATUS && refs[r + STATUS_VIEWS] === null) refs[r + STATUS_VIEWS] = new StatusViews();
    // (Kept while they view the same bytes: a plan is made again whenever the registry's version moves.)
    const liveAt = view.byteOffset + (atom - region.start);
    const live = refs[r + LIVE_WORDS] as Float64Array | null;
    if (live === null || live.buffer !== view.buffer || live.byteOffset !== liveAt) refs[r + LIVE_WORDS] = new Float64Array(view.buffer, liveAt, ATOM_PLANNED_WORDS);
    const planned = refs[r + PLANNED_WORDS] as Float64Array | null;
    if (planned === null || planned.buffer !== numbers.buffer) refs[r + PLANNED_WORDS] = numbers.subarray(at + WORDS, at + WORDS + ATOM_PLANNED_WORDS);
    count++;
    if (decoded.next !== atom + ATOM.size) break;
  }
  if (count === 0) return;
  plan.views = regionViewsOf(region, views);
  plan.count = count;
}
