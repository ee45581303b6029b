// No command blocks in open(2) on a FIFO: `cp FIFO out`, `cp file FIFO` (no reader) and
// `compat32 inspect FIFO` each exit 1 at once with one line naming the FIFO, and leave nothing
// behind; `cp FIFO out` and `compat32 inspect FIFO` used to wait for a writer forever. GNU cp
// would copy from a FIFO with read(2); this cp reads at offsets, which a FIFO cannot serve, so it
// refuses, as it refuses /dev/null ("not a regular file").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const LIMIT_MS = 30_000;

test('cp and compat32 inspect refuse a FIFO with one line instead of blocking in open', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  const file = join(dir, 'file');
  execFileSync('mkfifo', [fifo]);
  writeFileSync(file, 'data\n');
  const cases: [string[], RegExp][] = [
    [['cp', '--no-progress', fifo, join(dir, 'out')], /^syslet-aio cp: '.*fifo' is not a regular file \(a FIFO\)\n$/],
    [['cp', '--no-progress', file, fifo], /^syslet-aio cp: '.*fifo' is a FIFO: cp writes at offsets, so the destination must be a regular file or a device\n$/],
    [['compat32', 'inspect', fifo], /^syslet-aio compat32: '.*fifo' is not a regular file \(a FIFO\)\n$/],
    [['cp', '--no-progress', '/dev/null', join(dir, 'out')], /^syslet-aio cp: '\/dev\/null' is not a regular file \(a character device\)\n$/],
  ];
  const runs = await Promise.all(cases.map(([args]) => runCli(args, { timeoutMs: LIMIT_MS })));
  runs.forEach((run, i) => {
    const [args, line] = cases[i] as [string[], RegExp];
    assert.equal(run.timedOut, false, `${args.join(' ')} blocked`);
    assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, line);
    assert.equal(run.stdout, '');
  });
  assert.equal(existsSync(join(dir, 'out')), false, 'nothing was created');
});
