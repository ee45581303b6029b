/**
 * The plugin fuzz's reference interpreter (test/fuzz/plugins.ts): walks a plugin template with the
 * semantics docs/plugins.md and docs/syslets.md give it, and makes each atom's syscall directly
 * (engine/native's syscallWord) on twin files, in memory of its own: a Buffer per result cell,
 * local cell, scratch area and `out`/`ptr` parameter. What it computes is what plugin.run must
 * answer, atom by atom.
 *
 * Its rules, written from the docs (and from the code where they are silent):
 * - results start as NOT_EXECUTED (-2^63); cells from their literal or parameter; scratch areas
 *   zeroed, then their fields; an `out` parameter is zeroed bytes;
 * - every pointer an atom passes must lie, with its length, in one area (a cell, a result cell, a
 *   scratch area, a parameter's bytes), else the atom's result is -EFAULT and no call is made; a
 *   length of 0 is not checked; a length that is negative or past 2^53 is -EFAULT. An `out`
 *   parameter's area is its byte count, a `path`'s its bytes and NUL (findings F1 and F3 of
 *   docs/reliability.md "Session 20: plugfuzz20" were that they were the pooled block's);
 * - umem_add adds modulo 2^64 and returns the new value as a signed word; umem_add32 on 32 bits,
 *   unsigned; read_size as syslets.md §2.4, its result a signed word (finding F2);
 * - after an atom: a stop flag that fires ends the chain (`flag`), or with SKIP_TO_NEXT_ON_STOP
 *   goes to the atom laid after it; otherwise its `next`; the atom limit stops before an atom.
 *
 * What it cannot predict it says by throwing {@link Unpredictable} (the case then ends, counted):
 * a cursor moved outside its area and used with a length (the engine's address could land in
 * other engine memory), a pointer used as a scalar, fstat's bytes used as data, a write that
 * would make a file larger than {@link MAX_FILE}.
 */
import { addressOf, syscallWord, EFAULT, type Word } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import { syscallByName } from '../../engine/syscalls/table.js';
import type { ArgSpec } from '../../engine/syscalls/types.js';
import type { ArgTemplate, AtomTemplate, CellInit, PluginDefinition, ScratchTemplate } from '../../plugins/types.js';

/** The files never grow past this (a write beyond it ends the case before the engine makes it). */
export const MAX_FILE = 1 << 20;
const NOT_EXECUTED = -(2n ** 63n);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const STAT_BYTES = 144;

/** Thrown when the reference cannot say what the engine must answer. */
export class Unpredictable extends Error {}

/** One area of the reference's memory. */
export interface Area {
  readonly name: string;
  readonly bytes: Buffer;
  /** Bytes a pointer into it may cover. */
  readonly bound: number;
  /** Per byte, 0 where fstat wrote something that differs between twin files (inode, times). */
  readonly mask: Uint8Array;
}

/** A parameter's value on the reference side. */
export type RefParam =
  | { kind: 'fd'; fd: number }
  | { kind: 'in'; bytes: Uint8Array }
  | { kind: 'path'; area: Area; length: number }
  | { kind: 'out'; count: number; area: Area }
  | { kind: 'ptr'; area: Area }
  | { kind: 'scalar'; value: number | bigint };

/** What the reference computed for one run. */
export interface RefOutcome {
  readonly executed: boolean[];
  readonly results: bigint[];
  /** Per atom: the area its result points into (a moved cursor), else null. */
  readonly resultTags: (string | null)[];
  readonly stop: 'end' | 'flag' | 'limit' | 'cancelled';
  readonly last: number;
  readonly atomsExecuted: number;
  readonly cells: Map<string, { value: bigint; tag: string | null }>;
  readonly scratch: Map<string, Area>;
  /** Each pointer area's base address on the reference side. */
  readonly bases: Map<string, number>;
}

