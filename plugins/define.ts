/**
 * definePlugin's checks and compiler: validate a canned-syslet template once, at definition time
 * (after shape.ts has made the plugin's own copy of it), and compile it into a native layout —
 * atoms, result cells, parameter cells, literals, local cells, scratch — that pooled instances
 * copy. A request then only fills parameter cells and resets a few bytes before
 * `engine.submit`: no allocation, no template walking, on the hot path.
 */
import { ATOM, MAX_ARGS } from '../engine/atom.js';
import { isDenied, syscallByName } from '../engine/syscalls/table.js';
import type { ArgSpec, PointerArg, SyscallSpec } from '../engine/syscalls/types.js';
import { PluginDefinitionError } from './errors.js';
import { analyseFlow, resolveAtom, runsBefore, type Flow } from './flow.js';
import { BUFFER_PARAM_KINDS, type ArgTemplate, type CellInit, type ParamKind, type PluginDefinition, type ScratchTemplate } from './types.js';

/** Where a parameter's value is copied besides its own cell: a scratch field or a local cell. */
export interface ParamMirror {
  /** Byte offset of the scratch field or cell, from the instance's base. */
  readonly offset: number;
  /** Its width in bytes. */
  readonly width: 2 | 4 | 8;
  /** Whether it is stored big-endian (network byte order: sockaddr_in ports and addresses). */
  readonly bigEndian: boolean;
}

/** The compiled, instance-independent form of a plugin. */
export interface PluginLayout {
  /** Bytes of one instance (atoms, cells and scratch), a multiple of 64. */
  readonly size: number;
  /** Number of atoms; they sit at the start of the instance, 88 bytes each. */
  readonly atomCount: number;
  /** Each atom's id (undefined when it has none). */
  readonly atomIds: readonly (string | undefined)[];
  /** Each atom's x86-64 syscall number. */
  readonly numbers: readonly number[];
  /** Each atom's `SYSLET_*` flags. */
  readonly flags: readonly number[];
  /** Each atom's next atom index (-1 = NULL, the chain ends). */
  readonly next: readonly number[];
  /** Per atom, per argument: offset of the cell its arg_ptr points at (-1 = NULL). */
  readonly argOffsets: readonly (readonly number[])[];
  /** Offset of each atom's result cell. */
  readonly retOffsets: readonly number[];
  /** Parameter name → index (what {@link PluginInstance.set} takes). */
  readonly paramIndex: ReadonlyMap<string, number>;
  /** How many parameters the definition declares; slots from here on hold buffer lengths. */
  readonly paramCount: number;
  /** Buffer parameter name → the slot holding its byte length, when `{ lengthOf }` uses it. */
  readonly lengthIndex: ReadonlyMap<string, number>;
  /** Per slot (parameters, then lengths): the byte offset of its cell in the instance. */
  readonly paramOffsets: readonly number[];
  /** Per parameter index: its kind. */
  readonly paramKinds: readonly ParamKind[];
  /** Per slot: the scratch fields and local cells it is copied into on every request. */
  readonly paramMirrors: readonly (readonly ParamMirror[])[];
  /** Local cell name → offset. */
  readonly cellOffsets: ReadonlyMap<string, number>;
  /** Scratch area name → [offset, size]. */
  readonly scratchAreas: ReadonlyMap<string, readonly [number, number]>;
  /** Bytes [resetStart, resetStart + resetImage.length) are restored before every request. */
  readonly resetStart: number;
  /** The bytes restored at `resetStart`: NOT_EXECUTED result cells, local cells' literal initial values, and zeroed scratch with its literal fields. */
  readonly resetImage: Uint8Array;
  /** Cells whose content is an address inside the instance: [cell offset, target offset]. */
  readonly addressCells: readonly (readonly [number, number])[];
  /** Literal cells: [offset, value]. */
  readonly literals: readonly (readonly [number, number | bigint])[];
  /**
   * Where the instance's areas begin (each atom, each cell, each scratch area): a slab of
   * instances is allocated with these as segments, so a length that runs past a scratch area or
   * cell is -EFAULT instead of a write into the next area or instance.
   */
  readonly segmentStarts: readonly number[];
}

