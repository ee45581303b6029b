/**
 * 100,000 aio_reads, each into its own 512-byte view of one Buffer (the views side by side, as a
 * C program carves one allocation into request buffers), all submitted before a single byte has
 * arrived, are all taken and each fills its own view. The reads come from twenty stream sockets
 * (view i from socket i % 20) that a writer process feeds, one socket after another, only once
 * every read is in flight.
 *
 * Every view must be registered with the engine while its request is in flight, and the engine's
 * region table has 4,096 entries: with a region per view, aio_read answered EAGAIN from about the
 * 4,080th on (and `new Aiocb` then found no room for its slab: ENOMEM). Views of one store that
 * touch while both are in use now share one region (shim/held-ranges.ts), and a registration costs a
 * binary search and a memmove whatever the table holds (engine/memory-index.ts). In a child
 * process, whose resident set is bounded at 768 MiB (killed there, never by the OOM killer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;
const MiB = 1024 * 1024;

const CHILD = `
import { spawn } from 'node:child_process';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, errno, EINPROGRESS, SIGEV_NONE } from '${ROOT}index.ts';
import { socketpair, closeFd, SOCK_STREAM } from '${ROOT}test/aio-fixture.ts';

const SOCK_CLOEXEC = 0o2000000;
const VIEWS = 100_000;
const SOCKETS = 20;
const BLOCK = 512;
// (Close-on-exec: the writer must not hold the reading ends too, or it would never see them go.)
const pairs = Array.from({ length: SOCKETS }, () => socketpair(SOCK_STREAM | SOCK_CLOEXEC));
// The writer gets the sockets' other ends as fds 3.., and writes nothing until told to on stdin;
// then each socket's blocks in turn (a socket's reads run one after another, each the next block).
// View i reads from socket i % SOCKETS; block i starts with i (uint32) and is filled with i * 7.
const writer = spawn(process.execPath, ['-e', \`
const { readSync, writeSync } = require('node:fs');
readSync(0, Buffer.alloc(1));
const block = Buffer.alloc(\${BLOCK});
for (let k = 0; k < \${SOCKETS}; k++) {
  for (let i = k; i < \${VIEWS}; i += \${SOCKETS}) {
    block.fill((i * 7) & 255);
    block.writeUInt32LE(i, 0);
    writeSync(3 + k, block);
  }
}
\`], { stdio: ['pipe', 'ignore', 'ignore', ...pairs.map(([, b]) => b)] });
for (const [, b] of pairs) closeFd(b);

const big = Buffer.alloc(VIEWS * BLOCK, 0xee);
const cbs = [];
const refused = {};
for (let i = 0; i < VIEWS; i++) {
  const cb = new Aiocb({ aio_fildes: pairs[i % SOCKETS][0], aio_buf: big.subarray(i * BLOCK, (i + 1) * BLOCK), aio_sigevent: { sigev_notify: SIGEV_NONE } });
  if (aio_read(cb) === -1) refused[errno()] = (refused[errno()] ?? 0) + 1;
  else cbs.push(cb);
}
const inFlight = cbs.filter((cb) => aio_error(cb) === EINPROGRESS).length;
writer.stdin.end('g');
let short = 0;
for (const cb of cbs) {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
  if (aio_return(cb) !== BLOCK) short++;
}
let wrong = 0;
for (let i = 0; i < VIEWS; i++) {
  const at = i * BLOCK;
  if (big.readUInt32LE(at) !== i || big[at + BLOCK - 1] !== ((i * 7) & 255)) wrong++;
}
for (const [a] of pairs) closeFd(a);
console.log(JSON.stringify({ taken: cbs.length, refused, inFlight, short, wrong }));
`;

test('100,000 reads into side-by-side views of one Buffer, all in flight at once, are all taken and each fills its view', async () => {
  const result = await runChild(CHILD, 300_000, { rssLimitBytes: 768 * MiB });
  assert.equal(result.killedForRss, false, `the child passed 768 MiB of RSS (peak ${Math.round(result.peakRssBytes / MiB)} MiB)`);
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { taken: number; refused: Record<string, number>; inFlight: number; short: number; wrong: number };
  assert.deepEqual(report.refused, {}, 'refused submissions by errno');
  assert.equal(report.taken, 100_000);
  assert.equal(report.inFlight, 100_000, 'every read was still in flight when the writer started');
  assert.equal(report.short, 0, 'reads that did not fill their block');
  assert.equal(report.wrong, 0, 'views holding another block than their own');
});
