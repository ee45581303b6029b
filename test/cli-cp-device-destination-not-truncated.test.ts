// `syslet-aio cp a /dev/null` succeeds, as GNU cp does (the oracle): a destination that is a
// device is written as it is and never truncated (ftruncate on /dev/null is EINVAL, which used
// to fail the copy). --verify with such a destination is refused before copying, with one
// line: reading /dev/null back proves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

test('cp to /dev/null writes without truncating, as GNU cp does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cp-device-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'a');
  writeFileSync(src, 'hello, device\n');
  execFileSync('cp', [src, '/dev/null']); // the oracle: throws if GNU cp fails
  const run = await runCli(['cp', '--no-progress', '--json', src, '/dev/null']);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { bytes: number; dst: string; writes: number };
  assert.equal(summary.dst, '/dev/null');
  assert.equal(summary.bytes, 14);
  assert.equal(summary.writes, 1);

  const verify = await runCli(['cp', '--no-progress', '--verify', src, '/dev/null']);
  assert.equal(verify.code, 1);
  assert.equal(verify.stderr, "syslet-aio cp: --verify: '/dev/null' is not a regular file, so there is nothing to compare\n");
});
