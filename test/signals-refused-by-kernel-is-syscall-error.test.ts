// receiveSignals reports a kernel refusal as Node reports a failed call: a SyscallError with the
// negative errno, code and the call (signalfd4 here, refused with EMFILE in a child process whose
// every descriptor is taken), not a bare Error with a positive number in its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STILL_LOADER_ENV } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;

test('an EMFILE from signalfd4 rejects receiveSignals with a SyscallError naming signalfd4', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-signals-emfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const child = join(dir, 'child.mts');
  writeFileSync(child, `
import { openSync } from 'node:fs';
const { receiveSignals, SIGRTMIN, SyscallError } = await import(${JSON.stringify(INDEX)});
const held = [];
try { for (;;) held.push(openSync('/dev/null', 'r')); } catch (error) { if (error.code !== 'EMFILE') throw error; }
try {
  receiveSignals(SIGRTMIN + 3, () => {});
  console.log(JSON.stringify({ threw: false }));
} catch (error) {
  console.log(JSON.stringify({ syscallError: error instanceof SyscallError, errno: error.errno, code: error.code, syscall: error.syscall, message: error.message }));
}
`);
  // A low descriptor limit for the child alone, so that filling it is quick and harms nothing else.
  const ran = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${child}"`], { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...STILL_LOADER_ENV } });
  assert.equal(ran.status, 0, ran.stderr);
  const outcome = JSON.parse(ran.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert.deepEqual(outcome, { syscallError: true, errno: -24, code: 'EMFILE', syscall: 'signalfd4', message: 'EMFILE: too many open files, signalfd4' });
});
