// The fs differential fuzz (test/fuzz/fs-api.ts): random sequences of syslet-aio/fs calls —
// whole-file reads and writes with their options, FileHandle calls with odd positions, lengths and
// every kind of buffer, closed handles, namespace calls, links that dangle or loop, paths as
// strings, Buffers, URLs, relative, empty, with NUL bytes or too long — answer as the same calls
// on node:fs/promises on a twin tree, field by field, and leave the same tree. It found that
// readv([]) answered 0 where Node answers EINVAL, that write('') made no call (Node's answers
// EBADF on a read-only handle), that a failed copyFile left dest where libuv removes it, and that
// rename onto an empty name answered for the new path first. The driver runs in a child process:
// a hang or a crash is reported with its seed and last checkpoint. Size: a fixed number of cases
// (SYSLET_FUZZ_CASES, default 60, a few seconds); SYSLET_FUZZ_SECONDS runs for that long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FsApiReport } from './fuzz/fs-api.js';
import { lastCheckpoint, withoutCheckpoints } from './fuzz/checkpoint.js';
import { runInChild } from './fuzz/driver-cli.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const cases = seconds === null ? Number(process.env.SYSLET_FUZZ_CASES ?? 60) : null;
const budget = cases !== null ? ['--cases', String(cases), '--seconds', '100000'] : ['--seconds', String(seconds)];
const seed = fuzzSeed(20261204);
const driver = join(import.meta.dirname, 'fuzz', 'fs-api.ts');

test(`random fs calls answer as node:fs/promises and leave the same tree (seed ${seed}, ${cases ?? `${seconds} s`})`, { timeout: 600_000 }, () => {
  const { report, child } = runInChild<FsApiReport>(driver, ['--seed', String(seed), ...budget], 300_000 + (seconds ?? 0) * 1000);
  const where = `seed ${seed}, last checkpoint ${lastCheckpoint(child.stderr) ?? 'none'}, status ${child.status}, signal ${child.signal}; replay: node --import tsx test/fuzz/fs-api.ts --seed ${seed} ${budget.join(' ')}`;
  assert.ok(report !== null, `no report (${where}): ${withoutCheckpoints(child.stderr).split('\n').slice(-10).join(' | ')}`);
  assert.deepEqual(report.violations, [], where);
  assert.equal(child.status, 0, where);
  if (cases !== null) assert.equal(report.cases, cases, where);
  assert.equal(report.treeChecks, report.cases, where);
  // Both outcomes ran: calls that succeeded and calls that failed alike on both sides.
  assert.ok(report.errors > 0 && report.errors < report.ops, `${report.errors} of ${report.ops} calls failed (${where})`);
});
