/**
 * A writeFile of more than a request slot's data (64 KiB) costs the event loop's thread no more
 * than node:fs/promises' writeFile (session 32, docs/fs.md "smallwrite32"). On ext4 such a write
 * can only be made on another thread, and the one chain syslet-aio/fs made of it (open, fstat,
 * a pwritev2 probe, the ring's write, close on the calling thread, whose writeback start alone
 * took ~110 µs a MiB) cost the calling thread 2–3× Node's for the same wall time; it is now
 * node:fs's own call.
 *
 * Measured as the calling thread's run time (/proc/thread-self/schedstat: CPU time, which the
 * machine's other load moves far less than wall time), in blocks of calls alternated between
 * the two implementations, the medians compared with a margin (before: 2.6–3.6× at 128 KiB on
 * the io_uring engine; after: 0.9–1.15×).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch, type FsPromises } from './helpers/fs-implementations.js';

const BYTES = 128 * 1024;
const CALLS = 20;
const BLOCKS = 8;

/** The calling thread's run time so far, in ns. */
function threadRunNs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

test('writeFile of 128 KiB costs the calling thread no more than 1.5x node:fs/promises', async (t) => {
  const dir = scratch(t, 'fs-large-writefile-cost');
  const data = Buffer.alloc(BYTES, 0x5a);
  const block = async (fs: FsPromises, file: string): Promise<number> => {
    const start = threadRunNs();
    for (let i = 0; i < CALLS; i++) await fs.writeFile(file, data);
    return threadRunNs() - start;
  };
  const runs = new Map<string, number[]>(IMPLEMENTATIONS.map(({ name }) => [name, []]));
  // Untimed blocks first: the JIT, the shared engine's start.
  for (const { name, fs } of IMPLEMENTATIONS) await block(fs, join(dir, name.replace(/\W/g, '-')));
  for (let round = 0; round < BLOCKS; round++) {
    const order = round % 2 === 0 ? IMPLEMENTATIONS : [...IMPLEMENTATIONS].reverse();
    for (const { name, fs } of order) (runs.get(name) as number[]).push(await block(fs, join(dir, name.replace(/\W/g, '-'))));
  }
  const node = median(runs.get('node:fs/promises') as number[]);
  const syslet = median(runs.get('syslet-aio/fs') as number[]);
  assert.ok(syslet <= 1.5 * node, `calling thread per call: syslet-aio/fs ${(syslet / CALLS / 1000).toFixed(0)} µs, node:fs/promises ${(node / CALLS / 1000).toFixed(0)} µs`);
  for (const { name } of IMPLEMENTATIONS) assert.deepEqual(readFileSync(join(dir, name.replace(/\W/g, '-'))), data);
});