/**
 * The value a result cell holds before its atom runs. Only a reset value: whether an atom ran is
 * the engine's executed mask ({@link PluginInstance.executed}), since a real result can be -2^63 too.
 */
export const NOT_EXECUTED = -(2n ** 63n);

const INTEGER_KINDS = new Set(['int', 'uint', 'size', 'flags', 'pid', 'signo', 'mode', 'clock']);
const BUFFER_KINDS = new Set<string>(BUFFER_PARAM_KINDS);
const FD_RESULTS = new Set(['openat', 'openat2', 'socket', 'accept4', 'dup', 'dup3', 'eventfd2']);

/** Whether a value of kind `have` may feed argument `want`. */
function fits(have: string, want: ArgSpec): boolean {
  if (BUFFER_KINDS.has(have)) {
    if (want.kind !== 'ptr') return false;
    if (have === 'path') return want.dir === 'in';
    if (want.len === 'cstring') return false;
    return have === 'in' ? want.dir === 'in' : want.dir !== 'in';
  }
  const kind = want.kind;
  if (have === kind) return true;
  if (kind === 'ptr' || have === 'ptr') return false;
  if (kind === 'fd' || have === 'fd') return false;
  if (kind === 'off64') return INTEGER_KINDS.has(have);
  if (have === 'off64') return kind === 'size';
  return INTEGER_KINDS.has(have) && INTEGER_KINDS.has(kind);
}

/** What the argument wants, in words. */
function wanted(want: ArgSpec): string {
  if (want.kind !== 'ptr') return `a ${want.kind}`;
  if (want.len === 'cstring') return 'a C string (a path parameter, or a pointer)';
  return want.dir === 'in' ? 'a pointer the kernel reads (an in or path parameter, or a pointer)' : 'a pointer the kernel writes (an out parameter, or a pointer)';
}

/** The parameter a cell starts from, if it is not a literal. */
export function cellParam(init: CellInit): string | undefined {
  return typeof init === 'object' ? init.param : undefined;
}

/** A scratch area's size. */
export function scratchSize(template: ScratchTemplate | number): number {
  return typeof template === 'number' ? template : template.size;
}

/** Fixed byte size a pointer argument needs, when the table says so. */
function fixedSize(arg: PointerArg): number {
  return typeof arg.len === 'object' && 'size' in arg.len ? arg.len.size : 0;
}

const ownKeys = (record: object | undefined): string[] => (record === undefined ? [] : Object.keys(record));
const has = (record: object | undefined, key: string): boolean => record !== undefined && Object.hasOwn(record, key);

/** What {@link validateDefinition} found. */
export interface Validated {
  /** Each atom's syscall row. */
  readonly specs: readonly SyscallSpec[];
  /** Ids, next targets and what runs before what. */
  readonly flow: Flow;
}

/**
 * validateDefinition - check an owned (shape-checked) template against the syscall table and
 * its own names.
 * @throws PluginDefinitionError naming the plugin, the atom index and the field.
 */
