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
 * A POSIX request's aio_status atom, once its argument values have passed a check, is run by the
 * plan itself (executor-canned-status.ts: the same stores, through int32 views); on the ring or a
 * cachemiss thread the chain's aio_status runs as any private call.
 *
 * A plan is a few numbers per atom in one Float64Array and a few references (no decoded atom is
 * kept: 100,000 requests in flight have 100,000 plans). The hot path allocates nothing: a plan's
 * arrays are made the first time it is made, and the region-wide views it reads through once per
 * region.
 */
import type { Word } from './native/index.js';
import { EFAULT } from './native/index.js';
import { ATOM, MAX_ARGS, STOP, SYSLET_SKIP_TO_NEXT_ON_STOP, stopFlagFires } from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Policy } from './policy.js';
import type { CompiledSyscall } from './compiled-table.js';
import { DecodedAtom } from './atom-decode.js';
import { readPointer, writeWord } from './words.js';
import type { ExecOutcome, ExecutorOptions, RingPort } from './executor-types.js';
import { RING, type AtomCall } from './atom-call.js';
import { wordsDiffer } from './executor-canned-words.js';
import { plannedStatus } from './executor-canned-status.js';
import type { RegionViews, StatusViews } from './executor-canned-views.js';
import * as layout from './executor-canned-plan.js';
import { makePlan, type CannedChain, type PlanRef } from './executor-canned-plan.js';

export { CannedChain } from './executor-canned-plan.js';
export type { RegionViews } from './executor-canned-views.js';

// The plan's layout as this module's own consts: TurboFan folds a module's consts into the code
// it compiles, but not an imported binding, whose every use loads its cell and tests it for the
// hole (the run below uses them ~50 times an atom: +450 instructions a P1 read when imported).
const { ATOM_WORDS, CHECKED_ARGS, CHECKED_REGIONS, CHECKED_VERSION, COMPILED, I_ARG_COUNT, I_CELLS, I_COMPARED, I_CONFINED } = layout;
const { I_FLAGS, I_KIND, I_NR, I_RET_INDEX, KIND_READ, KIND_STATUS, NEXT, NEXT_REGION, PER_ATOM, PER_ATOM_INTS, PER_ATOM_REFS, RET } = layout;
const { LIVE_WORDS, PLANNED_WORDS, RET_REGION, STATUS_VIEWS, WORDS } = layout;
// (The same for what run() uses of other modules; a function so named is a constant call target.)
const ATOM_SIZE = ATOM.size;
const ATOM_NEXT = ATOM.next;
const NEXT_WORD = ATOM.next / 8;
const STOP_END = STOP.end;
const STOP_FLAG = STOP.flag;
const STOP_FAULT = STOP.fault;
const SKIP_TO_NEXT = SYSLET_SKIP_TO_NEXT_ON_STOP;
const MINUS_EFAULT = -EFAULT;
const RING_CALL = RING;
const ARG_SLOTS = MAX_ARGS;
const stopFires = stopFlagFires;
const differ = wordsDiffer;
const status = plannedStatus;
const TWO32 = 4294967296;
const SAFE_HIGH = 0x200000;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);


