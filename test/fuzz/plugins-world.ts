/**
 * The plugin fuzz's world (test/fuzz/plugins.ts): the twin resources a run uses (a file pair per
 * fd parameter, the `ptr` memory registered with the engine and its reference twin), the
 * parameter sets, the values each side is given, and the comparison of a run with the reference's.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine, PluginRunResult } from '../../index.js';
import { addressOf, errnoName, syscallWord, type Word } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import type { ParamKind } from '../../plugins/types.js';
import { EDGE_WORDS, SMALL, type Generated } from './plugins-gen.js';
import { newArea, type Area, type RefOutcome, type RefParam } from './plugins-ref.js';
import type { Prng } from './prng.js';

/** What {@link compare} counts (a driver's report). */
export interface RunCounters {
  stops: Record<string, number>;
  modes: Record<string, number>;
  atomsExecuted: number;
  atomsCompared: number;
}

/** The twin files' starting sizes. */
export const FILE_SIZES = [0, 1, 100, 4095, 4096, 5000, 9000, 70_000];

/** One set of twin resources a run uses: a file pair per fd parameter, the `ptr` parameter's memory pair. */
export interface Slot {
  readonly files: { name: string; engine: { path: string; fd: number }; reference: { path: string; fd: number } }[];
  /** The `ptr` parameter: the engine's registered bytes and the reference's area. */
  readonly mem: { engine: Buffer; reference: Area; registered: boolean } | null;
}

/** One parameter set (a slot supplies the fds and the `ptr` memory). */
export type Variant = Record<string, { in: Uint8Array } | { out: number } | { path: string } | { scalar: number | bigint }>;

// (The replacer reads the value before its toJSON: a Buffer is shown as its length and first bytes.)
/** describe - a value as JSON for a finding (bigints as `5n`, a Uint8Array or Buffer as its length and first bytes). */
export const describe = (value: unknown): string => JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown): unknown {
  const raw = this[key];
  return typeof v === 'bigint' ? `${v}n` : raw instanceof Uint8Array ? `${raw.length} bytes ${Buffer.from(raw.subarray(0, 8)).toString('hex')}…` : v;
});
/** wordName - a result word, with its errno name when it is one. */
export const wordName = (word: bigint): string => (word < 0n && word > -4096n ? `${word} (${errnoName(Number(word))})` : String(word));

/** makeSlot - the twin files of `gen`'s fd parameters (same random bytes) and its `ptr` memory pair (the engine's registered). */
export function makeSlot(r: Prng, gen: Generated, dir: string, name: string, engine: Engine): Slot {
  const files = Object.keys(gen.params).filter((p) => gen.params[p] === 'fd').map((param) => {
    const bytes = Buffer.alloc(r.pick(FILE_SIZES));
    for (let k = 0; k < bytes.length; k++) bytes[k] = (k * 131 + r.int(256)) & 0xff;
    const side = (which: string): { path: string; fd: number } => {
      const path = join(dir, `${name}-${param}-${which}`);
      writeFileSync(path, bytes);
      return { path, fd: openSync(path, 'r+') };
    };
    return { name: param, engine: side('engine'), reference: side('reference') };
  });
  let mem: Slot['mem'] = null;
  if (gen.params.mem === 'ptr') {
    const size = r.pick([64, 256, 4096]);
    const reference = newArea('mem', size);
    for (let k = 0; k < size; k++) reference.bytes[k] = r.int(256);
    const bytes = Buffer.alloc(size);
    reference.bytes.copy(bytes, 0, 0, size);
    engine.register(bytes);
    mem = { engine: bytes, reference, registered: true };
  }
  return { files, mem };
}

/** closeSlot - close a slot's files and unregister its `ptr` memory. */
export function closeSlot(slot: Slot, engine: Engine): void {
  for (const file of slot.files) {
    closeSync(file.engine.fd);
    closeSync(file.reference.fd);
  }
  if (slot.mem !== null && slot.mem.registered) engine.unregister(slot.mem.engine, true);
}

