/**
 * definePlugin: validates a canned-syslet template once, at definition time, and compiles it
 * into a native layout — atoms, result cells, parameter cells, literals, local cells, scratch —
 * that pooled instances copy. A request then only fills parameter cells and resets a few bytes
 * before `engine.submit`: no allocation, no template walking, on the hot path.
 */
import { ATOM, MAX_ARGS, SYSLET_VALID_FLAGS } from '../engine/atom.js';
import { isDenied, syscallByName } from '../engine/syscalls/table.js';
import type { ArgSpec, SyscallSpec } from '../engine/syscalls/types.js';
import { PluginDefinitionError } from './errors.js';
import { MAX_PLUGIN_ATOMS, type ArgTemplate, type CellInit, type ParamKind, type PluginDefinition, type ScratchTemplate } from './types.js';

/** Where one argument of one atom points, relative to an instance's base. */
export interface CompiledArg {
  readonly offset: number;
}

/** Where a parameter's value is copied besides its own cell: a scratch field or a local cell. */
export interface ParamMirror {
  /** Byte offset of the scratch field, from the instance's base. */
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
  /** x86-64 numbers, flags and next indices (-1 = NULL) per atom. */
  readonly numbers: readonly number[];
  /** Each atom's `SYSLET_*` flags. */
  readonly flags: readonly number[];
  /** Each atom's next atom index (-1 = NULL, the chain ends). */
  readonly next: readonly number[];
  /** Per atom, per argument: offset of the cell its arg_ptr points at (-1 = NULL). */
  readonly argOffsets: readonly (readonly number[])[];
  /** Offset of each atom's result cell. */
  readonly retOffsets: readonly number[];
  /** Parameter name → index, and index → cell offset and kind. */
  readonly paramIndex: ReadonlyMap<string, number>;
  /** Per parameter index: the byte offset of its cell in the instance. */
  readonly paramOffsets: readonly number[];
  /** Per parameter index: its kind. */
  readonly paramKinds: readonly ParamKind[];
  /** Per parameter: the scratch fields and local cells it is copied into on every request. */
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
}

/** The value a result cell holds before its atom runs: "not executed". */
export const NOT_EXECUTED = -(2n ** 63n);

const INTEGER_KINDS = new Set(['int', 'uint', 'size', 'flags', 'pid', 'signo', 'mode', 'clock']);

/** Whether a value of kind `have` may feed an argument of kind `want`. */
function kindFits(have: string, want: string): boolean {
  if (have === want) return true;
  if (want === 'ptr' || have === 'ptr') return false;
  if (want === 'fd' || have === 'fd') return false;
  if (want === 'off64') return INTEGER_KINDS.has(have);
  if (have === 'off64') return want === 'size';
  return INTEGER_KINDS.has(have) && INTEGER_KINDS.has(want);
}

/** What kind of value an atom's result is, for checking where it flows. */
function resultKind(spec: SyscallSpec): string {
  return ['openat', 'openat2', 'socket', 'accept4', 'dup', 'dup3', 'eventfd2'].includes(spec.name) ? 'fd' : 'int';
}

/** The parameter a cell starts from, if it is not a literal. */
export function cellParam(init: CellInit): string | undefined {
  return typeof init === 'object' && init !== null ? init.param : undefined;
}

function scratchSize(template: ScratchTemplate | number): number {
  return typeof template === 'number' ? template : template.size;
}

/** Fixed byte size a pointer argument needs, when the table says so. */
function fixedSize(arg: ArgSpec): number {
  return arg.kind === 'ptr' && typeof arg.len === 'object' && 'size' in arg.len ? arg.len.size : 0;
}

/**
 * validateDefinition - check a template and return its syscall rows.
 * @throws PluginDefinitionError naming the plugin, the atom index and the field.
 */
