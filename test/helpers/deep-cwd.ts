/**
 * runInDeepCwd - make calls from a working directory deeper than PATH_MAX, with node:fs/promises
 * and with syslet-aio/fs, each on its own twin tree, in a child process, and give both sides'
 * outcomes (values or errors by their fields) for the caller to compare.
 *
 * Why a working directory that deep matters: Node's own calls take relative paths as they are
 * (the kernel resolves them from the cwd; only an absolute path has PATH_MAX), but a Worker
 * cannot start there: its bootstrap calls uv_cwd, which fails with ERANGE. syslet-aio's cachemiss
 * threads are Workers, so none can start, and every chain that needs one is answered by the pool
 * with -ERANGE (engine/pool.ts #failQueued) — the case the fs layer must not read as success.
 * A tool walking a deep tree with process.chdir (rimraf's tests do) meets it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FS_MODULE = fileURLToPath(new URL('../../fs.ts', import.meta.url));

/** One call: its name on the fs module (`name*N`: N calls at once) and its arguments (relative paths are from the deep cwd). */
export type DeepCall = readonly [name: string, ...args: unknown[]];

/** What one call gave: `ok` and a value, or the error's class, code, errno, syscall and path. */
export interface DeepOutcome {
  readonly call: string;
  readonly outcome: unknown;
}

const CHILD = `
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const calls = JSON.parse(process.env.CALLS);
const setup = JSON.parse(process.env.SETUP);
const out = {};
const describe = (value) => value === undefined ? 'undefined' : Buffer.isBuffer(value) ? 'buffer:' + value.toString('hex')
  : Array.isArray(value) ? value.map((v) => typeof v === 'string' ? v : v.name + ':' + v.isFile() + v.isDirectory()) : typeof value === 'object' && value !== null && 'isFile' in value ? 'stats:' + value.size : value;
for (const [side, fs] of [['node', nodeFs], ['syslet', sysletFs]]) {
  process.chdir(process.env.DIR);
  mkdirSync(side);
  process.chdir(side);
  // 21 levels of 200 bytes: about 4,200 bytes, past PATH_MAX (4,096) wherever DIR is.
  for (let level = 0; level < 21; level++) {
    mkdirSync('d'.repeat(200));
    process.chdir('d'.repeat(200));
  }
  for (const [path, data] of Object.entries(setup)) data === null ? mkdirSync(path) : typeof data === 'object' ? symlinkSync(data.symlink, path) : writeFileSync(path, data);
  out[side] = [];
  for (const [name, ...args] of calls) {
    let outcome;
    try {
      const timer = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref());
      // 'readlink*40': forty calls at once (a burst: from the 4th call of a turn, readlink and
      // realpath go in batches to a cachemiss thread), each answer or error code in the list.
      const [call, times] = name.split('*');
      const made = times === undefined ? fs[call](...args) : Promise.all(Array.from({ length: Number(times) }, () => fs[call](...args).catch((error) => error.code)));
      outcome = { ok: describe(await Promise.race([made, timer])) };
    } catch (error) {
      outcome = { error: error.constructor.name, message: error.code === undefined ? error.message : undefined, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path };
    }
    // What the call left: the files of the directory, read by the test's own means (node:fs).
    const left = {};
    for (const file of Object.keys(setup).concat(args.filter((a) => typeof a === 'string'))) {
      try { left[file] = (await nodeFs.readFile(file)).toString().slice(0, 100); } catch (error) { left[file] = error.code; }
    }
    out[side].push({ call: JSON.stringify([name, ...args]), outcome, left });
  }
}
process.chdir(process.env.DIR);
execFileSync('rm', ['-rf', 'node', 'syslet']);
process.stdout.write(JSON.stringify(out), () => process.exit(0));
`;

/**
 * @param calls - the calls to make, in order, on each side.
 * @param setup - files to make in the deep directory first (name → text; null: a directory;
 *   `{ symlink: target }`: a symbolic link).
 * @param env - extra environment for the child (SYSLET_AIO_ENGINE, say).
 * @returns both sides' outcomes, call by call.
 */
export function runInDeepCwd(calls: readonly DeepCall[], setup: Readonly<Record<string, string | null | { readonly symlink: string }>>, env: Readonly<Record<string, string>> = {}): { node: unknown[]; syslet: unknown[] } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-deep-cwd-'));
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      env: { ...process.env, ...env, FS_MODULE, DIR: dir, CALLS: JSON.stringify(calls), SETUP: JSON.stringify(setup) },
      encoding: 'utf8',
      timeout: Number(process.env.DEEP_CWD_TIMEOUT ?? 60_000),
    });
    if (child.status !== 0) throw new Error(`child ended ${String(child.status ?? child.signal ?? child.error)}: ${child.stderr}`);
    return JSON.parse(child.stdout) as { node: unknown[]; syslet: unknown[] };
  } finally {
    spawnSync('rm', ['-rf', dir]);
  }
}
