// `syslet-aio cp` of a file that reports st_size 0 but has content (procfs: /proc/version,
// /proc/filesystems, /proc/self/status) copies all of it, read until a read returns 0, as GNU cp
// does; it used to copy 0 bytes and exit 0. GNU cp is the oracle: the same file copied by it
// gives the same bytes (for /proc/self/status, the same fields: the values are each process's
// own). A tiny --bs makes the copy take many short reads, none of which may be taken for the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

function fieldNames(status: string): string[] {
  return status.split('\n').filter((line) => line !== '').map((line) => line.split(':')[0] ?? '');
}

test('cp copies procfs files (st_size 0) to their end, as GNU cp does', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cp-procfs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [source, bs] of [['/proc/version', '128k'], ['/proc/filesystems', '16']] as const) {
    assert.equal(statSync(source).size, 0, `${source} reports size 0`);
    const ours = join(dir, `ours-${bs}`);
    const gnu = join(dir, `gnu-${bs}`);
    execFileSync('cp', [source, gnu]);
    const run = await runCli(['cp', '--no-progress', '--bs', bs, source, ours]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(readFileSync(gnu).length > 0);
    assert.deepEqual(readFileSync(ours), readFileSync(gnu), `${source} with --bs ${bs}`);
    assert.match(run.stdout, new RegExp(`^copied .* \\(${readFileSync(gnu).length} bytes\\)`, 'm'));
  }
  const ours = join(dir, 'status');
  const gnu = join(dir, 'status-gnu');
  execFileSync('cp', ['/proc/self/status', gnu]);
  const run = await runCli(['cp', '--no-progress', '/proc/self/status', ours]);
  assert.equal(run.code, 0, run.stderr);
  const copied = readFileSync(ours, 'utf8');
  assert.deepEqual(fieldNames(copied), fieldNames(readFileSync(gnu, 'utf8')));
  assert.match(copied, /^Name:\s+node/m, 'the copying process is node');
});
