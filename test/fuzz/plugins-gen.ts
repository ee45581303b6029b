/**
 * The plugin fuzz's generator (test/fuzz/plugins.ts): random but valid plugin definitions over a
 * safe set of calls on the fuzz's own files, and the per-run parameter values they take.
 *
 * Valid by construction: every argument fits its call's argument kind (plugins/define.ts's rules,
 * restated here), every `{ result }`/`{ resultRef }` names an atom that runs before on every path
 * — decided here by a different algorithm than the loader's dominator iteration: atom j runs
 * before atom i when i cannot be reached from atom 0 without passing j — so a refusal of a
 * generated definition is a finding, not noise.
 *
 * Pointer-valued cells ("cursors", started from an `in`, `out` or `ptr` parameter) are kept apart
 * from scalars: only pointer arguments read them, and the result of a umem_add that moves one is
 * never used as a scalar, since the engine's and the reference's addresses differ.
 */
import { syscallByName } from '../../engine/syscalls/table.js';
import type { ArgSpec } from '../../engine/syscalls/types.js';
import { SYSLET_SKIP_TO_NEXT_ON_STOP } from '../../engine/atom.js';
import type { ArgTemplate, AtomTemplate, CellInit, ParamKind, PluginDefinition, ScratchField, ScratchTemplate } from '../../plugins/types.js';
import type { Prng } from './prng.js';

/** The calls a generated plugin makes: none has an effect outside the fuzz's files and engine memory, none blocks for good. */
export const SAFE_CALLS = ['getpid', 'getuid', 'umem_add', 'umem_add32', 'read_size', 'lseek', 'pread64', 'pwrite64', 'read', 'write', 'fstat', 'fdatasync'] as const;
export type SafeCall = (typeof SAFE_CALLS)[number];
const WEIGHTED: readonly SafeCall[] = [
  'pread64', 'pread64', 'pread64', 'pwrite64', 'pwrite64', 'read', 'read', 'write', 'write', 'umem_add', 'umem_add', 'umem_add',
  'umem_add32', 'read_size', 'read_size', 'lseek', 'lseek', 'fstat', 'getpid', 'getuid',
];
/** Edge values of a 64-bit word (as the definition writes them: numbers while safe, bigints beyond). */
export const EDGE_WORDS: readonly (number | bigint)[] = [
  0, 1, 2, 7, 8, 63, 64, 65, 100, 144, 4095, 4096, 4097, 10_000, -1, -2, -8, -100, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1,
  -(2 ** 53 - 1), 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n,
];
/** Small values: counts and offsets that stay inside the areas and the files. */
export const SMALL: readonly number[] = [0, 0, 1, 3, 8, 16, 24, 48, 64, 100, 128, 200, 512, 1000, 4096, 5000];
/** lseek's whence: SEEK_SET, CUR, END, DATA, HOLE and two no kernel knows. */
const WHENCES = [0, 0, 1, 1, 2, 3, 4, 5, -1];
const SCRATCH_SIZES = [8, 16, 64, 100, 144, 200, 1024, 4096];
const STOP_FLAGS = [0x08, 0x10, 0x20, 0x40, 0x20 | 0x10, 0x40 | 0x08];
/** ASYNC, SYNC, NO_COMPLETE: no effect on what a chain answers. */
const MODE_FLAGS = [0x01, 0x02, 0x04];

/** What the driver needs to know of a generated plugin besides its definition. */
export interface Generated {
  readonly definition: PluginDefinition;
  /** Parameters by name, with their kinds. */
  readonly params: Readonly<Record<string, ParamKind>>;
  /** Cells started from a pointer parameter (cursors), with that parameter. */
  readonly pointerCells: ReadonlyMap<string, string>;
  /** Scratch areas fstat may write (compared on st_mode and st_size only; never a write's source). */
  readonly statAreas: ReadonlySet<string>;
  /** Parameters mirrored into a scratch field narrower than 8 bytes (given small values). */
  readonly narrow: ReadonlySet<string>;
  /** Whether some `next` goes back (a loop). */
  readonly loops: boolean;
}

