// `syslet-aio info` says which engine makes the calls that would block, and why: io_uring with
// its set-up flags, ring sizes and the calls it makes (when this kernel allows it), or cachemiss
// threads with the reason — here SYSLET_AIO_ENGINE=threads. The JSON report carries the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeAsyncEngine } from '../engine/uring-describe.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function info(args: readonly string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'info', ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

test('SYSLET_AIO_ENGINE=threads: the engine line names threads and the variable', () => {
  const text = info([], { ...process.env, SYSLET_AIO_ENGINE: 'threads' });
  assert.match(text, /^Engine: cachemiss threads \(SYSLET_AIO_ENGINE=threads\)\.$/m);
  const json = JSON.parse(info(['--json'], { ...process.env, SYSLET_AIO_ENGINE: 'threads' })) as { asyncEngine: unknown };
  assert.deepEqual(json.asyncEngine, { kind: 'threads', reason: 'SYSLET_AIO_ENGINE=threads' });
});

test('by default the engine line says what this process would get, as describeAsyncEngine does', () => {
  const env = { ...process.env, SYSLET_AIO_ENGINE: '' };
  const expected = describeAsyncEngine(undefined, env);
  const text = info([], env);
  const json = JSON.parse(info(['--json'], env)) as { asyncEngine: { kind: string; calls?: string[] } };
  assert.equal(json.asyncEngine.kind, expected.kind);
  if (expected.kind === 'io_uring') {
    assert.match(text, /^Engine: io_uring \(SINGLE_ISSUER\|/m);
    assert.deepEqual(json.asyncEngine.calls, expected.calls);
    assert.ok(expected.calls.includes('pread64'));
  } else {
    assert.match(text, /^Engine: cachemiss threads \(/m);
  }
});
