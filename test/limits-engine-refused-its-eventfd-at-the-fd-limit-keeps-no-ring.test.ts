// With exactly one fd free (RLIMIT_NOFILE lowered by the process on itself), `new Engine()` on the
// io_uring engine sets up its ring — which takes the last fd — then fails to make its eventfd and
// throws EMFILE, leaving the ring open: nothing refers to it, so the process has lost that fd for
// good (engine/engine.ts: `wake.ensure()` after selectEngine, without releasing the ring). Every
// later engine, and the POSIX layer's, then finds no fd at all: glibc's AIO and the threads engine
// read every byte at one free fd, the default engine answers EMFILE to every aio_read for the rest
// of the process. Fixed (session 21, coord21): the engine makes its eventfd first, so at one
// free fd the eventfd holds it, the ring cannot be set up and the engine uses threads (a ring set
// up whose registration fails is released the same way); the next engine finds no fd (EMFILE),
// and no ring is left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';
import { describeRun, runBurstChild } from './helpers/limits-run.js';

const NATIVE = new URL('../engine/native/index.ts', import.meta.url).href;
const ENGINE = new URL('../engine/engine.ts', import.meta.url).href;

// The fd set must hold still while the limit is chosen and the engines are made: in a fresh
// clone, tsx writes its compile cache with asynchronous fs calls for a while after the imports, and
// one of those fds closing between the count and `new Engine()` left two fds free (CI: the first
// engine set up its ring, ['io_uring', 'EMFILE'], 1 ring). So the child waits until three fd scans
// 50 ms apart agree, and an attempt during which any fd other than the engines' came or went is
// inconclusive: its engines are closed, the limit restored, and it is tried again.
const CHILD = `
import { readlinkSync } from 'node:fs';
import { allocNative, syscall } from ${JSON.stringify(NATIVE)};
import { Engine } from ${JSON.stringify(ENGINE)};
const used = (fd) => syscall(72, fd, 1) >= 0; // fcntl(F_GETFD)
const open = () => { const fds = []; for (let fd = 0; fd < 1024; fd++) if (used(fd)) fds.push(fd); return fds; };
const listing = () => open().join(' ');
const target = (fd) => { try { return readlinkSync('/proc/self/fd/' + fd); } catch { return '?'; } };
const rings = () => { let n = 0; for (let fd = 0; fd < 1024; fd++) if (used(fd)) { try { if (readlinkSync('/proc/self/fd/' + fd).includes('io_uring')) n++; } catch {} } return n; };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const block = allocNative(16, 8);
const limits = new DataView(block.buffer);
const setNofile = (value) => {
  limits.setBigUint64(0, BigInt(value), true);
  limits.setBigUint64(8, BigInt(value), true);
  if (syscall(302, 0, 7, block.address, 0) !== 0) throw new Error('prlimit64');
};
if (syscall(302, 0, 7, 0, block.address) !== 0) throw new Error('prlimit64 get');
const original = limits.getBigUint64(8, true);
let report = null;
for (let attempt = 0; attempt < 5 && report === null; attempt++) {
  for (let stable = 0, last = listing(); stable < 3; ) { await sleep(50); const now = listing(); stable = now === last ? stable + 1 : 0; last = now; }
  // Scanned with fcntl, not readdir (at the limit no fd is left to list a directory with), and
  // before the limit is chosen, so that an fd closing in between shows as closed.
  const before = open();
  // The lowest limit that leaves exactly one fd number free below it.
  let limit = 0;
  for (let free = 1; ; limit++) { if (used(limit)) continue; if (free === 0) break; free--; }
  setNofile(limit);
  const outcomes = [];
  const engines = [];
  for (let i = 0; i < 2; i++) {
    try { const engine = new Engine(); engines.push(engine); outcomes.push(engine.asyncEngine.kind); } catch (error) { outcomes.push(error.code); }
  }
  const after = open();
  // The engines' fds are anonymous inodes (eventfd, io_uring); any other fd that came or went is
  // the loader's.
  const closed = before.filter((fd) => !after.includes(fd));
  const opened = after.filter((fd) => !before.includes(fd) && !target(fd).startsWith('anon_inode:'));
  if (closed.length === 0 && opened.length === 0) { report = { outcomes, rings: rings(), attempts: attempt + 1 }; break; }
  setNofile(Number(original));
  for (const engine of engines) await engine.close();
}
process.stdout.write(JSON.stringify(report));
process.exit(0);
`;

test('a new Engine at one free fd keeps no ring: its eventfd takes the fd and it runs on threads', async () => {
  const env = { SYSLET_AIO_ENGINE: '' };
  const result = await runChild(CHILD, 60_000, { env });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { outcomes: string[]; rings: number } | null;
  assert.ok(report !== null, 'five attempts saw another fd close while the engines were made');
  const { outcomes, rings } = report;
  // Before: ['EMFILE', 'EMFILE'] and 1 ring left open.
  assert.equal(rings, 0, JSON.stringify(outcomes));
  assert.deepEqual(outcomes, ['threads', 'EMFILE'], 'the first engine works on threads with the one fd; the second has none');
});

test('the POSIX layer at one free fd reads cached pages on the default engine, as on threads and in glibc', async () => {
  for (const engine of ['threads', undefined] as const) {
    const run = await runBurstChild(null, { impl: 'syslet', count: 500, via: 'aio_read', notify: 'none', limitsAfterLoad: { nofileFree: 1 } }, engine === undefined ? {} : { env: { SYSLET_AIO_ENGINE: engine } });
    assert.ok(run.report !== null, `${engine ?? 'default'}: ${describeRun(run)}`);
    assert.deepEqual([run.report.submitted, run.report.ended], [500, { ok: 500 }], describeRun(run));
  }
});