/** Whether atom `j` runs before atom `i` on every path: i is unreachable from 0 once j is removed. */
export function dominates(successors: readonly (readonly number[])[], j: number, i: number): boolean {
  if (j === i) return false;
  if (j === 0) return i !== 0;
  const seen = new Set<number>([0]);
  const stack = [0];
  while (stack.length > 0) {
    const at = stack.pop() as number;
    if (at === i) return false;
    for (const to of successors[at] ?? []) {
      if (to === j || seen.has(to)) continue;
      seen.add(to);
      stack.push(to);
    }
  }
  return true;
}

/** Per atom, where the chain may go after it (its `next`; the atom after it when SKIP_TO_NEXT_ON_STOP may fire). */
export function successorsOf(atoms: readonly { flags?: number; next?: number | string | null }[]): number[][] {
  return atoms.map((atom, i) => {
    const out: number[] = [];
    const next = atom.next === null ? -1 : atom.next === undefined ? (i + 1 < atoms.length ? i + 1 : -1) : (atom.next as number);
    if (next >= 0) out.push(next);
    const flags = atom.flags ?? 0;
    if ((flags & 0x78) !== 0 && (flags & SYSLET_SKIP_TO_NEXT_ON_STOP) !== 0 && !out.includes(i + 1)) out.push(i + 1);
    return out;
  });
}

