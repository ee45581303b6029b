/**
 * A worker thread that used the library and then ended gives back its memory mappings, as one
 * that used node:fs/promises does: a pool that recycles workers (piscina's idleTimeout or
 * maxQueue recycling, a test runner's workers) must not grow the process's mappings and address
 * space with each worker it replaces.
 *
 * Each child (the packed package, plain node) starts workers one after another; each imports
 * syslet-aio/fs, reads one file, posts its length and ends naturally. After 5 warm-up workers the
 * child counts the lines of /proc/self/maps and reads VmSize, runs 30 more workers, and counts
 * again. The control worker uses node:fs/promises instead.
 *
 * hunt27 (session 27), Node 20.20.2: node:fs/promises workers 0 mappings and 0 MB of VmSize per
 * worker (100 workers: 121 -> 121 mappings); syslet-aio/fs workers on io_uring about 5.7
 * mappings and 6 MB of VmSize per worker, RSS +0.3 MB per worker (100 workers: 102 -> 693
 * mappings, 744 -> 1,739 MB; 150: 976 mappings, linear); on the threads engine about 11.6
 * mappings and 12 MB per worker (1,292 mappings after 100). At that rate vm.max_map_count
 * (65,530) is reached after about 11,000 (io_uring) / 5,600 (threads) worker lifecycles, after
 * which every mmap of the process fails. The same happens in one thread: an Engine made and
 * closed 200 times on the threads engine leaves about 7 mappings each (its two cachemiss
 * threads' 2 MiB + 1 MiB blocks), 143 -> 1,437.
 * A worker that only loads koffi and makes one call leaves 3 mappings and 3 MB (100 workers:
 * 121 -> 421): part of this is koffi's per-isolate memory (its call stack and heap blocks) not
 * given back when an isolate ends; a cachemiss thread is a worker too, so the threads engine
 * pays it three times per engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball, run } from './helpers/tarball.js';

const WARM_UP = 5;
const MEASURED = 30;

const MAIN = `
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
const mappings = () => readFileSync('/proc/self/maps', 'utf8').trim().split('\\n').length;
const vmSizeMb = () => Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const worker = process.argv[2];
// Workers share this environment: the engine each worker's syslet-aio picks.
if (process.argv[4]) process.env.SYSLET_AIO_ENGINE = process.argv[4];
const oneWorker = () => new Promise((resolve, reject) => {
  const w = new Worker(new URL(worker, import.meta.url), { workerData: process.argv[3] });
  let length = -1;
  w.on('message', (m) => { length = m; });
  w.on('error', reject);
  w.on('exit', (code) => (code === 0 && length > 0 ? resolve() : reject(new Error('worker exit ' + code + ' length ' + length))));
});
for (let i = 0; i < ${WARM_UP}; i++) await oneWorker();
const before = { mappings: mappings(), vmSizeMb: vmSizeMb() };
for (let i = 0; i < ${MEASURED}; i++) await oneWorker();
console.log(JSON.stringify({ mappings: mappings() - before.mappings, vmSizeMb: Math.round(vmSizeMb() - before.vmSizeMb) }));
`;

const SYSLET_WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { readFile } = await import('syslet-aio/fs');
parentPort.postMessage((await readFile(workerData)).length);
`;

const NODE_WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
const { readFile } = await import('node:fs/promises');
parentPort.postMessage((await readFile(workerData)).length);
`;

interface Growth {
  readonly mappings: number;
  readonly vmSizeMb: number;
}

async function growth(consumer: string, worker: string, engine: string): Promise<Growth> {
  // Any file of the consumer will do as the file each worker reads: its package.json.
  const out = await run(process.execPath, ['workers-in-turn.mjs', `./${worker}`, join(consumer, 'package.json'), engine], consumer, 300_000);
  return JSON.parse(out.stdout.trim()) as Growth;
}

test('workers that used syslet-aio/fs and ended leave no mappings or address space behind, as node:fs/promises workers', {
  timeout: 900_000,
  todo: "each ended worker leaves ~5.7 mappings / 6 MB of VmSize on io_uring and ~11.6 / 12 MB on the threads engine (koffi's per-isolate blocks are part of it: 3 per isolate that loads koffi)",
}, async () => {
  const installed = await installPackedTarball();
  try {
    writeFileSync(join(installed.consumer, 'workers-in-turn.mjs'), MAIN);
    writeFileSync(join(installed.consumer, 'syslet-worker.mjs'), SYSLET_WORKER);
    writeFileSync(join(installed.consumer, 'node-worker.mjs'), NODE_WORKER);
    const control = await growth(installed.consumer, 'node-worker.mjs', '');
    // The control bounds what Node itself may keep (a few mappings of its own heap growth).
    assert.ok(control.mappings <= MEASURED / 2, `node:fs/promises workers grew the mappings by ${control.mappings}`);
    const results: Record<string, Growth> = {};
    for (const engine of ['io_uring', 'threads']) results[engine] = await growth(installed.consumer, 'syslet-worker.mjs', engine);
    // Both engines measured before the verdict, so that the message gives both figures.
    const grown = Object.entries(results)
      .filter(([, g]) => g.mappings > control.mappings + MEASURED / 2 || g.vmSizeMb > control.vmSizeMb + 32)
      .map(([engine, g]) => `${engine} engine: ${MEASURED} ended workers grew the mappings by ${g.mappings} and VmSize by ${g.vmSizeMb} MB`);
    assert.deepEqual(grown, [], `node:fs/promises workers: ${control.mappings} mappings, ${control.vmSizeMb} MB`);
  } finally {
    rmSync(installed.work, { recursive: true, force: true });
  }
});
