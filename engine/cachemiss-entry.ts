/**
 * What a cachemiss thread runs. A thread must start as plain JavaScript, without the loader the
 * main thread was started with: Node 20 gives a worker the parent's `execArgv` (and applies
 * NODE_OPTIONS again), so under `node --import tsx` every thread would start tsx first — about a
 * second of CPU per thread instead of tens of milliseconds. Its environment without loaders is
 * engine/native/worker-env.ts (shared with the waker of a worker's fd watcher).
 *
 * A thread starts from one CommonJS script holding the worker and every engine module it imports
 * (koffi stays outside), not from the worker's ES module: Node's ES module loader resolves,
 * reads (asynchronously) and links each of the worker's 35 modules one by one, and loads its own
 * loader's internals first. Measured on 2 vCPUs (Node 20.20), CPU from `new Worker` to the
 * thread's 'ready': 91-94 ms from the ES modules, 56-59 ms from the script (a bare Worker that
 * loads nothing: 25-27 ms from a script, 31-37 ms from an ES module).
 *
 * - From the compiled package (dist/), the entry is `cachemiss-worker.cjs` next to this file,
 *   made by `npm run build` (scripts/bundle-cachemiss-worker.ts) from the compiled modules; a
 *   dist/ built by `tsc` alone has only `cachemiss-worker.js` (or a script older than it), and
 *   threads start from that, slower.
 * - From the TypeScript sources (tests, `node --import tsx`), the same script is bundled once per
 *   process with esbuild (tsx's own dependency, so nothing new is installed), written to the OS
 *   temp directory under a name derived from its content, with koffi required by absolute path.
 */
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

let entry: URL | null = null;

/**
 * cachemissWorkerEntry - the module a cachemiss thread starts from.
 *
 * @returns a file URL of plain JavaScript.
 * @throws Error when running from sources and the bundle cannot be made (esbuild missing).
 */
export function cachemissWorkerEntry(): URL {
  if (entry !== null) return entry;
  if (import.meta.url.endsWith('.ts')) entry = bundleFromSources();
  else {
    // '../engine/': this module is dist/engine/cachemiss-entry.js, or part of the package's
    // bundle in dist/pkg/ (scripts/bundle-package.ts); both name the script in dist/engine/.
    const script = new URL('../engine/cachemiss-worker.cjs', import.meta.url);
    const modules = new URL('../engine/cachemiss-worker.js', import.meta.url);
    // A script older than the compiled worker is left from an earlier build (tsc run alone since):
    // it would run old engine code against the new. (npm packs every file with one mtime.)
    const scriptThere = existsSync(script);
    const modulesThere = existsSync(modules);
    if (!scriptThere && !modulesThere) warnNoWorkerScript(script);
    entry = scriptThere && (!modulesThere || statSync(script).mtimeMs >= statSync(modules).mtimeMs) ? script : modules;
  }
  return entry;
}

/**
 * Neither worker file is next to the code that runs: the package was bundled into an application
 * (esbuild --bundle, ncc, webpack), which carries this module but not the script a thread starts
 * from. Every call that needs a cachemiss thread then fails (EAGAIN: no thread could start), so
 * say it once, with the file and the remedy, rather than leave it to SYSLET_AIO_DEBUG (hunt25).
 */
function warnNoWorkerScript(script: URL): void {
  process.emitWarning(
    `syslet-aio: the cachemiss thread script ${fileURLToPath(script)} is missing — was syslet-aio bundled into the application? ` +
      'Mark it external to the bundler (as koffi): without the script no cachemiss thread can start, and calls that need one fail with EAGAIN.',
    { code: 'SYSLET_AIO_NO_WORKER_SCRIPT' },
  );
}

interface EsbuildResult {
  readonly outputFiles: readonly { readonly text: string }[];
}
interface Esbuild {
  buildSync(options: Record<string, unknown>): EsbuildResult;
}

/**
 * bundleCachemissWorker - the cachemiss worker and every module it imports as one CommonJS
 * script, koffi left outside (`require(koffi)`).
 *
 * @param workerFile - the worker module to start from: engine/cachemiss-worker.ts, or the
 *   compiled dist/engine/cachemiss-worker.js.
 * @param koffi - what the script passes to `require` for koffi: `'koffi'` for a script shipped
 *   in the package (resolved from where it is installed), an absolute path for one written
 *   elsewhere.
 * @returns the script's text.
 * @throws Error when esbuild (tsx's dependency, a development dependency) cannot be loaded.
 */
export function bundleCachemissWorker(workerFile: string, koffi: string): string {
  const require = createRequire(import.meta.url);
  // esbuild as tsx resolves it: tsx depends on it, whatever the package manager hoisted.
  const esbuild = esbuildWithoutWorkerThread(createRequire(require.resolve('tsx/package.json')));
  const result = esbuild.buildSync({
    entryPoints: [workerFile],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['koffi'],
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]?.text ?? '';
  if (!text.includes('require("koffi")')) throw new Error('cachemiss worker bundle: no require("koffi") to point at koffi');
  return text.replaceAll('require("koffi")', `require(${JSON.stringify(koffi)})`);
}

/**
 * esbuild's API as an instance of its own whose sync calls each run esbuild as a child process.
 * By default they go through a worker thread that esbuild starts on first use, and a call waits
 * for ever when that thread cannot start: at the fd limit, the first cachemiss thread a process
 * run from sources asked for hung it in buildSync. A child process that cannot start throws
 * (`spawnSync ... EMFILE`), and that thread's start fails as any other does (see
 * pool-start-failures.ts). One bundle per process gains nothing from a long-lived service.
 */
function esbuildWithoutWorkerThread(require: NodeRequire): Esbuild {
  const path = require.resolve('esbuild');
  // esbuild reads ESBUILD_WORKER_THREADS when its module loads; tsx's instance stays as it was.
  const shared = require.cache[path];
  const before = process.env.ESBUILD_WORKER_THREADS;
  process.env.ESBUILD_WORKER_THREADS = '0';
  try {
    delete require.cache[path];
    return require(path) as Esbuild;
  } finally {
    if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
    else process.env.ESBUILD_WORKER_THREADS = before;
    if (shared !== undefined) require.cache[path] = shared;
  }
}

function bundleFromSources(): URL {
  const koffi = createRequire(import.meta.url).resolve('koffi');
  const text = bundleCachemissWorker(fileURLToPath(new URL('./cachemiss-worker.ts', import.meta.url)), koffi);
  // (node:crypto loaded here, not at import: only a run from the sources gets here.)
  const { createHash } = process.getBuiltinModule('node:crypto');
  const name = `syslet-aio-cachemiss-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.cjs`;
  const file = join(tmpdir(), name);
  if (!existsSync(file)) {
    // Written under a private name, then renamed: another process may be writing the same file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
}
