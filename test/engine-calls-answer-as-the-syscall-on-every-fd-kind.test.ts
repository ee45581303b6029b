// The fd-kinds differential fuzz (test/fuzz/fd-kinds.ts): fd-taking atoms — read, write, the
// positional and vector calls with random lengths, offsets and RWF flags, recvfrom and sendto,
// lseek, fstat, fsync —
// on every kind of fd (files, a memfd, pipes and sockets blocking or not, eventfds, a timerfd, an
// inotify and an epoll fd, /dev/null, a directory, an O_PATH fd, no fd), inline and forced async,
// answer exactly what the same syscalls made directly answer, read the same bytes and leave the
// fds holding the same. It found that a zero-count read(2) answered 0 where the file answers
// EISDIR or EINVAL, that RWF_HIPRI and a caller's RWF_NOWAIT changed answers through the ring, that
// lseek's 2^63 - 1 came back negative, and that a positional read of an eventfd went to the ring.
// Runs on the default engine and, under npm run test:threads-engine, on cachemiss threads. The
// driver runs in a child process: a hang is reported with its seed and last checkpoint. Size: a
// fixed number of cases (SYSLET_FUZZ_CASES, default 1000); SYSLET_FUZZ_SECONDS runs for that long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FdKindsReport } from './fuzz/fd-kinds.js';
import { lastCheckpoint } from './fuzz/checkpoint.js';
import { runInChild } from './fuzz/driver-cli.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const cases = seconds === null ? Number(process.env.SYSLET_FUZZ_CASES ?? 1000) : null;
const budget = cases !== null ? ['--cases', String(cases), '--seconds', '100000'] : ['--seconds', String(seconds)];
const seed = fuzzSeed(20261204);
const driver = join(import.meta.dirname, 'fuzz', 'fd-kinds.ts');

test(`fd-taking atoms answer as the syscall on every kind of fd (seed ${seed}, ${cases ?? `${seconds} s`})`, { timeout: 600_000 }, () => {
  const { report, child } = runInChild<FdKindsReport>(driver, ['--seed', String(seed), ...budget], 300_000 + (seconds ?? 0) * 1000);
  const where = `seed ${seed}, last checkpoint ${lastCheckpoint(child.stderr) ?? 'none'}, status ${child.status}, signal ${child.signal}`;
  assert.ok(report !== null, `no report (${where}): ${child.stderr.split('\n').filter((line) => !line.startsWith('checkpoint')).slice(-10).join(' | ')}`);
  assert.deepEqual(report.violations, [], where);
  assert.equal(child.status, 0, where);
  if (cases !== null) assert.ok(report.cases >= cases, `${report.cases} cases`);
  // Every kind and every call ran, some of each forced async.
  assert.ok(Object.keys(report.byKind).length >= 15, JSON.stringify(report.byKind));
  assert.equal(Object.keys(report.byCall).length, 16, JSON.stringify(report.byCall));
  assert.ok(report.asyncOps > 0 && report.asyncOps < report.ops, `${report.asyncOps} of ${report.ops} forced async`);
});