/** makeVariant - one parameter set: `in` bytes, `out` counts, paths, scalars (small ones for a parameter mirrored into a narrow field). */
export function makeVariant(r: Prng, gen: Generated): Variant {
  const variant: Variant = {};
  for (const [name, kind] of Object.entries<ParamKind>(gen.params)) {
    if (kind === 'in') {
      const bytes = new Uint8Array(r.pick([1, 1, 8, 64, 100, 300, 5000]));
      for (let k = 0; k < bytes.length; k++) bytes[k] = r.int(256);
      // A view that is part of a larger store (a small Buffer.from is a slice of Node's pool) is copied into a pooled block.
      variant[name] = { in: r.chance(0.3) ? Buffer.from(bytes) : r.chance(0.2) ? Buffer.concat([Buffer.alloc(16), bytes, Buffer.alloc(16)]).subarray(16, 16 + bytes.length) : bytes };
    } else if (kind === 'out') {
      variant[name] = { out: r.pick([1, 8, 63, 64, 65, 100, 200, 1000, 5000]) };
    } else if (kind === 'path') {
      variant[name] = { path: r.pick(['', 'a', '/tmp/x', 'é', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(200)]) };
    } else if (kind !== 'fd' && kind !== 'ptr') {
      // A parameter mirrored into a narrow scratch field must fit it (instance-words.ts refuses it otherwise).
      variant[name] = { scalar: gen.narrow.has(name) ? r.int(128) : r.chance(0.6) ? r.pick(SMALL) : r.pick(EDGE_WORDS) };
    }
  }
  return variant;
}

/** referenceParams - the reference side's parameters for one run (its own files, areas and memory). */
export function referenceParams(gen: Generated, slot: Slot, variant: Variant): Record<string, RefParam> {
  const params: Record<string, RefParam> = {};
  for (const [name, kind] of Object.entries(gen.params)) {
    const value = variant[name];
    if (kind === 'fd') params[name] = { kind: 'fd', fd: (slot.files.find((file) => file.name === name) as Slot['files'][number]).reference.fd };
    else if (kind === 'ptr') {
      const mem = slot.mem as NonNullable<Slot['mem']>;
      // Unregistered: no length of it lies in engine memory (an area of no bytes at the same address).
      params[name] = { kind: 'ptr', area: mem.registered ? mem.reference : { ...mem.reference, bound: 0 } };
    }
    else if (value !== undefined && 'in' in value) params[name] = { kind: 'in', bytes: value.in };
    else if (value !== undefined && 'out' in value) params[name] = { kind: 'out', count: value.out, area: newArea(name, value.out) };
    else if (value !== undefined && 'path' in value) {
      const bytes = Buffer.from(value.path);
      const area = newArea(name, bytes.length + 1);
      bytes.copy(area.bytes);
      params[name] = { kind: 'path', area, length: bytes.length };
    }
    else if (value !== undefined && 'scalar' in value) params[name] = { kind: 'scalar', value: value.scalar };
  }
  return params;
}

/** engineParams - what plugin.run is given for one run (the engine side's files and memory). */
export function engineParams(gen: Generated, slot: Slot, variant: Variant): Record<string, number | bigint | Uint8Array | string> {
  const params: Record<string, number | bigint | Uint8Array | string> = {};
  for (const [name, kind] of Object.entries(gen.params)) {
    const value = variant[name];
    if (kind === 'fd') params[name] = (slot.files.find((file) => file.name === name) as Slot['files'][number]).engine.fd;
    else if (kind === 'ptr') params[name] = addressOf((slot.mem as NonNullable<Slot['mem']>).engine);
    else if (value !== undefined && 'in' in value) params[name] = value.in;
    else if (value !== undefined && 'out' in value) params[name] = value.out;
    else if (value !== undefined && 'path' in value) params[name] = value.path;
    else if (value !== undefined && 'scalar' in value) params[name] = value.scalar;
  }
  return params;
}

