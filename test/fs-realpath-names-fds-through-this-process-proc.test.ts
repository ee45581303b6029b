/**
 * realpath reads the fd's name from "/proc/<pid>/fd/N" (no "self" link to follow) only when
 * /proc/self is this process; in a pid namespace whose /proc is still the parent's (unshare
 * --pid without a new /proc mount), "/proc/<pid>" is another process and the name comes from
 * "/proc/self/fd/N", so realpath still gives Node's answer there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { procFdDirectoryName } from '../fs/links.js';
import { scratch } from './helpers/fs-implementations.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('in its own pid namespace with its own /proc, the fds are named through /proc/<pid>/fd', () => {
  assert.equal(procFdDirectoryName(), `/proc/${process.pid}/fd/`);
});

test('in a pid namespace that sees the parent\'s /proc, realpath names fds through /proc/self and matches Node', (t) => {
  const probe = spawnSync('unshare', ['--pid', '--fork', 'true'], { timeout: 10_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    t.skip(`unshare --pid is not available here (${probe.error?.message ?? probe.stderr.toString().trim()})`);
    return;
  }
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'data');
  symlinkSync('file', join(dir, 'link'));
  const script = `
    import * as nodeFs from 'node:fs/promises';
    import { procFdDirectoryName } from ${JSON.stringify(pathToFileURL(join(root, 'fs/links.ts')).href)};
    import { realpath } from ${JSON.stringify(pathToFileURL(join(root, 'fs/index.ts')).href)};
    const link = ${JSON.stringify(join(dir, 'link'))};
    console.log(JSON.stringify({ pid: process.pid, directory: procFdDirectoryName(), syslet: await realpath(link), node: await nodeFs.realpath(link) }));
  `;
  const child = spawnSync('unshare', ['--pid', '--fork', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { pid: number; directory: string; syslet: string; node: string };
  assert.equal(seen.pid, 1, 'the child is its namespace\'s first process');
  assert.equal(seen.directory, '/proc/self/fd/');
  assert.equal(seen.syslet, seen.node);
  assert.equal(seen.syslet, join(dir, 'file'));
});
