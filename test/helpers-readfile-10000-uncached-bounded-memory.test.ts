/**
 * Issue 14 item 4: `Promise.all` over `readFileSyslet(engine, name)` for 10,000 uncached files of
 * 1–8 KiB went to 20 GB of RSS (a 2 MiB slot reserved per request, each its own region: "too many
 * memory regions", then the OOM killer), and kept 4.25 GB after engine.close(). Requests beyond
 * the engine's window now queue, buffers follow fstat, and close gives the slots back.
 *
 * The job runs in a child process capped twice: V8's heap by --max-old-space-size, and its whole
 * resident set by the parent, which kills it past 1 GiB — the test fails on its own and never
 * wakes the machine's OOM killer. The pages are dropped per file with posix_fadvise(DONTNEED)
 * after a sync, so no root is needed to make the reads go to cachemiss threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;
const MiB = 1024 * 1024;

const CHILD = `
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '${ROOT}engine/engine.ts';
import { syscall } from '${ROOT}engine/native/index.ts';
import { NR } from '${ROOT}engine/syscalls/nr.ts';
import { helperPoolStats, readFileSyslet } from '${ROOT}plugins/index.ts';

const POSIX_FADV_DONTNEED = 4;
const dir = mkdtempSync(join(tmpdir(), 'syslet-10000-'));
const names = [];
const sizes = [];
let x = 12345;
for (let i = 0; i < 10000; i++) {
  x = (x * 1103515245 + 12345) >>> 0;
  const size = 1024 + (x % 7169);
  const name = join(dir, 'f' + i);
  const bytes = Buffer.alloc(size, i & 0xff);
  bytes.writeUInt32LE(i, 0);
  writeFileSync(name, bytes);
  names.push(name);
  sizes.push(size);
}
syscall(NR.sync);
for (const name of names) {
  const fd = openSync(name, 'r');
  syscall(NR.fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED);
  closeSync(fd);
}
const engine = new Engine();
const got = await Promise.all(names.map((name) => readFileSyslet(engine, name)));
let wrong = 0;
got.forEach((bytes, i) => { if (bytes.length !== sizes[i] || bytes.readUInt32LE(0) !== i || bytes[bytes.length - 1] !== (i & 0xff)) wrong++; });
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const slabsBefore = helperPoolStats(engine)['slots/65536']?.slabs ?? 0;
await engine.close();
const slabsAfter = helperPoolStats(engine)['slots/65536']?.slabs ?? 0;
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ wrong, hwm, slabsBefore, slabsAfter, threads: engine.threads }));
`;

test('10,000 uncached 1-8 KiB files through readFileSyslet at once: bounded memory, slots given back on close', async () => {
  const result = await runChild(CHILD, 180_000, { rssLimitBytes: 1024 * MiB, nodeFlags: ['--max-old-space-size=512'] });
  assert.equal(result.killedForRss, false, `the child passed 1 GiB of RSS (peak ${Math.round(result.peakRssBytes / MiB)} MiB)`);
  assert.equal(result.timedOut, false, 'the child finished in time');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { wrong: number; hwm: number; slabsBefore: number; slabsAfter: number };
  assert.equal(report.wrong, 0, 'every file came back whole');
  assert.ok(report.hwm < 512 * MiB, `peak RSS (VmHWM) ${Math.round(report.hwm / MiB)} MiB is under 512 MiB`);
  assert.ok(report.slabsBefore > 0, 'slots were used');
  assert.equal(report.slabsAfter, 0, 'closing the engine gave the slots back');
});
