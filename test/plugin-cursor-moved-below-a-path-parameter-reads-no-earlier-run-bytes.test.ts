/**
 * "Every area is its own bound" (docs/plugins.md), below an area as above it. Since session 20 a
 * `path`, `out` or empty `in` parameter's bytes end where its pooled block ends (plugins/run-memory.ts
 * tailOffset), so a length past the end is -EFAULT; but the block still begins before them, and
 * its head holds what an earlier run left there. A cursor cell started from the path (`cells:
 * { cur: { param: 'p' } }`), moved back by umem_add(&cur, -40), and written with write(fd, cur, 32)
 * answers 32 and sends 32 bytes of ANOTHER request's data (here the file another plugin's pread64
 * read into its `out` parameter: "ECRET-SECRET-…"). Found by plugfuzz20 after the fix of F3, by
 * hand from the fuzz's cursor model (the fuzz's reference calls such a cursor unpredictable).
 * Expected: -EFAULT, as for any pointer outside the areas the plugin was given (or the head zeroed).
 *
 * Fixed in session 20 the second way: a block is one segment (power-of-two blocks cannot end a
 * segment at both ends of every parameter), so the pool keeps its free blocks zeroed (zeroed when
 * given back, slabs zeroed when made): a cursor walked below a parameter reads zeros.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin } from '../index.js';

const EFAULT = -14;
const reader = definePlugin({
  name: 'test.headReader',
  params: { fd: 'fd', buf: 'out' },
  atoms: [{ id: 'read', call: 'pread64', args: [{ param: 'fd' }, { param: 'buf' }, 64, 0] }],
});
const echo = definePlugin({
  name: 'test.headEcho',
  params: { fd: 'fd', p: 'path', back: 'size' },
  cells: { cur: { param: 'p' } },
  atoms: [
    { call: 'umem_add', args: [{ ref: 'cur' }, { param: 'back' }] },
    { id: 'write', call: 'write', args: [{ param: 'fd' }, { cell: 'cur' }, 32] },
  ],
});

// The same for an `in` parameter that is part of a larger store (a small Buffer.from), which is
// copied to the tail of a pooled block since caf572b: its head is an earlier run's too.
const echoIn = definePlugin({
  name: 'test.headEchoIn',
  params: { fd: 'fd', p: 'in', back: 'size' },
  cells: { cur: { param: 'p' } },
  atoms: [
    { call: 'umem_add', args: [{ ref: 'cur' }, { param: 'back' }] },
    { id: 'write', call: 'write', args: [{ param: 'fd' }, { cell: 'cur' }, 32] },
  ],
});

/**
 * Runs `echoing` after a read of secret bytes into a pooled block, with its cursor 40 bytes below
 * its parameter `p`, and checks what reached the file: the block's zeros, or -EFAULT.
 */
async function sendBelow(echoing: typeof echo | typeof echoIn, p: string | Buffer): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-head-'));
  const engine = new Engine();
  writeFileSync(join(dir, 'secret'), 'SECRET-'.repeat(20));
  const secret = openSync(join(dir, 'secret'), 'r');
  const out = openSync(join(dir, 'out'), 'w+');
  try {
    assert.equal((await reader.run(engine, { fd: secret, buf: 64 })).byId.read.result, 64);
    const outcome = await (echoing as typeof echo).run(engine, { fd: out, p: p, back: -40 });
    assert.doesNotMatch(readFileSync(join(dir, 'out'), 'latin1'), /CRET|SECR/, 'no byte of the earlier run reached the file');
    // Inside the block, below the parameter: what the kernel got is the block's zeros (RunMemory.take).
    const sent = readFileSync(join(dir, 'out'));
    assert.ok(outcome.byId.write.result === EFAULT || (outcome.byId.write.result === 32 && sent.length === 32 && sent.every((byte) => byte === 0)), `sent ${sent.toString('latin1')} (${String(outcome.byId.write.result)})`);
  } finally {
    closeSync(secret);
    closeSync(out);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a cursor moved below a path parameter\'s bytes reads zeros, never an earlier run\'s bytes', () => sendBelow(echo, 'x'));

test('a cursor moved below a copied in parameter\'s bytes reads zeros, never an earlier run\'s bytes', () => sendBelow(echoIn, Buffer.from('x')));
