/**
 * The core of `syslet-aio compat32 inspect|convert|run <image> [--base <addr>]`, without any
 * argument parsing (the CLI wires it): each command returns its tables as data, and a renderer
 * turns them into plain text.
 *
 * - inspect: the 32-bit atom table, read from the image without mapping it;
 * - convert: the 32-bit and converted 64-bit atoms side by side (numbers, names, argument rules);
 * - run: load the image at its base, convert, run through the engine, write back, show results.
 */
import { MemoryRegistry } from '../engine/memory.js';
import { Arena32, imageSpace } from './arena.js';
import { readChain32, type Atom32 } from './chain32.js';
import { convertChain, type ConvertedAtom } from './convert.js';
import { hex32 } from './errors.js';
import { parseImage, type Image32, type ImageOptions } from './image.js';
import { runConvertedSync, type Compat32Engine, type Completion32 } from './run.js';

const FLAG_NAMES: readonly [number, string][] = [
  [0x01, 'ASYNC'], [0x02, 'SYNC'], [0x04, 'NO_COMPLETE'], [0x08, 'STOP_ON_NONZERO'], [0x10, 'STOP_ON_ZERO'],
  [0x20, 'STOP_ON_NEGATIVE'], [0x40, 'STOP_ON_NON_POSITIVE'], [0x80, 'SKIP_TO_NEXT_ON_STOP'],
];

/** flagNames - `'STOP_ON_ZERO|SKIP_TO_NEXT_ON_STOP'`, or `'-'` for none, or hex for unknown bits. */
export function flagNames(flags: number): string {
  const names = FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  const unknown = flags & ~0xff;
  if (unknown !== 0) names.push(hex32(unknown));
  return names.length === 0 ? '-' : names.join('|');
}

/** One row of the 32-bit atom table. */
export interface AtomRow32 {
  /** The atom's index in reading order (0 = the entry atom). */
  readonly index: number;
  /** The atom's 32-bit address. */
  readonly address: number;
  /** The flag names, as {@link flagNames} spells them. */
  readonly flags: string;
  /** The i386 syscall number. */
  readonly nr: number;
  /** The syscall's table name. */
  readonly name: string;
  /** The 32-bit `ret_ptr` (0 = none). */
  readonly retPtr: number;
  /** The 32-bit address of the next atom (0 ends the chain). */
  readonly next: number;
  /** Argument pointers up to the first NULL, with the 32-bit word each points at. */
  readonly args: readonly {
    /** The argument pointer (a 32-bit address). */
    readonly pointer: number;
    /** The 32-bit word it points at. */
    readonly value: number;
  }[];
}

/** One row of the side-by-side table. */
export interface ConversionRow {
  /** The atom's index in reading order (0 = the entry atom). */
  readonly index: number;
  /** The 32-bit atom's address. */
  readonly address32: number;
  /** The i386 syscall number. */
  readonly nr32: number;
  /** The i386 call's table name. */
  readonly name32: string;
  /** The 64-bit atom's address (in a throwaway copy for {@link convertImage}). */
  readonly address64: number;
  /** The x86-64 syscall number. */
  readonly nr64: number;
  /** The x86-64 call's table name. */
  readonly name64: string;
  /** The 64-bit next pointer (0 ends the chain). */
  readonly next64: number;
  /** `rule: 32-bit value(s) → 64-bit value` for each 64-bit argument. */
  readonly args: readonly string[];
}

function atomRow(atom: Atom32, word: (address: number) => number): AtomRow32 {
  return {
    index: atom.index, address: atom.address, flags: flagNames(atom.flags), nr: atom.nr, name: atom.spec.name, retPtr: atom.retPtr, next: atom.next,
    args: atom.argPtrs.slice(0, atom.argCount).map((pointer) => ({ pointer, value: word(pointer) })),
  };
}

function conversionRow(atom: ConvertedAtom): ConversionRow {
  return {
    index: atom.atom32.index, address32: atom.atom32.address, nr32: atom.atom32.nr, name32: atom.atom32.spec.name,
    address64: atom.address64, nr64: atom.nr64, name64: atom.name64, next64: atom.next64,
    args: atom.args.map((arg) => `${arg.rule}: ${arg.values32.map((v) => hex32(v)).join('/') || '-'} → ${arg.value64}`),
  };
}

/**
 * inspectImage - parse an image and read its 32-bit chain, without mapping or running anything.
 *
 * @param file - the image file's bytes.
 * @param options - `base` (required for raw images) and `entry`.
 * @returns the image and its atom table.
 * @throws ConversionError for a bad image or chain (see parseImage, readChain32).
 * @example console.log(renderAtomTable32(inspectImage(readFileSync('chain.img')).atoms));
 */