/** The part of an inline executor that runs canned chains (see the module's comment). */
export class CannedRunner {
  readonly #memory: MemoryRegistry;
  readonly #policy: Policy;
  readonly #call: AtomCall;
  readonly #options: ExecutorOptions;
  // Continues a chain generically from an atom, on an outcome that says what ran before it (Executor.walk).
  readonly #walk: (atom: number, out: ExecOutcome, firstRegion: Region | null, first: number) => void;
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  // How many leading slots of #args may hold something other than 0 (run() clears the rest).
  #argsWritten = 0;
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
    if (plan.version !== memory.version || plan.region !== region) makePlan(plan, region, memory, this.#options, this.#call.decoder, this.#scratch, this.#views);
    out.last = 0;
    out.atoms = 0;
    out.stop = STOP_END;
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
      const ir = i * PER_ATOM_REFS;
      const differs = differ(refs[ir + LIVE_WORDS] as Float64Array, refs[ir + PLANNED_WORDS] as Float64Array, ints[ia + I_COMPARED] as number);
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
      // aio_status, run by the plan once its values have passed a check (NaN: the planned private-call path).
      const kind = ints[ia + I_KIND] as number;
      let result: number | bigint | symbol = kind === KIND_STATUS ? status(int32, ints, ia, numbers, at, version, refs[i * PER_ATOM_REFS + STATUS_VIEWS] as StatusViews) : NaN;
      if (result !== result) {
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
          this.#argsWritten = ARG_SLOTS;
          this.#walk(atom, out, region, first);
          return;
        }
        // The slots past the atom's arguments read 0, as executeDecoded's do: only those a run
        // may have written since they were last cleared are cleared again.
        if (this.#argsWritten > argCount) for (let k = argCount; k < ARG_SLOTS; k++) args[k] = 0;
        this.#argsWritten = argCount;
        // A confined argument past the atom's own reads 0, compared with what last passed.
        if (confined >>> argCount !== 0) {
          for (let k = argCount; k < ARG_SLOTS; k++) if ((confined & (1 << k)) !== 0 && numbers[at + CHECKED_ARGS + k] !== 0) same = false;
        }
        const compiled = refs[i * PER_ATOM_REFS + COMPILED] as CompiledSyscall;
        // (A full check may write the slots: all of them are cleared for the next atom.)
        if (!same) this.#argsWritten = ARG_SLOTS;
        if (!same && (result = call.confine(compiled, args)) !== 0) {
          // Refused: the call is not made; its answer is the check's.
        } else {
          if (!same) this.#remember(numbers, refs, i, compiled, args, version);
          result = kind === KIND_READ ? call.cannedRead(compiled, nr, args) : call.cannedPrivate(compiled, args, refs[i * PER_ATOM_REFS + CHECKED_REGIONS] as (Region | null)[]);
        }
      }
      const flags = ints[ia + I_FLAGS] as number;
      const ret = numbers[at + RET] as number;
      const retRegion = refs[i * PER_ATOM_REFS + RET_REGION] as Region | null;
      const bit = 1 << i;
      if (typeof result === 'symbol') {
        if (result === RING_CALL) {
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
      const stopped = stopFires(flags, value);
      let next: number;
      let nextRegion: Region | null;
      if (stopped) {
        if ((flags & SKIP_TO_NEXT) === 0) {
          out.stop = STOP_FLAG;
          return;
        }
        next = atom + ATOM_SIZE;
        nextRegion = next >= region.start && next + ATOM_SIZE <= region.end ? region : memory.find(next, ATOM_SIZE);
      } else {
        // `next` is read after the call, which may have rewritten it: the planned one only if its word is still the planned one.
        const nextAt = (liveAt + NEXT_WORD) | 0;
        const plannedNext = numbers[at + WORDS + NEXT_WORD] as number;
        if (live[nextAt] === plannedNext && (plannedNext !== 0 || int32[2 * nextAt + 1] === 0) && memory.version === version) {
          next = numbers[at + NEXT] as number;
          nextRegion = refs[i * PER_ATOM_REFS + NEXT_REGION] as Region | null;
        } else {
          next = readPointer(region.view, atom - region.start + ATOM_NEXT);
          nextRegion = next <= 0 ? null : next >= region.start && next + ATOM_SIZE <= region.end ? region : memory.find(next, ATOM_SIZE);
        }
        if (next === 0) {
          out.stop = STOP_END;
          return;
        }
      }
      if (nextRegion === null) {
        // The atom whose next (or skip target) is bad takes the fault as its result.
        if (retRegion !== null) writeWord(retRegion, ret, MINUS_EFAULT);
        out.result = MINUS_EFAULT;
        out.stop = STOP_FAULT;
        return;
      }
      if (i + 1 >= count || next !== atom + ATOM_SIZE || nextRegion !== region) {
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
      // An aio_status atom's views of the regions found (its planned run writes through them).
      const views = refs[i * PER_ATOM_REFS + STATUS_VIEWS];
      if (views !== null && views !== undefined) (views as StatusViews).fill(args, regions, this.#views);
    }
    numbers[at + CHECKED_VERSION] = version;
  }

}
