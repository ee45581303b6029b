/**
 * A million `aio.read(fd, Buffer.alloc(4096), position)` calls — a fresh Buffer per call, the
 * README's way — keep the process's memory flat: between the 100,000th and the 1,000,000th call
 * the resident set (after a full GC) grows by less than 16 MiB, native memory (`external +
 * arrayBuffers`) by less than 1 MiB, the engine's region table not at all, and no bounce slot is
 * left taken (shim/bounce-slots.ts). In a child process (RSS is per process), whose resident set
 * the parent also bounds at 512 MiB (killed there, never by the machine's OOM killer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;
const MiB = 1024 * 1024;

const CHILD = `
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aio, aioEngine } from '${ROOT}index.ts';
import { bounceSlotsInUse } from '${ROOT}shim/bounce-slots.ts';
import { libc } from '${ROOT}engine/native/libc.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fresh-'));
const path = join(dir, 'data');
writeFileSync(path, Buffer.alloc(1 << 20, 7));
const fd = openSync(path, 'r');
// Freed Buffers' backing stores go back to glibc's malloc (after the GC, from V8's background
// sweeper), which keeps the freed pages in the process: RSS drifted up 19-46 MiB over the run
// (all of it in the brk heap) with V8's heap, native memory, regions and threads flat; after a
// pause and malloc_trim the same process was 60 MiB below its sample at 100k. So each sample
// comes after a full GC, a pause for the sweeper, and a trim: what is left is memory held.
// V8 frees a collected Buffer's backing store (and counts it out of arrayBuffers) on a
// background thread too, which a loaded machine can hold back past one pause: a run at load 10
// sampled 4.3 MiB of native memory that was already garbage. So the sample repeats the GC and
// the pause until native memory stops falling (at most 20 times): memory still held does not.
const mallocTrim = libc.func('int malloc_trim(size_t pad)');
const nativeNow = () => { const usage = process.memoryUsage(); return usage.external + usage.arrayBuffers; };
async function sample() {
  let native = Infinity;
  for (let settle = 0; settle < 20; settle++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = nativeNow();
    if (now >= native) break;
    native = now;
  }
  mallocTrim(0);
  return { rss: process.memoryUsage().rss, native, regions: aioEngine().memory.size };
}
let wrong = 0;
let at;
for (let i = 1; i <= 1_000_000; i++) {
  const buffer = Buffer.alloc(4096);
  if ((await aio.read(fd, buffer, (i * 4096) % (1 << 20))) !== 4096 || buffer[4095] !== 7) wrong++;
  if (i === 100_000) at = await sample();
}
const end = await sample();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ wrong, at, end, slots: bounceSlotsInUse() }));
`;

test('a million aio.read calls on fresh Buffers: RSS, native memory and the region table stay flat', async () => {
  const result = await runChild(CHILD, 300_000, { rssLimitBytes: 512 * MiB, nodeFlags: ['--expose-gc'] });
  assert.equal(result.killedForRss, false, `the child passed 512 MiB of RSS (peak ${Math.round(result.peakRssBytes / MiB)} MiB)`);
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, result.stderr);
  type Sample = { rss: number; native: number; regions: number };
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { wrong: number; at: Sample; end: Sample; slots: number };
  assert.equal(report.wrong, 0, 'every read filled its Buffer');
  assert.ok(report.end.rss - report.at.rss < 16 * MiB, `RSS grew ${((report.end.rss - report.at.rss) / MiB).toFixed(1)} MiB from 100k to 1M calls`);
  assert.ok(report.end.native - report.at.native < MiB, `native memory grew ${report.end.native - report.at.native} B`);
  assert.equal(report.end.regions, report.at.regions, 'no region per fresh Buffer');
  assert.equal(report.slots, 0, 'every bounce slot was given back');
});
