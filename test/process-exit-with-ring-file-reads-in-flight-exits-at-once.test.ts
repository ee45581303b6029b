/**
 * process.exit() at any moment while whole-file reads are in flight on the io_uring engine —
 * linked OPENAT/READ/READ batches in the ring, descriptors being installed as fds
 * (FIXED_FD_INSTALL) for the chain readers, uncached files waiting on the disk, a readFile
 * aborted just before — exits with the code given, at once, never a crash or a hang. Each child
 * runs two Engines and the shared engine of syslet-aio/fs (readFileSyslet, readFileInto,
 * readFile with and without a signal) over 64 files whose pages it dropped, 300 reads in flight,
 * and exits from a timer after a delay spread over its first 40 ms.
 *
 * hunt22 (session 22): 100 runs on io_uring, 100 exited 0 in 1.6-2.3 s (node's start included).
 * HUNT22_EXIT_RUNS raises the count here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';
import { tempDir } from './plugin-fixture.js';

const RUNS = Number(process.env.HUNT22_EXIT_RUNS ?? 8);
const FILES = 64;

const child = (dir: string, delayMs: number): string => `
import { closeSync, openSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { Engine, readFileInto, readFileSyslet, syscall } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
const files = Array.from({ length: ${FILES} }, (_, i) => ${JSON.stringify(dir)} + '/f' + i);
// fadvise64(POSIX_FADV_DONTNEED): the batches' RWF_NOWAIT reads find nothing cached.
for (const file of files) { const fd = openSync(file, 'r'); syscall(221, fd, 0, 0, 4); closeSync(fd); }
const engines = [new Engine(), new Engine()];
if (engines[0].fileReads === null) { process.stdout.write('no ring file reads'); process.exit(0); }
const controller = new AbortController();
// One signal shared by many reads: the listener warning is another test's (fs-readfile-calls-sharing-...).
setMaxListeners(0, controller.signal);
const next = (i) => {
  const file = files[i % files.length];
  const engine = engines[i % 2];
  const read = [
    () => readFileSyslet(engine, file),
    () => sysletFs.readFile(file, { signal: controller.signal }),
    () => readFileInto(engine, file, Buffer.alloc(100_000)),
    () => sysletFs.readFile(file),
  ][i % 4];
  return read().then(() => next(i + ${FILES}), () => next(i + ${FILES}));
};
for (let i = 0; i < 300; i++) next(i);
setTimeout(() => {
  if (${delayMs} % 3 === 0) controller.abort();
  process.exit(7);
}, ${delayMs});
`;

test('process.exit() with ring file reads in flight exits at once with its code', { timeout: 30_000 + RUNS * 20_000 }, async (t) => {
  const { dir, cleanup } = tempDir('exit-ring-reads');
  t.after(cleanup);
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}`), Buffer.alloc(1 + i * 4000, i));
  closeSync(openSync(dir, 'r'));
  const outcomes: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const delayMs = Math.round((run * 40) / Math.max(1, RUNS - 1));
    const result = await runChild(child(dir, delayMs), 15_000, { env: { SYSLET_AIO_ENGINE: 'io_uring' } });
    if (result.stdout === 'no ring file reads') return t.skip('no ring file reads on this engine');
    outcomes.push(`${delayMs} ms: ${result.timedOut ? 'hung' : `code ${String(result.code)} signal ${String(result.signal)}`}${result.stderr.trim() === '' ? '' : ` stderr ${result.stderr.trim().slice(0, 200)}`}`);
  }
  assert.deepEqual(outcomes.filter((line) => !/: code 7 signal null$/.test(line)), [], outcomes.join('\n'));
});