export function validateDefinition(definition: PluginDefinition): SyscallSpec[] {
  const name = typeof definition.name === 'string' ? definition.name : '?';
  const fail = (atom: number, field: string, message: string): never => {
    throw new PluginDefinitionError(name, atom, field, message);
  };
  if (!/^[a-z][\w-]*(\.[a-zA-Z][\w-]*)*$/.test(name)) fail(-1, 'name', 'must be dotted identifiers, like "file.readAll"');
  if (!Array.isArray(definition.atoms) || definition.atoms.length === 0) fail(-1, 'atoms', 'a plugin needs at least one atom');
  if (definition.atoms.length > MAX_PLUGIN_ATOMS) fail(-1, 'atoms', `${definition.atoms.length} atoms; at most ${MAX_PLUGIN_ATOMS}`);
  if (typeof definition.params !== 'object' || definition.params === null || Array.isArray(definition.params)) {
    fail(-1, 'params', 'must be an object of parameter kinds (use {} for none)');
  }
  const params = definition.params;
  const cells = definition.cells ?? {};
  const scratch = definition.scratch ?? {};
  for (const [param, kind] of Object.entries(params)) {
    if (!['int', 'uint', 'size', 'flags', 'fd', 'off64', 'ptr', 'pid', 'signo', 'mode'].includes(kind)) fail(-1, `params.${param}`, `unknown kind '${String(kind)}'`);
  }
  const used = new Set<string>();
  for (const [cell, init] of Object.entries(cells)) {
    const param = cellParam(init);
    if (param !== undefined) {
      if (!(param in params)) fail(-1, `cells.${cell}`, `unknown parameter '${param}'`);
      used.add(param);
    } else if (typeof init !== 'bigint' && !Number.isSafeInteger(init)) {
      fail(-1, `cells.${cell}`, 'must be a safe integer, a bigint or {param}');
    }
  }
  for (const [area, template] of Object.entries(scratch)) {
    const size = scratchSize(template);
    if (!Number.isInteger(size) || size <= 0 || size > 65536) fail(-1, `scratch.${area}`, 'size must be 1..65536');
    if (typeof template === 'object') {
      for (const field of template.fields ?? []) {
        if (![2, 4, 8].includes(field.width)) fail(-1, `scratch.${area}`, `field at ${field.at}: width must be 2, 4 or 8`);
        if (!Number.isInteger(field.at) || field.at < 0 || field.at + field.width > size) fail(-1, `scratch.${area}`, `field at ${field.at} (width ${field.width}) outside ${size} bytes`);
        if (field.param !== undefined) {
          if (!(field.param in params)) fail(-1, `scratch.${area}`, `unknown parameter '${field.param}'`);
          used.add(field.param);
        }
      }
    }
  }
  const specs: SyscallSpec[] = [];
  definition.atoms.forEach((atom, index) => {
    const spec = syscallByName(atom.call);
    if (spec === undefined || spec.x86_64 < 0) return fail(index, 'call', `unknown syscall '${atom.call}'`);
    if (isDenied(spec)) return fail(index, 'call', `'${atom.call}' is denied: ${spec.policy.deny}`);
    if (atom.args.length !== spec.args.length) fail(index, 'args', `${atom.call} takes ${spec.args.length} arguments, got ${atom.args.length}`);
    const flags = atom.flags ?? 0;
    if (!Number.isInteger(flags) || (flags & ~SYSLET_VALID_FLAGS) !== 0) fail(index, 'flags', `invalid flags ${flags}`);
    if (atom.next !== undefined && atom.next !== null && (!Number.isInteger(atom.next) || atom.next < 0 || atom.next >= definition.atoms.length)) {
      fail(index, 'next', `no atom ${atom.next}`);
    }
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
      if (have === 'ptr' && want.kind === 'ptr' && 'scratch' in (arg as object)) {
        const area = (arg as { scratch: string }).scratch;
        const need = fixedSize(want);
        const size = scratchSize(scratch[area] as ScratchTemplate | number);
        if (need > size) fail(index, field, `${want.name} needs ${need} bytes; scratch '${area}' has ${size}`);
      }
      if (!kindFits(have, want.kind)) fail(index, field, `${want.name} wants ${want.kind === 'ptr' ? 'a pointer' : `a ${want.kind}`}, got ${have}`);
    });
    specs.push(spec);
  });
  for (const param of Object.keys(params)) if (!used.has(param)) fail(-1, `params.${param}`, 'is never used');
  return specs;

  function argKind(arg: ArgTemplate, index: number, field: string): string {
    if (typeof arg === 'number' || typeof arg === 'bigint') {
      if (typeof arg === 'number' && !Number.isSafeInteger(arg)) return fail(index, field, `literal ${arg} is not a safe integer`);
      return 'literal';
    }
    if (typeof arg !== 'object' || arg === null) return fail(index, field, 'must be a literal, {param}, {result}, {cell}, {ref}, {scratch} or {resultRef}');
    if ('param' in arg) {
      const kind = params[arg.param];
      if (kind === undefined) return fail(index, field, `unknown parameter '${arg.param}'`);
      used.add(arg.param);
      return kind;
    }
    if ('result' in arg) {
      if (!Number.isInteger(arg.result) || arg.result < 0 || arg.result >= index) return fail(index, field, `refers to atom ${arg.result}, which does not run before atom ${index}`);
      const producer = syscallByName(definition.atoms[arg.result]?.call ?? '');
      return producer === undefined ? 'int' : resultKind(producer);
    }
    if ('cell' in arg) {
      const init = cells[arg.cell];
      if (init === undefined) return fail(index, field, `unknown cell '${arg.cell}'`);
      // A cell started from a parameter carries that parameter's kind (a cursor into a buffer is a pointer).
      const param = cellParam(init);
      return param === undefined ? 'off64' : (params[param] as string);
    }
    if ('ref' in arg) {
      if (!(arg.ref in cells)) return fail(index, field, `unknown cell '${arg.ref}'`);
      return 'ptr';
    }
    if ('scratch' in arg) {
      if (!(arg.scratch in scratch)) return fail(index, field, `unknown scratch area '${arg.scratch}'`);
      return 'ptr';
    }
    if ('resultRef' in arg) {
      if (!Number.isInteger(arg.resultRef) || arg.resultRef < 0 || arg.resultRef >= definition.atoms.length) return fail(index, field, `no atom ${arg.resultRef}`);
      return 'ptr';
    }
    return fail(index, field, 'must be a literal, {param}, {result}, {cell}, {ref}, {scratch} or {resultRef}');
  }
}

