/**
 * The small-file jobs of `npm run bench:fs` (issue 18): readFile of 10,000 small files (cold,
 * warm, and in a fresh process), stat, readlink and realpath of 10,000 paths, writeFile of 1,000
 * small files — each all at once (`Promise.all`), as a server's burst makes them.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropCaches, warmFile } from './dataset.js';
import type { Files, FsApi, Job, Sizes } from './fs-jobs-types.js';

/** syslet-aio/fs as a user imports it: the package's bundled entry point (dist/pkg/fs.js). */
const PACKAGE_FS = fileURLToPath(new URL('../pkg/fs.js', import.meta.url));

/** The child of {@link firstJobInAFreshProcess}: argv[1] the module, argv[2] the list of files. */
const FIRST_JOB = `
const fs = await import(process.argv[1]);
const files = JSON.parse(await (await import('node:fs/promises')).readFile(process.argv[2], 'utf8'));
await Promise.all(files.map((file) => fs.readFile(file)));
const used = process.cpuUsage();
process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
`;

/**
 * firstJobInAFreshProcess - start a Node process that imports `module` (node:fs/promises or
 * syslet-aio/fs) and reads every file of `list` with its readFile, all at once, then exits.
 *
 * @returns the child's CPU time, its threads included.
 * @throws Error when the child fails.
 */
async function firstJobInAFreshProcess(module: string, list: string): Promise<{ readonly cpuMs: number }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', FIRST_JOB, module, list], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the fresh process for ${module} exited with ${String(code)}`);
  return JSON.parse(out) as { cpuMs: number };
}

/** smallFileJobs - the readFile, stat, readlink and realpath jobs on `files`. */
export function smallFileJobs(files: Files, sizes: Sizes, coldSkip: string | undefined): Job[] {
  const warmSmall = (): void => files.small.forEach(warmFile);
  const warmLinks = async (): Promise<void> => {
    warmSmall();
    await Promise.all(files.links.map((link) => nodeFs.lstat(link)));
  };
  const readAll = async (fs: FsApi): Promise<void> => {
    await Promise.all(files.small.map((file) => fs.readFile(file)));
  };
  return [
    { name: `readFile ${sizes.smallFiles} small files, cold`, ...(coldSkip === undefined ? {} : { skip: coldSkip }), before: dropCaches, run: readAll },
    { name: `readFile ${sizes.smallFiles} small files, warm`, before: warmSmall, run: readAll },
    {
      // What a short-lived program (a CLI, a script, a test run) sees: Node's start, the import,
      // the engine's first chains and the JIT's first compilations are all in the time.
      name: `fresh process: import, readFile ${sizes.smallFiles} small files, warm`,
      before: warmSmall,
      run: (_fs, name) => firstJobInAFreshProcess(name === 'node' ? 'node:fs/promises' : PACKAGE_FS, files.smallList),
    },
    {
      name: `stat ${sizes.smallFiles} paths, warm`,
      before: warmSmall,
      run: async (fs) => {
        await Promise.all(files.small.map((file) => fs.stat(file)));
      },
    },
    {
      name: `readlink ${sizes.smallFiles} links, warm`,
      before: warmLinks,
      run: async (fs) => {
        await Promise.all(files.links.map((link) => fs.readlink(link)));
      },
    },
    {
      name: `realpath ${sizes.smallFiles} links, warm`,
      before: warmLinks,
      run: async (fs) => {
        await Promise.all(files.links.map((link) => fs.realpath(link)));
      },
    },
  ];
}

/** smallWriteJobs - writeFile of small files, all at once, in a directory of `files.writeDir`. */
export function smallWriteJobs(files: Files, sizes: Sizes): Job[] {
  let writeRuns = 0;
  let writeTarget = files.writeDir;
  const payload = crypto.randomBytes(4096);
  return [
    {
      name: `writeFile ${sizes.writeFiles} small files (4 KiB)`,
      // Each run writes into a directory of its own and nothing is deleted until the bench ends:
      // removing the last run's 1,000 files right before made every create of the next run scan
      // past them (ext4's inode allocator skips inodes deleted in the last 30 s: perf showed
      // recently_deleted() and its buffer lookups in 45% of the samples, ~0.5 ms of kernel time
      // per create for both implementations), which measured ext4, not writeFile.
      before: () => {
        writeTarget = path.join(files.writeDir, String(writeRuns++));
        mkdirSync(writeTarget);
      },
      run: async (fs) => {
        const names = Array.from({ length: sizes.writeFiles }, (_, i) => path.join(writeTarget, `${i}.bin`));
        await Promise.all(names.map((name) => fs.writeFile(name, payload)));
      },
    },
  ];
}
