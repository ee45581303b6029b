/**
 * examples/custom-plugin.ts — a plugin written only against the public API, with JavaScript
 * values as parameters and named atoms — runs as a user would run it, appends its two lines
 * through the chain, reads the log back with the README's readFile plugin, and shows
 * definition-time validation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './plugin-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the custom-plugin example appends through its chain and reports a rejected template', async (t) => {
  const { dir, cleanup } = tempDir('example');
  t.after(cleanup);
  const log = join(dir, 'app.log');
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'examples/custom-plugin.ts', log], { cwd: ROOT }, (error, out, err) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout: out, stderr: err });
    });
  });
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
  const lines = stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5, stdout);
  assert.match(lines[0] as string, /^log\.append \((inline|cachemiss), stop end after close, 4 atoms\): open=\d+ write=11 closeAfterError=- sync=0 close=0$/);
  assert.match(lines[1] as string, /^log\.append \((inline|cachemiss), stop end after close, 4 atoms\): open=\d+ write=12 closeAfterError=- sync=0 close=0$/);
  assert.equal(lines[2], 'log: "first line\\nsecond line\\n"');
  assert.equal(lines[3], "rejected: plugin 'log.broken' atom 0 args[0]: refers to atom 1 ('pid'), which does not run before atom 0 on every path");
  assert.match(lines[4] as string, /^rejected: plugin 'log\.typo' atom 0 call: unknown syscall 'opneat'$/);
  assert.equal(readFileSync(log, 'utf8'), 'first line\nsecond line\n');
});
