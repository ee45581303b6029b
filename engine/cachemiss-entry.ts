/**
 * What a cachemiss thread runs, and with which environment. A thread must start as plain
 * JavaScript, without the loader the main thread was started with: Node 20 gives a worker the
 * parent's `execArgv` (and applies NODE_OPTIONS again), so under `node --import tsx` every thread
 * would start tsx first — about a second of CPU per thread instead of tens of milliseconds.
 *
 * - From the compiled package (dist/), the entry is `cachemiss-worker.js` next to this file.
 * - From the TypeScript sources (tests, `node --import tsx`), the worker and everything it
 *   imports are bundled once per process into one ES module with esbuild (tsx's own
 *   dependency, so nothing new is installed), written to the OS temp directory under a name
 *   derived from its content. koffi stays outside the bundle, imported by absolute URL.
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let entry: URL | null = null;
let environment: NodeJS.ProcessEnv | null = null;

/**
 * cachemissWorkerEntry - the module a cachemiss thread starts from.
 *
 * @returns a file URL of plain JavaScript.
 * @throws Error when running from sources and the bundle cannot be made (esbuild missing).
 */
export function cachemissWorkerEntry(): URL {
  if (entry !== null) return entry;
  entry = import.meta.url.endsWith('.ts') ? bundleFromSources() : new URL('./cachemiss-worker.js', import.meta.url);
  return entry;
}

/**
 * workerEnv - the environment a cachemiss thread gets: the process's, with the loader options
 * (`--import`, `--require`/`-r`, `--loader`, `--experimental-loader`) taken out of NODE_OPTIONS.
 */
export function workerEnv(): NodeJS.ProcessEnv {
  if (environment !== null) return environment;
  const options = process.env.NODE_OPTIONS;
  environment = options === undefined ? { ...process.env } : { ...process.env, NODE_OPTIONS: withoutLoaders(options) };
  return environment;
}

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** withoutLoaders - NODE_OPTIONS minus loader flags and their values (`--import x` and `--import=x`). */
export function withoutLoaders(options: string): string {
  const words = options.split(/\s+/).filter((word) => word !== '');
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const name = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
    if (!LOADER_FLAGS.has(name)) kept.push(word);
    else if (!word.includes('=')) i++;
  }
  return kept.join(' ');
}

interface EsbuildResult {
  readonly outputFiles: readonly { readonly text: string }[];
}
interface Esbuild {
  buildSync(options: Record<string, unknown>): EsbuildResult;
}

function bundleFromSources(): URL {
  const require = createRequire(import.meta.url);
  // esbuild as tsx resolves it: tsx depends on it, whatever the package manager hoisted.
  const esbuild = createRequire(require.resolve('tsx/package.json'))('esbuild') as Esbuild;
  const result = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./cachemiss-worker.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['koffi'],
    logLevel: 'silent',
  });
  const koffi = pathToFileURL(require.resolve('koffi')).href;
  const text = (result.outputFiles[0]?.text ?? '').replace(/from\s*"koffi"/g, `from ${JSON.stringify(koffi)}`);
  const name = `syslet-aio-cachemiss-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`;
  const file = join(tmpdir(), name);
  if (!existsSync(file)) {
    // Written under a private name, then renamed: another process may be writing the same file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}