/** compare - the differences between the engine's run and the reference's. */
export function compare(got: PluginRunResult, want: RefOutcome, params: Record<string, RefParam>, slot: Slot, gen: Generated, report: RunCounters): string[] {
  const found: string[] = [];
  // A pointer-valued word is compared as an offset into its area: the engine's base of each area
  // is known (an `in` is the caller's bytes, `ptr` the registered memory) or learnt from the first
  // such word (an `out` block).
  const engineBases = new Map<string, bigint>();
  for (const [name, param] of Object.entries(params)) {
    // (A view that is part of a larger store is copied: its engine address is learnt.)
    if (param.kind === 'in' && param.bytes.byteOffset === 0 && param.bytes.byteLength === param.bytes.buffer.byteLength) engineBases.set(name, BigInt(addressOf(param.bytes)));
    if (param.kind === 'ptr' && slot.mem !== null) engineBases.set(name, BigInt(addressOf(slot.mem.engine)));
  }
  const same = (engineWord: Word | undefined, value: bigint, tag: string | null): boolean => {
    if (engineWord === undefined) return false;
    const word = BigInt(engineWord);
    if (tag === null) return word === value;
    const offset = value - BigInt(want.bases.get(tag) as number);
    const base = engineBases.get(tag);
    if (base === undefined) {
      engineBases.set(tag, word - offset);
      return true;
    }
    return word === base + offset;
  };
  report.stops[got.stop] = (report.stops[got.stop] ?? 0) + 1;
  report.modes[got.mode] = (report.modes[got.mode] ?? 0) + 1;
  report.atomsExecuted += got.atomsExecuted;
  want.executed.forEach((executed, i) => {
    const atom = got.atoms[i];
    report.atomsCompared++;
    if (atom === undefined || atom.executed !== executed) {
      found.push(`atom ${i} (${gen.definition.atoms[i]?.call ?? '?'}) ${atom?.executed === true ? 'executed' : 'not executed'}, the reference says ${executed ? 'executed' : 'not executed'}`);
      return;
    }
    if (!executed) return;
    const value = want.results[i] as bigint;
    if (!same(atom.result, value, want.resultTags[i] ?? null)) found.push(`atom ${i} (${atom.call}) answered ${String(atom.result)}, the reference ${wordName(value)}`);
    // Every negative result has an errno name, an error or not (a countdown's -1 is 'EPERM': observation O2).
    const errno = value < 0n ? errnoName(Number(value)) : undefined;
    if (want.resultTags[i] === null && atom.errno !== errno) found.push(`atom ${i} (${atom.call}) errno ${String(atom.errno)}, the reference ${String(errno)}`);
  });
  if (got.stop !== want.stop) found.push(`stop ${got.stop}, the reference ${want.stop}`);
  if (got.last !== want.last) found.push(`last ${got.last}, the reference ${want.last}`);
  const lastId = want.last >= 0 ? gen.definition.atoms[want.last]?.id : undefined;
  if (got.lastId !== lastId) found.push(`lastId ${String(got.lastId)}, the reference ${String(lastId)}`);
  if (got.atomsExecuted !== want.atomsExecuted) found.push(`atomsExecuted ${got.atomsExecuted}, the reference ${want.atomsExecuted}`);
  for (const [cell, { value, tag }] of want.cells) if (!same(got.cells[cell], value, tag)) found.push(`cell ${cell} is ${String(got.cells[cell])}, the reference ${value}`);
  for (const [name, area] of want.scratch) {
    const bytes = got.scratch[name];
    if (bytes === undefined || differsMasked(bytes, area, area.bound)) found.push(`scratch ${name} differs: ${bytes?.toString('hex').slice(0, 64) ?? 'none'} / ${area.bytes.subarray(0, area.bound).toString('hex').slice(0, 64)}`);
  }
  for (const [name, param] of Object.entries(params)) {
    if (param.kind !== 'out') continue;
    const bytes = got.outputs[name];
    if (bytes === undefined || !bytes.equals(param.area.bytes.subarray(0, param.count))) found.push(`out ${name} differs`);
  }
  if (slot.mem !== null && differsMasked(slot.mem.engine, slot.mem.reference, slot.mem.reference.bound)) found.push('the ptr parameter\'s memory differs');
  for (const file of slot.files) {
    const mine = readFileSync(file.engine.path);
    const theirs = readFileSync(file.reference.path);
    if (!mine.equals(theirs)) found.push(`file ${file.name}: ${mine.length} bytes, the reference's ${theirs.length}${mine.length === theirs.length ? ' (different bytes)' : ''}`);
    const position = syscallWord(NR.lseek, file.engine.fd, 0, 1);
    const theirPosition = syscallWord(NR.lseek, file.reference.fd, 0, 1);
    if (BigInt(position) !== BigInt(theirPosition)) found.push(`file ${file.name} at position ${String(position)}, the reference's at ${String(theirPosition)}`);
  }
  return found;
}

/** Whether `bytes` differ from `area`'s where the area's bytes are comparable (not fstat's inode and times). */
function differsMasked(bytes: Uint8Array, area: Area, length: number): boolean {
  if (bytes.length < length) return true;
  for (let k = 0; k < length; k++) if (area.mask[k] === 1 && bytes[k] !== area.bytes[k]) return true;
  return false;
}

