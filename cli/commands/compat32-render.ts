/**
 * What `syslet-aio compat32` prints: one JSON document per action (numbers stay numbers, so
 * scripts can compute with addresses) and the plain-text report built from the same document,
 * so the two cannot disagree. The tables themselves come from compat32/inspect.ts; this module
 * adds the image summary and, for `run`, errno names.
 */
import {
  hex32, renderAtomTable32, renderConversion, type AtomRow32, type Completion32, type ConversionRow, type Image32,
} from '../../compat32/index.js';
import { errnoName } from '../../engine/native/errno.js';

/** The image an action worked on, as the header (or the caller's --base) described it. */
export interface ImageSummary {
  /** The file, as given on the command line. */
  readonly path: string;
  readonly base: number;
  readonly entry: number;
  /** Payload bytes (without the header). */
  readonly bytes: number;
  /** Zeroed bytes mapped after the payload. */
  readonly reserve: number;
}

/** `inspect --json` and `sample --json`: the image and its 32-bit atom table. */
export interface InspectDocument {
  readonly action: 'inspect' | 'sample';
  readonly image: ImageSummary;
  readonly atoms: readonly AtomRow32[];
}

/** `convert --json`: adds the side-by-side rows and the conversion's cost. */
export interface ConvertDocument {
  readonly action: 'convert';
  readonly image: ImageSummary;
  readonly atoms: readonly AtomRow32[];
  /** 32-bit and 64-bit atoms; the 64-bit addresses are those of a throwaway copy. */
  readonly rows: readonly ConversionRow[];
  readonly conversionNs: number;
  /** Engine memory the 64-bit atoms and cells took. */
  readonly bytes64: number;
}

/** One atom's 32-bit result word after write-back, with the errno it encodes, if any. */
export interface RunResult {
  readonly index: number;
  readonly address32: number;
  readonly name: string;
  /** The signed 32-bit word at ret_ptr, or null for an atom without one. */
  readonly ret32: number | null;
  /** `'ENOENT'` for -2 and every other value in [-4095, -1]; null otherwise. */
  readonly errno: string | null;
}

/** `run --json`: the converted rows and how the chain ended, in 32-bit terms. */
export interface RunDocument {
  readonly action: 'run';
  readonly image: ImageSummary;
  readonly rows: readonly ConversionRow[];
  readonly completion: Omit<Completion32, 'results'> & { readonly errno: string | null; readonly results: readonly RunResult[] };
}

/** Any action's document. */
export type Compat32Document = InspectDocument | ConvertDocument | RunDocument;

/**
 * imageSummary - the {@link ImageSummary} of a parsed image.
 *
 * @param path - the file name to report.
 * @param image - from parseImage / inspectImage.
 */
export function imageSummary(path: string, image: Image32): ImageSummary {
  return { path, base: image.base, entry: image.entry, bytes: image.bytes.byteLength, reserve: image.reserve };
}

/**
 * errnoOf - the errno name a one-word syscall result stands for, the way the kernel returns
 * errors (-4095..-1), or null for a success (or an atom without a result word).
 *
 * @example errnoOf(-2) === 'ENOENT'; errnoOf(3) === null
 */
export function errnoOf(ret: number | null): string | null {
  return ret !== null && ret < 0 && ret >= -4095 ? errnoName(ret) : null;
}

/**
 * runDocument - the run report: the completion with an errno name beside every result.
 *
 * @param image - the image summary.
 * @param rows - the conversion rows from runImage.
 * @param completion - the completion from runImage.
 */
export function runDocument(image: ImageSummary, rows: readonly ConversionRow[], completion: Completion32): RunDocument {
  const results = completion.results.map((result): RunResult => ({ ...result, errno: errnoOf(result.ret32) }));
  return { action: 'run', image, rows, completion: { ...completion, errno: errnoOf(completion.result32), results } };
}

/**
 * renderCompat32 - the plain-text report for any action's document.
 *
 * @param document - what the action produced.
 * @returns the text, ending in a newline.
 */
export function renderCompat32(document: Compat32Document): string {
  const head = imageLine(document);
  switch (document.action) {
    case 'inspect':
    case 'sample':
      return `${head}\n\n${renderAtomTable32(document.atoms)}\n`;
    case 'convert':
      return `${head}\n\n${renderConversion(document.rows)}\n\n` +
        `converted ${count(document.rows.length, 'atom')} in ${(document.conversionNs / 1e3).toFixed(1)} µs into ${document.bytes64} bytes of engine memory ` +
        '(x86-64 addresses are those of a throwaway copy: run converts again)\n';
    case 'run':
      return `${head}\n\n${renderRun(document)}\n`;
  }
}

function imageLine(document: Compat32Document): string {
  const { image } = document;
  const reserve = image.reserve === 0 ? '' : ` + ${image.reserve} reserved`;
  const atoms = document.action === 'run' ? document.rows.length : document.atoms.length;
  const verb = document.action === 'sample' ? 'wrote ' : '';
  return `${verb}${image.path}: i386 image at ${hex32(image.base)}, entry ${hex32(image.entry)}, ${image.bytes} bytes${reserve}, ${count(atoms, 'atom')}`;
}

function renderRun(document: RunDocument): string {
  const { completion } = document;
  const last = completion.results.find((result) => result.address32 === completion.last32);
  const lastAtom = last === undefined ? hex32(completion.last32) : `#${last.index} ${last.name} at ${hex32(completion.last32)}`;
  const result = completion.errno === null ? String(completion.result32) : `${completion.result32} ${completion.errno}`;
  const head = [
    `stopped: ${completion.stopName} after ${count(completion.atoms, 'atom')} run (${completion.mode}); last atom ${lastAtom} returned ${result}`,
    `wrote back ${count(completion.wroteBack.words, 'word')} and ${count(completion.wroteBack.structs, 'struct')} into 32-bit memory`,
  ];
  const rows = completion.results.map((r) => [String(r.index), hex32(r.address32), r.name, r.ret32 === null ? '-' : String(r.ret32), r.errno ?? '']);
  return `${head.join('\n')}\n\n${table(['#', 'atom', 'call', 'ret (32-bit)', 'errno'], rows)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Left-aligned columns two spaces apart, trailing blanks trimmed (the look of compat32/inspect.ts's tables). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
