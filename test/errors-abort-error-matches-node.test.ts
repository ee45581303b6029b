// The library's AbortError has the shape of Node's own (the one fs.promises.readFile rejects
// with when its signal aborts): name 'AbortError', code 'ABORT_ERR', Node's message, and the
// signal's reason as `cause`, the same own keys in Node's order; isAbortError recognises both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { AbortError, abortError, isAbortError } from '../engine/errors.js';

test('AbortError matches the error node:fs rejects with on abort', async () => {
  const controller = new AbortController();
  const reason = new Error('caller gave up');
  controller.abort(reason);
  const nodeError = await readFile('/etc/hostname', { signal: controller.signal }).then(
    () => assert.fail('readFile should have rejected'),
    (error: unknown) => error as Error & { code: string },
  );
  const ours = abortError(controller.signal);
  assert.ok(ours instanceof AbortError && ours instanceof Error);
  assert.equal(ours.name, nodeError.name);
  assert.equal(ours.code, nodeError.code);
  assert.equal(ours.message, nodeError.message);
  assert.equal(ours.cause, reason);
  assert.equal(nodeError.cause, reason);
  // The same own keys in the same order, so util.inspect and JSON.stringify print the same.
  assert.deepEqual(Reflect.ownKeys(ours), Reflect.ownKeys(nodeError));
  assert.equal(JSON.stringify(ours), JSON.stringify(nodeError));
  assert.ok(isAbortError(ours) && isAbortError(nodeError));
  assert.ok(!isAbortError(new Error('x')) && !isAbortError(null));
});
