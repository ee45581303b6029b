/**
 * Buffers given as aio_buf and used more than once stay registered while idle, up to
 * IDLE_REGISTRATIONS of them; past that, the ones idle for longest are unregistered first,
 * EVICTION_BATCH at a time (each release makes the engine forget what it remembered about every
 * region) — counting a buffer's last use, not its first: a buffer used again since goes behind
 * every other. One evicted and used again is registered again and read into. (The idle list is
 * put in order lazily, at eviction, so the hot path of a reused Buffer touches no collection:
 * shim/held-ranges.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVICTION_BATCH, IDLE_REGISTRATIONS } from '../shim/held-ranges.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';
import { readInto, registered } from './helpers/aio-buffer-registrations.js';

test('buffers used more than once stay registered up to IDLE_REGISTRATIONS; past that the least recently used go first, EVICTION_BATCH at a time', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(64);
  const { fd } = fileWith(dir, 'data', content);
  // Buffer.alloc of 64 bytes: each its own backing store, so each its own registration; each read
  // twice, so that each is kept among the IDLE_REGISTRATIONS rather than waiting on probation.
  const buffers = Array.from({ length: IDLE_REGISTRATIONS }, () => Buffer.alloc(64));
  for (const buffer of buffers) {
    assert.equal(readInto(fd, buffer), 64);
    assert.equal(readInto(fd, buffer), 64);
  }
  const [first, second] = buffers as [Buffer, Buffer];
  assert.ok(buffers.every(registered), 'IDLE_REGISTRATIONS idle buffers all stay registered');
  // The oldest is used again: now the second is the least recently used.
  assert.equal(readInto(fd, first), 64);
  const extra = Buffer.alloc(64);
  assert.equal(readInto(fd, extra), 64);
  assert.equal(readInto(fd, extra), 64);
  assert.ok(registered(first), 'the buffer used again was kept');
  assert.ok(!registered(second), 'the least recently used one was unregistered');
  assert.ok(!registered(buffers[EVICTION_BATCH] as Buffer), 'with the EVICTION_BATCH - 1 behind it');
  assert.ok(registered(buffers[EVICTION_BATCH + 1] as Buffer) && registered(extra), 'and no more');
  // An evicted buffer comes back: registered again, and read into.
  second.fill(0);
  assert.equal(readInto(fd, second), 64);
  assert.deepEqual(second, content);
  assert.ok(registered(second), 'registered again');
});
