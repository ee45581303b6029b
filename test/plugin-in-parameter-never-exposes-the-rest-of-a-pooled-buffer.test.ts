/**
 * An `in` parameter is bounded by the view the caller passed, not by its backing store. Small
 * Buffers (`Buffer.from('hello')`) share Node's 8 KiB pool with unrelated Buffers; registering the
 * whole store let a template that writes more than the view's length send those other Buffers'
 * bytes (found in session 20 after plugfuzz20's path/out finding: a 5-byte view, write(fd, in, 64)
 * sent 64 bytes — its neighbours in the pool). Differential: the same write made directly with
 * node:fs from the same view is refused (ERR_OUT_OF_RANGE); the plugin's is -EFAULT and the file
 * stays empty. A view that is its whole store is registered as before, and the kernel's result
 * for a correct length is the same as node:fs's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin } from '../index.js';

const EFAULT = -14;
const fixed = definePlugin({
  name: 'test.inFixed64',
  params: { fd: 'fd', data: 'in' },
  atoms: [{ id: 'write', call: 'write', args: [{ param: 'fd' }, { param: 'data' }, 64] }],
});
const exact = definePlugin({
  name: 'test.inExact',
  params: { fd: 'fd', data: 'in' },
  atoms: [{ id: 'write', call: 'write', args: [{ param: 'fd' }, { param: 'data' }, { lengthOf: 'data' }] }],
});

test('a write past an in parameter drawn from Node\'s Buffer pool is -EFAULT and sends none of its neighbours', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-in-'));
  const engine = new Engine();
  const file = join(dir, 'out');
  const fd = openSync(file, 'w+');
  try {
    const neighbour = Buffer.from('NEIGHBOUR-SECRET-'.repeat(4));
    const view = Buffer.from('hello');
    const after = Buffer.from('AFTER-SECRET-'.repeat(4));
    assert.equal(view.buffer, neighbour.buffer, 'the test needs pooled Buffers');
    assert.equal(view.buffer, after.buffer, 'the test needs pooled Buffers');
    assert.throws(() => writeSync(fd, view, 0, 64), { code: 'ERR_OUT_OF_RANGE' }, 'node:fs refuses the same write');
    const outcome = await fixed.run(engine, { fd, data: view });
    assert.equal(outcome.byId.write.result, EFAULT);
    assert.equal(readFileSync(file).length, 0, 'nothing reached the file');
    // The same view with its own length: written as node:fs writes it.
    const written = await exact.run(engine, { fd, data: view });
    assert.equal(written.byId.write.result, 5);
    assert.equal(readFileSync(file, 'latin1'), 'hello');
    // A subarray of a Buffer of its own is bounded the same way.
    const big = Buffer.alloc(100_000, 0x41);
    const part = big.subarray(10, 20);
    assert.equal((await fixed.run(engine, { fd, data: part })).byId.write.result, EFAULT);
    // A view that is its whole store is registered, and bounded by it.
    const whole = new Uint8Array(64).fill(0x42);
    assert.equal((await fixed.run(engine, { fd, data: whole })).byId.write.result, 64);
    const small = new Uint8Array(10);
    assert.equal((await fixed.run(engine, { fd, data: small })).byId.write.result, EFAULT);
    assert.doesNotMatch(readFileSync(file, 'latin1'), /SECRET/);
    assert.equal(readFileSync(file).length, 5 + 64);
  } finally {
    closeSync(fd);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
