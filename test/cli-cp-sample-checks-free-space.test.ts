// `cp --sample <size>` checks the free space (statfs) before writing anything: a sample that
// cannot fit with its copy is refused with one line that gives the sizes (exit 1), and no sample
// folder is created. It used to start writing and fill the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

test('cp --sample larger than the free space is refused before anything is written', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'syslet-aio-sample-space-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  const stats = statfsSync(parent);
  const free = stats.bavail * stats.bsize;
  // Half the free space plus a gibibyte: the sample would fit, but not with its copy.
  const size = `${Math.ceil(free / 2 / 1024 ** 3) + 1}g`;
  const run = await runCli(['cp', '--sample', size], { env: { ...process.env, TMPDIR: parent } });
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^syslet-aio cp: a [\d.]+ GiB sample needs [\d.]+ [GT]iB in .* \(the sample, its copy and 64\.0 MiB to spare\), but only [\d.]+ [GT]iB is free; pick a smaller size or set TMPDIR\n$/);
  assert.deepEqual(readdirSync(parent).filter((name) => name.startsWith('syslet-aio-sample-')), []);
});
