/**
 * The layer rules of the source tree and a scanner that checks them (used by
 * test/architecture-layers.test.ts). Imports are read with TypeScript's own pre-processor, so
 * comments and strings never count, and `import type` counts as an import.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** One layer: a folder (or the barrel), and its rank; a module may import only lower ranks and its own layer. */
export interface Layer {
  readonly name: string;
  readonly rank: number;
}

// Bottom to top. Two layers of the same rank (plugins, compat32) may not import each other.
const LAYERS: readonly (Layer & { readonly owns: (file: string) => boolean })[] = [
  { name: 'engine/syscalls', rank: 0, owns: (f) => f.startsWith('engine/syscalls/') },
  { name: 'engine/native', rank: 1, owns: (f) => f.startsWith('engine/native/') },
  { name: 'engine', rank: 2, owns: (f) => f.startsWith('engine/') },
  { name: 'plugins', rank: 3, owns: (f) => f.startsWith('plugins/') },
  { name: 'compat32', rank: 3, owns: (f) => f.startsWith('compat32/') },
  { name: 'shim', rank: 4, owns: (f) => f.startsWith('shim/') },
  { name: 'fs', rank: 4, owns: (f) => f.startsWith('fs/') },
  { name: 'index', rank: 5, owns: (f) => f === 'index.ts' || f === 'fs.ts' },
  { name: 'cli', rank: 6, owns: (f) => f.startsWith('cli/') },
];

/** layerOf - the layer a repository-relative path belongs to (undefined: tests, bench, examples, scripts). */
export function layerOf(file: string): Layer | undefined {
  return LAYERS.find((layer) => layer.owns(file));
}

/** What checkArchitecture found. */
export interface ArchitectureReport {
  readonly filesScanned: number;
  /** `from -> to (layer imports layer)` for every import that does not point down. */
  readonly upward: string[];
  /** Files outside engine/native/ that import koffi. */
  readonly koffiOutsideNative: string[];
  /** Each import cycle as the sorted list of the files in it. */
  readonly cycles: string[][];
}

function sourceFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(root, relative))) {
      const child = relative === '' ? name : `${relative}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else if (child.endsWith('.ts') && !child.endsWith('.d.ts')) files.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  for (const entry of readdirSync(root)) {
    const isDirectory = statSync(path.join(root, entry)).isDirectory();
    if (isDirectory && LAYERS.some((layer) => layer.owns(`${entry}/x.ts`))) walk(entry);
    else if (!isDirectory && layerOf(entry) !== undefined) files.set(entry, readFileSync(path.join(root, entry), 'utf8'));
  }
  return files;
}

function resolve(from: string, specifier: string, files: ReadonlyMap<string, string>): string | null {
  if (specifier === 'syslet-aio') return 'index.ts';
  if (!specifier.startsWith('.')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [joined.replace(/\.js$/, '.ts'), joined, `${joined}.ts`, `${joined}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

/**
 * checkArchitecture - scan the layered folders under `root` (or the given in-memory files) and
 * report upward imports, koffi outside engine/native/, and import cycles.
 */
export function checkArchitecture(root: string, given?: ReadonlyMap<string, string>): ArchitectureReport {
  const files = given ?? sourceFiles(root);
  const edges = new Map<string, string[]>();
  const upward: string[] = [];
  const koffiOutsideNative: string[] = [];
  for (const [file, text] of files) {
    const targets: string[] = [];
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      if (imported.fileName === 'koffi' && !file.startsWith('engine/native/')) koffiOutsideNative.push(file);
      const target = resolve(file, imported.fileName, files);
      if (target === null || target === file) continue;
      targets.push(target);
      const from = layerOf(file);
      const to = layerOf(target);
      if (from === undefined || to === undefined || from.name === to.name) continue;
      if (to.rank >= from.rank) upward.push(`${file} -> ${target} (${from.name} imports ${to.name})`);
    }
    edges.set(file, targets);
  }
  return { filesScanned: files.size, upward: upward.sort(), koffiOutsideNative: koffiOutsideNative.sort(), cycles: cyclesOf(edges) };
}

// Tarjan's strongly connected components; a component of two or more files is a cycle.
function cyclesOf(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