export function validateDefinition(definition: PluginDefinition): Validated {
  const name = definition.name;
  const fail = (atom: number, field: string, message: string): never => {
    throw new PluginDefinitionError(name, atom, field, message);
  };
  const params = definition.params;
  const cells = definition.cells;
  const scratch = definition.scratch;
  const kindOf = (param: string): ParamKind | undefined => (has(params, param) ? params[param] : undefined);
  const used = new Set<string>();
  for (const cell of ownKeys(cells)) {
    const param = cellParam((cells as Record<string, CellInit>)[cell] as CellInit);
    if (param === undefined) continue;
    if (kindOf(param) === undefined) fail(-1, `cells.${cell}`, `unknown parameter '${param}'`);
    used.add(param);
  }
  for (const area of ownKeys(scratch)) {
    const template = (scratch as Record<string, ScratchTemplate | number>)[area] as ScratchTemplate | number;
    if (typeof template === 'number') continue;
    for (const field of template.fields ?? []) {
      const param = field.param ?? field.lengthOf;
      if (param === undefined) continue;
      const kind = kindOf(param);
      if (kind === undefined) fail(-1, `scratch.${area}`, `unknown parameter '${param}'`);
      if (field.lengthOf !== undefined && !BUFFER_KINDS.has(kind as string)) fail(-1, `scratch.${area}`, `lengthOf '${param}': only path, in and out parameters have a length`);
      used.add(param);
    }
  }
  const flow = analyseFlow(definition, fail);
  const count = definition.atoms.length;
  const specs = definition.atoms.map((atom, index) => {
    const spec = syscallByName(atom.call);
    if (spec === undefined || spec.x86_64 < 0) return fail(index, 'call', `unknown syscall '${atom.call}'`);
    if (isDenied(spec)) return fail(index, 'call', `'${atom.call}' is denied: ${spec.policy.deny}`);
    if (atom.args.length !== spec.args.length) fail(index, 'args', `${atom.call} takes ${spec.args.length} arguments, got ${atom.args.length}`);
    return spec;
  });
  definition.atoms.forEach((atom, index) => {
    const spec = specs[index] as SyscallSpec;
    atom.args.forEach((arg, argIndex) => {
      const want = spec.args[argIndex] as ArgSpec;
      const field = `args[${argIndex}]`;
      const have = argKind(arg, index, field);
      if (have === 'literal') {
        // A literal fits any scalar; for a pointer only NULL makes sense (an address is not a constant).
        if (want.kind === 'ptr' && arg !== 0 && arg !== 0n) fail(index, field, `${want.name} is a pointer: pass {param}, {ref} or {scratch}, or 0 for NULL`);
        if (want.kind === 'ptr' && want.nullable !== true) fail(index, field, `${want.name} may not be NULL`);
        return;
      }
      if (want.kind === 'ptr' && typeof arg === 'object' && 'scratch' in arg) {
        const size = scratchSize((scratch as Record<string, ScratchTemplate | number>)[arg.scratch] as ScratchTemplate | number);
        const need = fixedSize(want);
        if (need > size) fail(index, field, `${want.name} needs ${need} bytes; scratch '${arg.scratch}' has ${size}`);
        // A literal length is known now: it must fit the area too (a run-time one is bounded by the engine).
        const len = want.len;
        const literal = typeof len === 'object' && 'arg' in len ? atom.args[len.arg] : undefined;
        if (typeof len === 'object' && 'arg' in len && (typeof literal === 'number' || typeof literal === 'bigint')) {
          const bytes = BigInt(literal) * BigInt(len.scale ?? 1);
          if (bytes > BigInt(size)) fail(index, field, `${want.name} is ${bytes} bytes (args[${len.arg}]); scratch '${arg.scratch}' has ${size}`);
        }
      }
      if (!fits(have, want)) fail(index, field, `${want.name} wants ${wanted(want)}, got ${have}`);
    });
  });
  for (const param of ownKeys(params)) if (!used.has(param)) fail(-1, `params.${param}`, 'is never used');
  return { specs, flow };

  function atomBefore(ref: string | number, index: number, field: string): number {
    const producer = resolveAtom(flow, ref, count, index, field, fail);
    if (!runsBefore(flow, producer, index)) {
      fail(index, field, `refers to atom ${producer}${typeof ref === 'string' ? ` ('${ref}')` : ''}, which does not run before atom ${index} on every path`);
    }
    return producer;
  }

  function argKind(arg: ArgTemplate, index: number, field: string): string {
    if (typeof arg === 'number' || typeof arg === 'bigint') return 'literal';
    if ('param' in arg) {
      const kind = kindOf(arg.param);
      if (kind === undefined) return fail(index, field, `unknown parameter '${arg.param}'`);
      used.add(arg.param);
      return kind;
    }
    if ('lengthOf' in arg) {
      const kind = kindOf(arg.lengthOf);
      if (kind === undefined) return fail(index, field, `unknown parameter '${arg.lengthOf}'`);
      if (!BUFFER_KINDS.has(kind)) return fail(index, field, `lengthOf '${arg.lengthOf}': only path, in and out parameters have a length (it is ${kind})`);
      used.add(arg.lengthOf);
      return 'size';
    }
    if ('result' in arg) {
      const producer = atomBefore(arg.result, index, field);
      return FD_RESULTS.has((specs[producer] as SyscallSpec).name) ? 'fd' : 'int';
    }
    if ('cell' in arg) {
      if (!has(cells, arg.cell)) return fail(index, field, `unknown cell '${arg.cell}'`);
      // A cell started from a parameter carries that parameter's kind (a cursor into a buffer is a pointer).
      const param = cellParam((cells as Record<string, CellInit>)[arg.cell] as CellInit);
      return param === undefined ? 'off64' : (kindOf(param) as string);
    }
    if ('ref' in arg) {
      if (!has(cells, arg.ref)) return fail(index, field, `unknown cell '${arg.ref}'`);
      return 'ptr';
    }
    if ('scratch' in arg) {
      if (!has(scratch, arg.scratch)) return fail(index, field, `unknown scratch area '${arg.scratch}'`);
      return 'ptr';
    }
    atomBefore(arg.resultRef, index, field);
    return 'ptr';
  }
}

