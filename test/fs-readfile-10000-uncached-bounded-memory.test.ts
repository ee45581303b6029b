/**
 * Issue 18: `Promise.all` over syslet-aio/fs's readFile for 10,000 uncached files of 1–8 KiB
 * stays within bounded memory — requests beyond the shared engine's window queue — and returns
 * every file whole, as node:fs/promises does. In a child process whose V8 heap is capped and whose
 * resident set the parent bounds at 1 GiB (killed there, never by the machine's OOM killer); the
 * pages are dropped with posix_fadvise(DONTNEED), so the reads go to cachemiss threads.
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
import { syscall } from '${ROOT}engine/native/index.ts';
import { NR } from '${ROOT}engine/syscalls/nr.ts';
import { readFile, requestStats, sharedEngine } from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-10000-'));
const names = [];
const sizes = [];
let x = 777;
for (let i = 0; i < 10000; i++) {
  x = (x * 1103515245 + 12345) >>> 0;
  const size = 1024 + (x % 7169);
  const bytes = Buffer.alloc(size, i & 0xff);
  bytes.writeUInt32LE(i, 0);
  const name = join(dir, 'f' + i);
  writeFileSync(name, bytes);
  names.push(name);
  sizes.push(size);
}
syscall(NR.sync);
for (const name of names) {
  const fd = openSync(name, 'r');
  syscall(NR.fadvise64, fd, 0, 0, 4);
  closeSync(fd);
}
let mostActive = 0;
const timer = setInterval(() => { mostActive = Math.max(mostActive, requestStats(sharedEngine()).active); }, 1);
const got = await Promise.all(names.map((name) => readFile(name)));
clearInterval(timer);
let wrong = 0;
got.forEach((bytes, i) => { if (bytes.length !== sizes[i] || bytes.readUInt32LE(0) !== i || bytes[bytes.length - 1] !== (i & 0xff)) wrong++; });
const hwm = Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ wrong, hwm, mostActive, limit: requestStats(sharedEngine()).limit }));
`;

test('10,000 uncached 1-8 KiB files through syslet-aio/fs readFile at once: every file whole, bounded memory and window', async () => {
  const result = await runChild(CHILD, 180_000, { rssLimitBytes: 1024 * MiB, nodeFlags: ['--max-old-space-size=512'] });
  assert.equal(result.killedForRss, false, `the child passed 1 GiB of RSS (peak ${Math.round(result.peakRssBytes / MiB)} MiB)`);
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { wrong: number; hwm: number; mostActive: number; limit: number };
  assert.equal(report.wrong, 0, 'every file came back whole');
  assert.ok(report.hwm < 512 * MiB, `peak RSS (VmHWM) ${Math.round(report.hwm / MiB)} MiB is under 512 MiB`);
  assert.ok(report.mostActive <= report.limit, `at most ${report.limit} requests held memory (saw ${report.mostActive})`);
});