/** newArea - an area of `size` bytes (at least 1 allocated), all comparable. */
export function newArea(name: string, size: number, bound = size): Area {
  return { name, bytes: Buffer.alloc(Math.max(size, 8)), bound, mask: new Uint8Array(Math.max(size, 8)).fill(1) };
}

const toWord = (value: bigint): Word => (value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value);

/** The signed 64-bit word of a literal or parameter value (a bigint up to 2^64 - 1 is read modulo 2^64). */
export const wordOf = (value: number | bigint): bigint => BigInt.asIntN(64, BigInt(value));

function storeField(area: Area, at: number, width: 2 | 4 | 8, big: boolean, value: bigint): void {
  const view = new DataView(area.bytes.buffer, area.bytes.byteOffset, area.bytes.length);
  if (width === 8) view.setBigUint64(at, BigInt.asUintN(64, value), !big);
  else if (width === 4) view.setUint32(at, Number(BigInt.asUintN(32, value)), !big);
  else view.setUint16(at, Number(BigInt.asUintN(16, value)), !big);
}

/**
 * runReference - run `definition` once with `params` (by name), making its calls directly.
 * @param limit - the engine's maxAtomsPerChain.
 * @throws Unpredictable (see the module's comment).
 */
export function runReference(definition: PluginDefinition, params: Readonly<Record<string, RefParam>>, limit: number): RefOutcome {
  const atoms = definition.atoms;
  const count = atoms.length;
  const ids = new Map<string, number>();
  atoms.forEach((atom, i) => atom.id !== undefined && ids.set(atom.id, i));
  const index = (ref: number | string): number => (typeof ref === 'number' ? ref : (ids.get(ref) as number));
  const areas: Area[] = [];
  const bases = new Map<string, number>();
  const add = (area: Area): Area => {
    areas.push(area);
    return area;
  };
  const resultAreas = atoms.map((_, i) => add(newArea(`result ${i}`, 8)));
  for (const area of resultAreas) area.bytes.writeBigInt64LE(NOT_EXECUTED, 0);
  const resultTags: (string | null)[] = atoms.map(() => null);
  // A parameter's word: a buffer's address, a length, a scalar.
  const paramWord = (name: string): { value: bigint; tag: string | null } => {
    const param = params[name];
    if (param === undefined) throw new Error(`no parameter ${name}`);
    switch (param.kind) {
      case 'fd': return { value: BigInt(param.fd), tag: null };
      case 'scalar': return { value: wordOf(param.value), tag: null };
      case 'in': return { value: BigInt(addressOf(param.bytes)), tag: name };
      default: return { value: BigInt(addressOf(param.area.bytes)), tag: name };
    }
  };
  const lengthOf = (name: string): bigint => {
    const param = params[name];
    return BigInt(param?.kind === 'in' ? param.bytes.length : param?.kind === 'out' ? param.count : param?.kind === 'path' ? param.length : 0);
  };
  for (const [name, param] of Object.entries(params)) {
    if (param.kind === 'in') {
      add({ name, bytes: Buffer.from(param.bytes.buffer, param.bytes.byteOffset, param.bytes.length), bound: param.bytes.length, mask: new Uint8Array(param.bytes.length).fill(1) });
      bases.set(name, addressOf(param.bytes));
    } else if (param.kind === 'out' || param.kind === 'ptr' || param.kind === 'path') {
      add(param.area);
      bases.set(name, addressOf(param.area.bytes));
    }
  }
  const cellAreas = new Map<string, Area>();
  const cellTags = new Map<string, string | null>();
  for (const [cell, init] of Object.entries((definition.cells ?? {}) as Record<string, CellInit>)) {
    const area = add(newArea(`cell ${cell}`, 8));
    cellAreas.set(cell, area);
    const word = typeof init === 'object' ? paramWord(init.param) : { value: wordOf(init), tag: null };
    area.bytes.writeBigInt64LE(word.value, 0);
    cellTags.set(cell, word.tag);
  }
  const scratch = new Map<string, Area>();
  for (const [name, template] of Object.entries((definition.scratch ?? {}) as Record<string, ScratchTemplate | number>)) {
    const size = typeof template === 'number' ? template : template.size;
    const area = add(newArea(`scratch ${name}`, size));
    scratch.set(name, area);
    if (typeof template === 'number') continue;
    for (const field of template.fields ?? []) {
      const value = field.param !== undefined ? paramWord(field.param).value : field.lengthOf !== undefined ? lengthOf(field.lengthOf) : wordOf(field.value ?? 0);
      storeField(area, field.at, field.width, field.byteOrder === 'big', value);
    }
  }
  const areaAt = (address: bigint, length: bigint): { area: Area; offset: number } | null => {
    for (const area of areas) {
      const base = BigInt(addressOf(area.bytes));
      if (address >= base && address + length <= base + BigInt(area.bound)) return { area, offset: Number(address - base) };
    }
    return null;
  };
  // An argument's word and, for a pointer-valued one, the area it was derived from.
  const argWord = (arg: ArgTemplate): { value: bigint; tag: string | null } => {
    if (typeof arg === 'number' || typeof arg === 'bigint') return { value: wordOf(arg), tag: null };
    if ('param' in arg) return paramWord(arg.param);
    if ('lengthOf' in arg) return { value: lengthOf(arg.lengthOf), tag: null };
    if ('result' in arg) {
      const i = index(arg.result);
      return { value: (resultAreas[i] as Area).bytes.readBigInt64LE(0), tag: resultTags[i] ?? null };
    }
    if ('cell' in arg) return { value: (cellAreas.get(arg.cell) as Area).bytes.readBigInt64LE(0), tag: cellTags.get(arg.cell) ?? null };
    const area = 'ref' in arg ? (cellAreas.get(arg.ref) as Area) : 'scratch' in arg ? (scratch.get(arg.scratch) as Area) : (resultAreas[index(arg.resultRef)] as Area);
    return { value: BigInt(addressOf(area.bytes)), tag: null };
  };
  // A write into [at, at + length) of an area: cells and result cells there are no longer cursors.
  const wrote = (target: { area: Area; offset: number }, length: number, stat: boolean): void => {
    const { area, offset } = target;
    for (let k = offset; k < offset + length; k++) area.mask[k] = stat && !((k - offset >= 24 && k - offset < 28) || (k - offset >= 48 && k - offset < 56)) ? 0 : 1;
    for (const [cell, cellArea] of cellAreas) if (cellArea === area) cellTags.set(cell, null);
    resultAreas.forEach((resultArea, i) => resultArea === area && (resultTags[i] = null));
  };
  const masked = (target: { area: Area; offset: number }, length: number): boolean => {
    for (let k = target.offset; k < target.offset + length; k++) if (target.area.mask[k] === 0) return true;
    return false;
  };

  const executed = atoms.map(() => false);
  let atom = 0;
  let ran = 0;
  let last = -1;
  let stop: RefOutcome['stop'];
  for (;;) {
    if (ran >= limit) {
      stop = 'limit';
      break;
    }
    const template = atoms[atom] as AtomTemplate;
    const { value, tag } = execute(template);
    (resultAreas[atom] as Area).bytes.writeBigInt64LE(value, 0);
    resultTags[atom] = tag;
    executed[atom] = true;
    last = atom;
    ran++;
    const flags = template.flags ?? 0;
    const fires = ((flags & 0x08) !== 0 && value !== 0n) || ((flags & 0x10) !== 0 && value === 0n) || ((flags & 0x20) !== 0 && value < 0n) || ((flags & 0x40) !== 0 && value <= 0n);
    if (fires) {
      if ((flags & 0x80) === 0) {
        stop = 'flag';
        break;
      }
      atom++;
      continue;
    }
    const next = template.next === null ? -1 : template.next === undefined ? (atom + 1 < count ? atom + 1 : -1) : index(template.next);
    if (next < 0) {
      stop = 'end';
      break;
    }
    atom = next;
  }
  const cells = new Map([...cellAreas].map(([cell, area]) => [cell, { value: area.bytes.readBigInt64LE(0), tag: cellTags.get(cell) ?? null }]));
  return { executed, results: resultAreas.map((area) => area.bytes.readBigInt64LE(0)), resultTags, stop, last, atomsExecuted: ran, cells, scratch, bases };

  function execute(template: AtomTemplate): { value: bigint; tag: string | null } {
    const spec = syscallByName(template.call);
    if (spec === undefined) throw new Error(`no call ${template.call}`);
    const words = template.args.map(argWord);
    // Confinement, as engine/confinement.ts: every pointer with its length in one area.
    const targets: ({ area: Area; offset: number } | null)[] = [];
    for (let a = 0; a < spec.args.length; a++) {
      const arg = spec.args[a] as ArgSpec;
      const word = words[a] as { value: bigint; tag: string | null };
      if (arg.kind !== 'ptr') {
        if (word.tag !== null) throw new Unpredictable(`a pointer (from ${word.tag}) passed as ${template.call}'s ${arg.name}`);
        targets.push(null);
        continue;
      }
      const len = typeof arg.len === 'object' && 'size' in arg.len ? BigInt(arg.len.size) : typeof arg.len === 'object' && 'arg' in arg.len ? (words[arg.len.arg] as { value: bigint }).value : 0n;
      if (word.value === 0n) {
        if (len === 0n && typeof arg.len === 'object' && 'arg' in arg.len) {
          targets.push(null);
          continue;
        }
        return { value: -BigInt(EFAULT), tag: null };
      }
      if (word.value < 0n || len < 0n || len > MAX_SAFE) return { value: -BigInt(EFAULT), tag: null };
      if (len === 0n) {
        targets.push(null);
        continue;
      }
      const found = areaAt(word.value, len);
      if (word.tag !== null) {
        // A cursor: inside its area, or at least starting there, the answer is known.
        const base = BigInt(bases.get(word.tag) as number);
        const start = areaAt(word.value, 1n);
        if (found === null && (start === null || start.area.name !== word.tag) && word.value !== base) throw new Unpredictable(`a cursor from ${word.tag} moved to ${word.value - base} and used for ${len} bytes`);
      }
      if (found === null) return { value: -BigInt(EFAULT), tag: null };
      targets.push(found);
    }
    const value = (a: number): bigint => (words[a] as { value: bigint }).value;
    const target = (a: number): { area: Area; offset: number } => targets[a] as { area: Area; offset: number };
    switch (template.call) {
      case 'umem_add': {
        const t = target(0);
        if (masked(t, 8)) throw new Unpredictable('umem_add on bytes fstat wrote');
        const cellTag = cellTagAt(t);
        const sum = BigInt.asIntN(64, t.area.bytes.readBigInt64LE(t.offset) + value(1));
        t.area.bytes.writeBigInt64LE(sum, t.offset);
        return { value: sum, tag: cellTag };
      }
      case 'umem_add32': {
        const t = target(0);
        if (masked(t, 4)) throw new Unpredictable('umem_add32 on bytes fstat wrote');
        if (cellTagAt(t) !== null) throw new Unpredictable('umem_add32 on a cursor');
        const sum = BigInt.asUintN(32, BigInt(t.area.bytes.readUInt32LE(t.offset)) + value(1));
        t.area.bytes.writeUInt32LE(Number(sum), t.offset);
        return { value: sum, tag: null };
      }
      case 'read_size': {
        const want = target(0);
        const st = target(1);
        if (masked({ area: st.area, offset: st.offset + 48 }, 8)) throw new Unpredictable('read_size of bytes fstat wrote');
        const size = st.area.bytes.readBigInt64LE(st.offset + 48);
        const done = BigInt.asUintN(64, value(2));
        const chunk = BigInt.asUintN(64, value(3));
        const result = chunk === 0n || (size > 0n && done >= size) ? 0n : size > done && size - done < chunk ? size - done : chunk;
        const signed = BigInt.asIntN(64, result);
        want.area.bytes.writeBigInt64LE(signed, want.offset);
        wrote(want, 8, false);
        return { value: signed, tag: null };
      }
      default: {
        if ((template.call === 'write' || template.call === 'pwrite64') && targets[1] !== null && masked(target(1), Number(value(2)))) throw new Unpredictable(`${template.call} of bytes fstat wrote`);
        if (template.call === 'write' || template.call === 'pwrite64') {
          const fd = Number(value(0));
          const at = template.call === 'pwrite64' ? value(3) : BigInt(syscallWord(NR.lseek, fd, 0, 1));
          if (at >= 0n && value(2) > 0n && at + value(2) > BigInt(MAX_FILE)) throw new Unpredictable(`a ${template.call} of ${value(2)} bytes at ${at}`);
        }
        const args = template.args.map((_, a) => toWord(value(a)));
        const result = BigInt(syscallWord(NR[template.call as keyof typeof NR], ...(args as number[])));
        if (result >= 0n) {
          const out = spec.args.findIndex((arg) => arg.kind === 'ptr' && arg.dir !== 'in');
          if (out >= 0 && targets[out] !== null) wrote(target(out), template.call === 'fstat' ? STAT_BYTES : Number(result), template.call === 'fstat');
        }
        return { value: result, tag: null };
      }
    }
  }

  /** The cursor tag of the cell or result cell at `t` (null: not a whole cell, or not a cursor). */
  function cellTagAt(t: { area: Area; offset: number }): string | null {
    if (t.offset !== 0) return null;
    for (const [cell, area] of cellAreas) if (area === t.area) return cellTags.get(cell) ?? null;
    const i = resultAreas.indexOf(t.area);
    return i >= 0 ? (resultTags[i] ?? null) : null;
  }
}