/** compileLayout - lay a validated template out in memory, relative to an instance's base. */
export function compileLayout(definition: PluginDefinition, specs: readonly SyscallSpec[]): PluginLayout {
  const atomCount = definition.atoms.length;
  let offset = atomCount * ATOM.size;
  const take = (bytes: number, align = 8): number => {
    offset = Math.ceil(offset / align) * align;
    const at = offset;
    offset += bytes;
    return at;
  };
  // Reset span: result cells, local cells, scratch areas.
  const resetStart = offset;
  const retOffsets = definition.atoms.map(() => take(8));
  const cellOffsets = new Map<string, number>();
  for (const cell of Object.keys(definition.cells ?? {})) cellOffsets.set(cell, take(8));
  const scratchOffsets = new Map<string, number>();
  for (const [area, template] of Object.entries(definition.scratch ?? {})) scratchOffsets.set(area, take(scratchSize(template), 64));
  const resetEnd = Math.ceil(offset / 8) * 8;
  offset = resetEnd;
  const paramNames = Object.keys(definition.params);
  const paramIndex = new Map(paramNames.map((name, index) => [name, index]));
  const paramOffsets = paramNames.map(() => take(8));
  const paramKinds = paramNames.map((name) => definition.params[name] as ParamKind);
  const paramMirrors: ParamMirror[][] = paramNames.map(() => []);
  const literals: [number, number | bigint][] = [];
  const addressCells: [number, number][] = [];
  const argOffsets = definition.atoms.map((atom) =>
    atom.args.map((arg): number => {
      if (typeof arg === 'number' || typeof arg === 'bigint') {
        const at = take(8);
        literals.push([at, arg]);
        return at;
      }
      if ('param' in arg) return paramOffsets[paramIndex.get(arg.param) as number] as number;
      if ('result' in arg) return retOffsets[arg.result] as number;
      if ('cell' in arg) return cellOffsets.get(arg.cell) as number;
      const target =
        'ref' in arg ? (cellOffsets.get(arg.ref) as number) : 'resultRef' in arg ? (retOffsets[arg.resultRef] as number) : (scratchOffsets.get(arg.scratch) as number);
      const at = take(8);
      addressCells.push([at, target]);
      return at;
    }),
  );
  const size = Math.ceil(offset / 64) * 64;
  const image = new Uint8Array(resetEnd - resetStart);
  const view = new DataView(image.buffer);
  for (const ret of retOffsets) view.setBigInt64(ret - resetStart, NOT_EXECUTED, true);
  for (const [cell, initial] of Object.entries(definition.cells ?? {})) {
    const at = cellOffsets.get(cell) as number;
    const param = cellParam(initial);
    // A parameter-started cell is written after the reset, by the same store that fills the parameter.
    if (param === undefined) view.setBigInt64(at - resetStart, BigInt(initial as number | bigint), true);
    else (paramMirrors[paramIndex.get(param) as number] as ParamMirror[]).push({ offset: at, width: 8, bigEndian: false });
  }
  for (const [area, template] of Object.entries(definition.scratch ?? {})) {
    if (typeof template === 'number') continue;
    const base = (scratchOffsets.get(area) as number) - resetStart;
    for (const field of template.fields ?? []) {
      const bigEndian = field.byteOrder === 'big';
      if (field.param !== undefined) {
        (paramMirrors[paramIndex.get(field.param) as number] as ParamMirror[]).push({ offset: base + resetStart + field.at, width: field.width, bigEndian });
      } else if (field.value !== undefined) {
        storeField(view, base + field.at, field.width, bigEndian, field.value);
      }
    }
  }
  const next = definition.atoms.map((atom, index) => {
    if (atom.next === null) return -1;
    if (atom.next !== undefined) return atom.next;
    return index + 1 < atomCount ? index + 1 : -1;
  });
  return {
    size,
    atomCount,
    numbers: specs.map((spec) => spec.x86_64),
    flags: definition.atoms.map((atom) => atom.flags ?? 0),
    next,
    argOffsets: argOffsets.map((offsets) => [...offsets, ...new Array<number>(MAX_ARGS - offsets.length).fill(-1)]),
    retOffsets,
    paramIndex,
    paramOffsets,
    paramKinds,
    paramMirrors,
    cellOffsets,
    scratchAreas: new Map([...scratchOffsets].map(([area, at]) => [area, [at, scratchSize((definition.scratch ?? {})[area] as ScratchTemplate | number)] as const])),
    resetStart,
    resetImage: image,
    addressCells,
    literals,
  };
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