export function inspectImage(file: Uint8Array, options: ImageOptions = {}): {
  /** The parsed image. */
  readonly image: Image32;
  /** The 32-bit atom table, in reading order. */
  readonly atoms: readonly AtomRow32[];
} {
  const image = parseImage(file, options);
  const space = imageSpace(image);
  const chain = readChain32(space, image.entry);
  return { image, atoms: chain.atoms.map((atom) => atomRow(atom, (address) => space.view.getUint32(address - space.base, true))) };
}

/**
 * convertImage - convert an image's chain (in a private registry, without mapping the image)
 * and return both tables; nothing runs, and the 64-bit addresses are those of a throwaway copy.
 *
 * @param file - the image file's bytes.
 * @param options - `base` and `entry`.
 * @returns the 32-bit table, the side-by-side table, and how long conversion took.
 * @throws ConversionError for a bad image or chain.
 */
export function convertImage(file: Uint8Array, options: ImageOptions = {}): {
  /** The 32-bit atom table, in reading order. */
  readonly atoms: readonly AtomRow32[];
  /** The side-by-side 32-bit/64-bit table. */
  readonly rows: readonly ConversionRow[];
  /** How long reading and converting took, in nanoseconds. */
  readonly conversionNs: number;
  /** Bytes of memory the 64-bit chain used. */
  readonly bytes64: number;
} {
  const { image, atoms } = inspectImage(file, options);
  const registry = new MemoryRegistry();
  using conversion = convertChain(imageSpace(image), registry, image.entry);
  return { atoms, rows: conversion.atoms.map(conversionRow), conversionNs: conversion.conversionNs, bytes64: conversion.bytes64 };
}

/**
 * runImage - load an image at its base in a 32-bit arena of the engine's memory, convert its
 * chain, run it to completion (blocking), write the results back, and release everything.
 *
 * @param engine - the engine (its `memory` receives the arena and the 64-bit chain).
 * @param file - the image file's bytes.
 * @param options - `base` and `entry`.
 * @returns the tables and the completion.
 * @throws ConversionError for a bad image or chain; ArenaError when the base cannot be mapped.
 */
export function runImage(engine: Compat32Engine & { readonly memory: MemoryRegistry }, file: Uint8Array, options: ImageOptions = {}): {
  /** The side-by-side 32-bit/64-bit table. */
  readonly rows: readonly ConversionRow[];
  /** How the chain ended, with each atom's 32-bit result after write-back. */
  readonly completion: Completion32;
} {
  const image = parseImage(file, options);
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  return { rows: conversion.atoms.map(conversionRow), completion: runConvertedSync(engine, conversion) };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** renderAtomTable32 - the 32-bit atom table as plain text. */
export function renderAtomTable32(atoms: readonly AtomRow32[]): string {
  return table(
    ['#', 'atom', 'nr', 'call', 'flags', 'ret_ptr', 'next', 'args (ptr=value)'],
    atoms.map((atom) => [
      String(atom.index), hex32(atom.address), String(atom.nr), atom.name, atom.flags, atom.retPtr === 0 ? 'NULL' : hex32(atom.retPtr),
      atom.next === 0 ? 'NULL' : hex32(atom.next), atom.args.map((arg) => `${hex32(arg.pointer)}=${hex32(arg.value)}`).join(' '),
    ]),
  );
}

/** renderConversion - the 32-bit and 64-bit atoms side by side, one argument rule per line. */
export function renderConversion(rows: readonly ConversionRow[]): string {
  const body: string[][] = [];
  for (const row of rows) {
    body.push([String(row.index), hex32(row.address32), `${row.nr32} ${row.name32}`, `0x${row.address64.toString(16)}`, `${row.nr64} ${row.name64}`, row.args[0] ?? '']);
    for (const arg of row.args.slice(1)) body.push(['', '', '', '', '', arg]);
  }
  return table(['#', 'i386 atom', 'i386 call', 'x86-64 atom', 'x86-64 call', 'arguments'], body);
}

/** renderCompletion - how a 32-bit chain ended and each atom's 32-bit result. */
export function renderCompletion(completion: Completion32): string {
  const head = `stopped: ${completion.stopName} after ${completion.atoms} atoms (${completion.mode}); last atom ${hex32(completion.last32)} = ${completion.result32}; wrote back ${completion.wroteBack.words} words, ${completion.wroteBack.structs} structs`;
  const rows = completion.results.map((result) => [String(result.index), hex32(result.address32), result.name, result.ret32 === null ? '-' : String(result.ret32)]);
  return `${head}\n${table(['#', 'atom', 'call', 'ret (32-bit)'], rows)}`;
}