/**
 * composedReference - what composePlugins(name, parts) must do (docs/plugins.md): each part runs
 * as itself, with the shared parameters, and where its chain would end (a NULL next) the next part
 * begins; a stop flag or the atom limit ends them all. The parts' cells and scratch areas are
 * named `i:name`; a part that never ran keeps its initial values.
 * @throws Unpredictable as runReference does.
 */
export function composedReference(parts: readonly PluginDefinition[], params: Readonly<Record<string, RefParam>>, limit: number): RefOutcome {
  const executed: boolean[] = [];
  const results: bigint[] = [];
  const resultTags: (string | null)[] = [];
  const cells = new Map<string, { value: bigint; tag: string | null }>();
  const scratch = new Map<string, Area>();
  const bases = new Map<string, number>();
  let stop: RefOutcome['stop'] = 'end';
  let last = -1;
  let ran = 0;
  let offset = 0;
  let going = true;
  parts.forEach((definition, index) => {
    // A part that does not run: a run with a limit of 0 makes no call and gives its initial cells and areas.
    const outcome = runReference(definition, params, going ? limit - ran : 0);
    executed.push(...outcome.executed);
    results.push(...outcome.results);
    resultTags.push(...outcome.resultTags);
    for (const [cell, value] of outcome.cells) cells.set(`${index}:${cell}`, value);
    for (const [area, bytes] of outcome.scratch) scratch.set(`${index}:${area}`, bytes);
    for (const [name, base] of outcome.bases) bases.set(name, base);
    if (going) {
      if (outcome.last >= 0) last = offset + outcome.last;
      ran += outcome.atomsExecuted;
      stop = outcome.stop;
      going = outcome.stop === 'end';
    }
    offset += definition.atoms.length;
  });
  return { executed, results, resultTags, stop, last, atomsExecuted: ran, cells, scratch, bases };
}
