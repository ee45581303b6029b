/**
 * A twin's read through a bounce slot (a view new to the Promise twins: shim/buffers.ts) that
 * goes to the cachemiss engine (io_uring or a thread: a socket with nothing to read yet) copies
 * its bytes into the caller's view when it completes, before its Promise settles — exactly the
 * bytes read, in the order the reads ran. A view whose store was detached while the read was in
 * flight is not written (the store moved elsewhere: memory the view no longer owns), and the
 * Promise still resolves with the read's count. A queued read that is aborted gives its slot back.
 * More reads in flight than there are slots are registered instead, and each gets its bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bounceSlotsInUse } from '../shim/bounce-slots.js';
import { aio, AbortError } from '../index.js';
import { closeAll, rawWrite, socketpair, SOCK_DGRAM } from './aio-fixture.js';

test('a bounced read in flight: the bytes arrive in the view when it completes', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const view = new Uint8Array(64).fill(0xee);
    const pending = aio.read(a, view, null);
    assert.equal(bounceSlotsInUse(), 1, 'the read holds a slot while in flight');
    assert.ok(view.every((byte) => byte === 0xee));
    rawWrite(b, Buffer.from('hello, bounce'));
    assert.equal(await pending, 13);
    assert.equal(Buffer.from(view.subarray(0, 13)).toString(), 'hello, bounce');
    assert.ok(view.subarray(13).every((byte) => byte === 0xee), 'nothing past the read');
    assert.equal(bounceSlotsInUse(), 0);
  } finally {
    closeAll(a, b);
  }
});

test('a view detached while its bounced read is in flight is not written; the read still resolves', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const store = new ArrayBuffer(32);
    const view = new Uint8Array(store);
    const pending = aio.read(a, view, null);
    const moved = structuredClone(store, { transfer: [store] });
    assert.equal(view.byteLength, 0);
    rawWrite(b, Buffer.from('not for a detached view'));
    assert.equal(await pending, 23, 'the count the read returned');
    assert.ok(new Uint8Array(moved).every((byte) => byte === 0), 'the store that moved away was not written');
    assert.equal(bounceSlotsInUse(), 0);
  } finally {
    closeAll(a, b);
  }
});

test('an aborted queued read gives its slot back; reads past the slots are registered, each gets its datagram', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const first = aio.read(a, new Uint8Array(16), null); // blocks: nothing to read yet
    const controller = new AbortController();
    const queued = aio.read(a, new Uint8Array(16), null, { signal: controller.signal }); // waits behind it
    assert.equal(bounceSlotsInUse(), 2);
    controller.abort();
    await assert.rejects(queued, (error: unknown) => error instanceof AbortError);
    assert.equal(bounceSlotsInUse(), 1, 'the aborted read gave its slot back');
    // 200 more reads queued behind the first on the same fd: more than the 4 KiB slots (128).
    const views = Array.from({ length: 200 }, () => new Uint8Array(16));
    const reads = views.map((view) => aio.read(a, view, null));
    assert.ok(bounceSlotsInUse() < 201, 'the slots ran out: the rest were registered');
    for (let i = 0; i <= views.length; i++) rawWrite(b, Buffer.from(`datagram ${String(i).padStart(7, '0')}`));
    assert.equal(await first, 16);
    assert.deepEqual(await Promise.all(reads), views.map(() => 16));
    views.forEach((view, i) => assert.equal(Buffer.from(view).toString(), `datagram ${String(i + 1).padStart(7, '0')}`));
    assert.equal(bounceSlotsInUse(), 0);
  } finally {
    closeAll(a, b);
  }
});
