/**
 * Control flow of a plugin template: atom ids, `next` targets, and which atoms run before which
 * on every path. An atom may only read the result of an atom that *dominates* it — one that has
 * run on every path from atom 0 to it — because on any other path the result cell would still
 * hold its reset value, and the chain would pass that on as an fd or a count.
 *
 * The graph: after atom i the chain goes to its `next` (default i + 1, none after the last,
 * `null` none) when no stop fires; when one of its STOP_* flags fires it ends, or with
 * SKIP_TO_NEXT_ON_STOP goes to atom i + 1. Results are not known at definition time, so every
 * stop flag may or may not fire: both edges exist.
 */
import { SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_MASK } from '../engine/atom.js';
import type { AtomRef, PluginDefinition } from './types.js';

/** Fails the definition: throws a PluginDefinitionError for atom `atomIndex`'s `field`. */
export type Fail = (atomIndex: number, field: string, message: string) => never;

/** The resolved control flow of a template. */
export interface Flow {
  /** Atom id → index. */
  readonly ids: ReadonlyMap<string, number>;
  /** Per atom: the next atom's index when no stop fires, or -1 (the chain ends). */
  readonly next: readonly number[];
  /** Per atom: bit j set when atom j runs before it on every path from atom 0 (itself excluded). */
  readonly before: readonly number[];
  /** Per atom: whether some path from atom 0 reaches it. */
  readonly reachable: readonly boolean[];
}

/**
 * analyseFlow - resolve ids and `next`, and compute which atoms run before which.
 * @throws (through `fail`) for a repeated id, a `next` that names no atom, SKIP_TO_NEXT_ON_STOP
 *   on the last atom (there is nothing after it to skip to).
 */
export function analyseFlow(definition: PluginDefinition, fail: Fail): Flow {
  const atoms = definition.atoms;
  const count = atoms.length;
  const ids = new Map<string, number>();
  atoms.forEach((atom, index) => {
    if (atom.id === undefined) return;
    const taken = ids.get(atom.id);
    if (taken !== undefined) fail(index, 'id', `'${atom.id}' is already atom ${taken}'s id`);
    ids.set(atom.id, index);
  });
  const flow = { ids, next: [] as number[], before: [] as number[], reachable: [] as boolean[] };
  const successors: number[][] = [];
  atoms.forEach((atom, index) => {
    const next = atom.next === null ? -1 : atom.next === undefined ? (index + 1 < count ? index + 1 : -1) : resolveAtom(flow, atom.next, count, index, 'next', fail);
    flow.next.push(next);
    const flags = atom.flags ?? 0;
    const skips = (flags & SYSLET_STOP_MASK) !== 0 && (flags & SYSLET_SKIP_TO_NEXT_ON_STOP) !== 0;
    if (skips && index === count - 1) fail(index, 'flags', 'SKIP_TO_NEXT_ON_STOP on the last atom: there is no atom after it to skip to');
    const out = new Set<number>();
    if (next >= 0) out.add(next);
    if (skips) out.add(index + 1);
    successors.push([...out]);
  });
  // Reachability, then dominators by the classic iteration over bit sets (at most 16 atoms).
  const reachable = new Array<boolean>(count).fill(false);
  const stack = [0];
  reachable[0] = true;
  while (stack.length > 0) {
    for (const to of successors[stack.pop() as number] as number[]) {
      if (!reachable[to]) {
        reachable[to] = true;
        stack.push(to);
      }
    }
  }
  const all = count >= 32 ? -1 : (1 << count) - 1;
  const dominators = atoms.map((_, index) => (index === 0 ? 1 : all));
  for (let changed = true; changed;) {
    changed = false;
    for (let index = 1; index < count; index++) {
      if (!reachable[index]) continue;
      let meet = all;
      successors.forEach((targets, from) => {
        if (reachable[from] && targets.includes(index)) meet &= dominators[from] as number;
      });
      const updated = meet | (1 << index);
      if (updated !== dominators[index]) {
        dominators[index] = updated;
        changed = true;
      }
    }
  }
  flow.before = dominators.map((set, index) => set & ~(1 << index));
  flow.reachable = reachable;
  return flow;
}

/**
 * resolveAtom - the index an atom reference names.
 * @throws (through `fail`) when it names no atom.
 */
export function resolveAtom(flow: Pick<Flow, 'ids'>, ref: AtomRef, count: number, index: number, field: string, fail: Fail): number {
  if (typeof ref === 'string') {
    const found = flow.ids.get(ref);
    return found ?? fail(index, field, `no atom '${ref}'${flow.ids.size > 0 ? ` (ids: ${[...flow.ids.keys()].join(', ')})` : ' (no atom has an id)'}`);
  }
  if (!Number.isInteger(ref) || ref < 0 || ref >= count) return fail(index, field, `no atom ${ref}`);
  return ref;
}

/** runsBefore - whether atom `producer` has run on every path to atom `consumer`. */
export function runsBefore(flow: Flow, producer: number, consumer: number): boolean {
  return ((flow.before[consumer] as number) & (1 << producer)) !== 0;
}