/** compileLayout - lay a validated template out in memory, relative to an instance's base. */
export function compileLayout(definition: PluginDefinition, { specs, flow }: Validated): PluginLayout {
  const atomCount = definition.atoms.length;
  const cells = (definition.cells ?? {}) as Readonly<Record<string, CellInit>>;
  const scratch = (definition.scratch ?? {}) as Readonly<Record<string, ScratchTemplate | number>>;
  const segmentStarts: number[] = definition.atoms.map((_, index) => index * ATOM.size);
  let offset = atomCount * ATOM.size;
  const take = (bytes: number, align = 8): number => {
    offset = Math.ceil(offset / align) * align;
    const at = offset;
    offset += bytes;
    // Each area is its own segment, and so is the padding after it.
    segmentStarts.push(at, offset);
    return at;
  };
  // Reset span: result cells, local cells, scratch areas.
  const resetStart = Math.ceil(offset / 8) * 8;
  const retOffsets = definition.atoms.map(() => take(8));
  const cellOffsets = new Map<string, number>();
  for (const cell of Object.keys(cells)) cellOffsets.set(cell, take(8));
  const scratchOffsets = new Map<string, number>();
  for (const [area, template] of Object.entries(scratch)) scratchOffsets.set(area, take(scratchSize(template), 64));
  const resetEnd = Math.ceil(offset / 8) * 8;
  offset = resetEnd;
  const paramNames = Object.keys(definition.params);
  const paramIndex = new Map(paramNames.map((name, index) => [name, index]));
  const paramKinds = paramNames.map((name) => definition.params[name] as ParamKind);
  // Length slots for buffer parameters whose length an argument or field uses.
  const lengthNames = new Set<string>();
  for (const atom of definition.atoms) for (const arg of atom.args) if (typeof arg === 'object' && 'lengthOf' in arg) lengthNames.add(arg.lengthOf);
  for (const template of Object.values(scratch)) if (typeof template === 'object') for (const field of template.fields ?? []) if (field.lengthOf !== undefined) lengthNames.add(field.lengthOf);
  const lengthIndex = new Map([...lengthNames].map((name, i) => [name, paramNames.length + i]));
  const paramOffsets = [...paramNames, ...lengthNames].map(() => take(8));
  const paramMirrors: ParamMirror[][] = paramOffsets.map(() => []);
  const slotOf = (param: string, length: boolean): number => (length ? lengthIndex.get(param) : paramIndex.get(param)) as number;
  const literals: [number, number | bigint][] = [];
  const addressCells: [number, number][] = [];
  const argOffsets = definition.atoms.map((atom) =>
    atom.args.map((arg): number => {
      if (typeof arg === 'number' || typeof arg === 'bigint') {
        const at = take(8);
        literals.push([at, arg]);
        return at;
      }
      if ('param' in arg) return paramOffsets[slotOf(arg.param, false)] as number;
      if ('lengthOf' in arg) return paramOffsets[slotOf(arg.lengthOf, true)] as number;
      if ('result' in arg) return retOffsets[resolveAtom(flow, arg.result, atomCount, -1, 'args', failCompiled)] as number;
      if ('cell' in arg) return cellOffsets.get(arg.cell) as number;
      const target =
        'ref' in arg ? (cellOffsets.get(arg.ref) as number)
          : 'resultRef' in arg ? (retOffsets[resolveAtom(flow, arg.resultRef, atomCount, -1, 'args', failCompiled)] as number)
            : (scratchOffsets.get(arg.scratch) as number);
      const at = take(8);
      addressCells.push([at, target]);
      return at;
    }),
  );
  const size = Math.ceil(offset / 64) * 64;
  const image = new Uint8Array(resetEnd - resetStart);
  const view = new DataView(image.buffer);
  for (const ret of retOffsets) view.setBigInt64(ret - resetStart, NOT_EXECUTED, true);
  for (const [cell, initial] of Object.entries(cells)) {
    const at = cellOffsets.get(cell) as number;
    const param = cellParam(initial);
    // A parameter-started cell is written after the reset, by the same store that fills the parameter.
    if (param === undefined) view.setBigInt64(at - resetStart, BigInt(initial as number | bigint), true);
    else (paramMirrors[slotOf(param, false)] as ParamMirror[]).push({ offset: at, width: 8, bigEndian: false });
  }
  for (const [area, template] of Object.entries(scratch)) {
    if (typeof template === 'number') continue;
    const base = (scratchOffsets.get(area) as number) - resetStart;
    for (const field of template.fields ?? []) {
      const bigEndian = field.byteOrder === 'big';
      const param = field.param ?? field.lengthOf;
      if (param !== undefined) {
        (paramMirrors[slotOf(param, field.lengthOf !== undefined)] as ParamMirror[]).push({ offset: base + resetStart + field.at, width: field.width, bigEndian });
      } else if (field.value !== undefined) {
        storeField(view, base + field.at, field.width, bigEndian, field.value);
      }
    }
  }
  return {
    size,
    atomCount,
    atomIds: definition.atoms.map((atom) => atom.id),
    numbers: specs.map((spec) => spec.x86_64),
    flags: definition.atoms.map((atom) => atom.flags ?? 0),
    next: flow.next,
    argOffsets: argOffsets.map((offsets) => [...offsets, ...new Array<number>(MAX_ARGS - offsets.length).fill(-1)]),
    retOffsets,
    paramIndex,
    paramCount: paramNames.length,
    lengthIndex,
    paramOffsets,
    paramKinds,
    paramMirrors,
    cellOffsets,
    scratchAreas: new Map([...scratchOffsets].map(([area, at]) => [area, [at, scratchSize(scratch[area] as ScratchTemplate | number)] as const])),
    resetStart,
    resetImage: image,
    addressCells,
    literals,
    segmentStarts: [...new Set(segmentStarts.filter((start) => start < size))].sort((a, b) => a - b),
  };
}

/** References were resolved by validateDefinition: reaching this is a bug in this module. */
function failCompiled(_atom: number, field: string, message: string): never {
  throw new Error(`compileLayout: ${field}: ${message}`);
}

/**
 * storeField - store the low `width` bytes of `value` at `offset`, in little- or big-endian order
 * (scratch fields: a sockaddr_in's port and address are big-endian).
 */
export function storeField(view: DataView, offset: number, width: 2 | 4 | 8, bigEndian: boolean, value: number | bigint): void {
  const little = !bigEndian;
  if (width === 8) view.setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), little);
  else if (width === 4) view.setUint32(offset, Number(BigInt.asUintN(32, BigInt(value))), little);
  else view.setUint16(offset, Number(BigInt.asUintN(16, BigInt(value))), little);
}