/** generate - one random valid plugin definition named `name`. */
export function generate(r: Prng, name: string): Generated {
  const params: Record<string, ParamKind> = {};
  const fdCount = 1 + r.int(2);
  for (let i = 0; i < fdCount; i++) params[`f${i}`] = 'fd';
  if (r.chance(0.6)) params.src = 'in';
  if (r.chance(0.6)) params.dst = 'out';
  if (r.chance(0.4)) params.mem = 'ptr';
  if (r.chance(0.25)) params.name = 'path';
  const scalarKinds: ParamKind[] = ['size', 'off64', 'int', 'uint'];
  for (let i = 0, n = r.int(3); i < n; i++) params[`n${i}`] = r.pick(scalarKinds);
  const pointerParams = Object.keys(params).filter((p) => params[p] === 'in' || params[p] === 'out' || params[p] === 'ptr' || params[p] === 'path');
  const scalarParams = Object.keys(params).filter((p) => scalarKinds.includes(params[p] as ParamKind));

  const cells: Record<string, CellInit> = {};
  const pointerCells = new Map<string, string>();
  const scalarCells: string[] = [];
  const countdowns: string[] = [];
  for (let i = 0, n = r.int(5); i < n; i++) {
    const cell = `c${i}`;
    const roll = r.int(10);
    if (roll < 3 && pointerParams.length > 0) {
      const param = r.pick(pointerParams);
      cells[cell] = { param };
      pointerCells.set(cell, param);
    } else if (roll < 5 && scalarParams.length > 0) {
      cells[cell] = { param: r.pick(scalarParams) };
      scalarCells.push(cell);
    } else {
      cells[cell] = r.chance(0.5) ? r.pick(SMALL) : r.pick(EDGE_WORDS);
      scalarCells.push(cell);
    }
  }
  // A countdown for bounded loops, most of the time.
  if (r.chance(0.7)) {
    cells.count = r.chance(0.7) ? 1 + r.int(6) : r.pick([0, -1, 2 ** 32, 2n ** 63n]);
    countdowns.push('count');
  }

  const scratch: Record<string, ScratchTemplate | number> = {};
  const statAreas = new Set<string>();
  const narrow = new Set<string>();
  const dataAreas: string[] = [];
  for (let i = 0, n = r.int(4); i < n; i++) {
    const area = `s${i}`;
    const size = r.pick(SCRATCH_SIZES);
    if (size >= 144 && r.chance(0.5)) statAreas.add(area);
    else dataAreas.push(area);
    if (r.chance(0.3)) {
      const fields: ScratchField[] = [];
      for (let k = 0, m = 1 + r.int(3); k < m; k++) {
        const width = r.pick([2, 4, 8] as const);
        const at = r.int(size - width + 1);
        // Overlapping fields are left out: a value field is stored before every parameter's,
        // whatever their order (docs/reliability.md, Session 20: plugfuzz20, observation O1).
        if (fields.some((field) => at < field.at + field.width && field.at < at + width)) continue;
        const base = { at, width, ...(r.chance(0.3) ? { byteOrder: 'big' as const } : {}) };
        const buffers = pointerParams.filter((p) => params[p] === 'in' || params[p] === 'out');
        const roll = r.int(3);
        if (roll === 0 && scalarParams.length > 0) {
          const param = r.pick(scalarParams);
          if (width < 8) narrow.add(param);
          fields.push({ ...base, param });
        } else if (roll === 1 && buffers.length > 0) {
          const param = r.pick(buffers);
          // A length mirrored narrow: the buffers' lengths are small.
          fields.push({ ...base, lengthOf: param });
        } else {
          fields.push({ ...base, value: width === 8 ? r.pick(EDGE_WORDS) : r.int(1 << (8 * width - 1)) });
        }
      }
      scratch[area] = { size, fields };
    } else {
      scratch[area] = size;
    }
  }

  const count = 1 + r.int(16);
  const calls: SafeCall[] = Array.from({ length: count }, () => r.pick(WEIGHTED));
  // Control flow first (the `{ result }` rule depends on it).
  const flow: { flags: number; next?: number | null }[] = calls.map((_, i) => {
    let flags = 0;
    if (r.chance(0.45)) flags |= r.pick(STOP_FLAGS);
    if ((flags & 0x78) !== 0 && i < count - 1 && r.chance(0.5)) flags |= SYSLET_SKIP_TO_NEXT_ON_STOP;
    if (r.chance(0.08)) flags |= r.pick(MODE_FLAGS);
    const roll = r.int(20);
    const next = roll === 0 ? null : roll <= 3 ? r.int(count) : roll === 4 && i > 0 ? r.int(i) : undefined;
    return next === undefined ? { flags } : { flags, next };
  });
  // A countdown loop: umem_add(&count, -1) that leaves with a stop flag, and a later atom jumping back to it.
  let loops = flow.some((f, i) => typeof f.next === 'number' && f.next <= i);
  let loopHead = -1;
  if (countdowns.length > 0 && count >= 3 && r.chance(0.5)) {
    const head = r.int(count - 1);
    const tail = head + 1 + r.int(count - 1 - head);
    calls[head] = 'umem_add';
    flow[head] = { flags: 0x20 | (head < count - 1 && r.chance(0.5) ? SYSLET_SKIP_TO_NEXT_ON_STOP : 0) };
    flow[tail] = { ...(flow[tail] as { flags: number }), next: head };
    loops = true;
    loopHead = head;
  }
  const successors = successorsOf(flow);
  const atoms: AtomTemplate[] = calls.map((call, i) => {
    const spec = syscallByName(call);
    const before = Array.from({ length: count }, (_, j) => j).filter((j) => dominates(successors, j, i));
    // Results usable as scalars: not a umem_add that may move a cursor.
    const scalarResults = before.filter((j) => !movesCursor(j));
    const args = i === loopHead ? [{ ref: 'count' }, -1] : (spec?.args ?? []).map((arg, a) => argFor(arg, a, call, before, scalarResults));
    // A literal length past a scratch area is refused when defined (tested by the mutations): kept inside.
    (spec?.args ?? []).forEach((arg, a) => {
      const target = args[a];
      if (arg.kind !== 'ptr' || typeof arg.len !== 'object' || !('arg' in arg.len) || typeof target !== 'object' || !('scratch' in target)) return;
      const length = args[arg.len.arg];
      const size = sizeOf(scratch[target.scratch]);
      if ((typeof length === 'number' || typeof length === 'bigint') && BigInt(length) > BigInt(size)) args[arg.len.arg] = r.int(size + 1);
    });
    const f = flow[i] as { flags: number; next?: number | null };
    const atom: AtomTemplate = { call, args, ...(f.flags !== 0 || r.chance(0.1) ? { flags: f.flags } : {}), ...(f.next !== undefined ? { next: f.next } : {}) };
    return r.chance(0.3) ? { id: `a${i}`, ...atom } : atom;
  });
  // Ids may name `next` targets and results: rewrite some numeric references to ids.
  const ids = atoms.map((atom) => atom.id);
  const named = atoms.map((atom) => ({
    ...atom,
    ...(typeof atom.next === 'number' && ids[atom.next] !== undefined && r.chance(0.5) ? { next: ids[atom.next] } : {}),
    args: atom.args.map((arg) => {
      if (typeof arg === 'object' && 'result' in arg && typeof arg.result === 'number' && ids[arg.result] !== undefined && r.chance(0.5)) return { result: ids[arg.result] as string };
      return arg;
    }),
  }));
  // Every parameter must be used: the unused ones are dropped.
  const used = new Set<string>();
  const note = (arg: unknown): void => {
    if (typeof arg === 'object' && arg !== null) {
      if ('param' in arg) used.add((arg as { param: string }).param);
      if ('lengthOf' in arg) used.add((arg as { lengthOf: string }).lengthOf);
    }
  };
  for (const atom of named) atom.args.forEach(note);
  for (const init of Object.values(cells)) note(init);
  for (const template of Object.values(scratch)) if (typeof template === 'object') for (const field of template.fields ?? []) note(field);
  for (const param of Object.keys(params)) if (!used.has(param)) delete params[param];
  const definition: PluginDefinition = {
    name, params,
    ...(Object.keys(cells).length > 0 || r.chance(0.2) ? { cells } : {}),
    ...(Object.keys(scratch).length > 0 ? { scratch } : {}),
    atoms: named,
  };
  return { definition, params, pointerCells, statAreas, narrow, loops };

  // (Any umem_add: which cell it moves is decided with its arguments.)
  function movesCursor(j: number): boolean {
    return calls[j] === 'umem_add' || calls[j] === 'umem_add32';
  }

  function pointerArg(arg: ArgSpec & { kind: 'ptr' }, before: readonly number[], call: SafeCall): ArgTemplate {
    const need = typeof arg.len === 'object' && 'size' in arg.len ? arg.len.size : 0;
    const reads = arg.dir === 'in';
    const options: (() => ArgTemplate | null)[] = [];
    // A stat buffer (fstat's, read_size's st): a stat area, or any area large enough.
    if (need >= 144) {
      const stats = [...statAreas];
      if (stats.length > 0) options.push(() => ({ scratch: r.pick(stats) }), () => ({ scratch: r.pick(stats) }), () => ({ scratch: r.pick(stats) }));
      const big = dataAreas.filter((area) => sizeOf(scratch[area]) >= 144);
      if (big.length > 0 && !(call === 'fstat')) options.push(() => ({ scratch: r.pick(big) }));
      if (params.mem !== undefined && call !== 'fstat') options.push(() => ({ param: 'mem' }));
    } else {
      if (dataAreas.length > 0) options.push(() => ({ scratch: r.pick(dataAreas) }));
      if (call === 'umem_add' || call === 'umem_add32' || call === 'read_size') {
        // Counters: a cell (a cursor, a countdown), a result cell, a scratch word.
        const all = Object.keys(cells);
        if (all.length > 0) options.push(() => ({ ref: r.pick(all) }), () => ({ ref: r.pick(all) }));
        if (countdowns.length > 0) options.push(() => ({ ref: r.pick(countdowns) }));
        if (before.length > 0) options.push(() => ({ resultRef: r.pick(before) }));
      } else {
        // A buffer: a cell or result cell now and then (8 bytes), the parameters, the cursors.
        const all = Object.keys(cells).filter((cell) => !pointerCells.has(cell));
        if (all.length > 0 && r.chance(0.3)) options.push(() => ({ ref: r.pick(all) }));
        if (before.length > 0 && r.chance(0.2)) options.push(() => ({ resultRef: r.pick(before) }));
        const fitting = pointerParams.filter((p) => params[p] === 'ptr' || (reads ? params[p] === 'in' || params[p] === 'path' : params[p] === 'out'));
        if (fitting.length > 0) options.push(() => ({ param: r.pick(fitting) }), () => ({ param: r.pick(fitting) }));
        const cursors = [...pointerCells].filter(([, p]) => params[p] === 'ptr' || (reads ? params[p] === 'in' || params[p] === 'path' : params[p] === 'out')).map(([cell]) => cell);
        if (cursors.length > 0) options.push(() => ({ cell: r.pick(cursors) }), () => ({ cell: r.pick(cursors) }));
      }
    }
    for (let tries = 0; tries < 8 && options.length > 0; tries++) {
      const made = r.pick(options)();
      if (made !== null) return made;
    }
    // Nothing declared fits: a scratch area made for it.
    const area = `x${Object.keys(scratch).length}`;
    scratch[area] = need >= 144 ? 144 + r.int(64) : r.pick([8, 64, 512]);
    if (need >= 144) statAreas.add(area);
    else dataAreas.push(area);
    return { scratch: area };
  }

  function argFor(arg: ArgSpec, a: number, call: SafeCall, before: readonly number[], scalarResults: readonly number[]): ArgTemplate {
    if (arg.kind === 'ptr') return pointerArg(arg, before, call);
    if (arg.kind === 'fd') {
      const fds = Object.keys(params).filter((p) => params[p] === 'fd');
      return r.chance(0.92) ? { param: r.pick(fds) } : r.pick([-1, 9999, -100, 2 ** 31 - 1]);
    }
    // A scalar: size, off64 or int (lseek's whence).
    if (call === 'lseek' && a === 2) return r.chance(0.9) ? r.pick(WHENCES) : scalarFrom(['int', 'uint', 'size'], scalarResults, false);
    if ((call === 'umem_add' || call === 'umem_add32') && a === 1) {
      // The increment: -1 for countdowns, a read's result for cursors, edge values now and then.
      const roll = r.int(10);
      if (roll < 4) return -1;
      if (roll < 7 && scalarResults.length > 0) return { result: r.pick(scalarResults) };
      return roll < 9 ? r.pick(SMALL) : r.pick(EDGE_WORDS);
    }
    if (call === 'read_size' && a === 3 && r.chance(0.5)) {
      // A chunk: small, or 2^63 and more (finding F2: its result is the signed word the stop flags test).
      return r.chance(0.6) ? r.pick(SMALL) : r.pick([1, 64, 4096, 2 ** 53 - 1, 2n ** 62n, 2n ** 63n, 2n ** 64n - 1n, -2]);
    }
    return scalarFrom(['int', 'uint', 'size', 'off64'], scalarResults, arg.kind === 'size' || arg.kind === 'off64');
  }

  function scalarFrom(kinds: readonly string[], scalarResults: readonly number[], cellsFit: boolean): ArgTemplate {
    const fittingParams = scalarParams.filter((p) => kinds.includes(params[p] as string) && (params[p] !== 'off64' || cellsFit));
    const buffers = Object.keys(params).filter((p) => params[p] === 'in' || params[p] === 'out' || params[p] === 'path');
    const roll = r.int(12);
    if (roll < 3) return r.pick(SMALL);
    if (roll < 4) return r.pick(EDGE_WORDS);
    if (roll < 6 && fittingParams.length > 0) return { param: r.pick(fittingParams) };
    if (roll < 7 && buffers.length > 0) return { lengthOf: r.pick(buffers) };
    // Literal-started cells are off64: they feed size and off64 arguments, not int.
    const fittingCells = scalarCells.filter((cell) => {
      const init = cells[cell];
      if (typeof init === 'object') return kinds.includes(params[init.param] as string) && (params[init.param] !== 'off64' || cellsFit);
      return cellsFit;
    });
    if (roll < 9 && fittingCells.length > 0) return { cell: r.pick(fittingCells) };
    if (scalarResults.length > 0) return { result: r.pick(scalarResults) };
    return r.pick(SMALL);
  }
}

function sizeOf(template: ScratchTemplate | number | undefined): number {
  return template === undefined ? 0 : typeof template === 'number' ? template : template.size;
}
