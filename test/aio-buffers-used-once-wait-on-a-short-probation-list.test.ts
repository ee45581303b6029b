/**
 * A buffer given as aio_buf and used by one request only waits, idle, among
 * PROBATION_REGISTRATIONS others: past that the oldest PROBATION_BATCH are unregistered, and the
 * buffers used more than once (kept among IDLE_REGISTRATIONS) stay. A program with a new buffer
 * per request (a C port that mallocs each one) churns that short list only, so its buffers die
 * young: kept among the 1,024, each lived through a thousand requests and a promotion to V8's old
 * space (shim/held-ranges.ts). One unregistered and used again is registered again and read into.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROBATION_BATCH, PROBATION_REGISTRATIONS } from '../shim/held-ranges.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';
import { readInto, registered } from './helpers/aio-buffer-registrations.js';

test('a buffer used once waits among PROBATION_REGISTRATIONS: past that the oldest PROBATION_BATCH go, and the kept ones stay', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(64);
  const { fd } = fileWith(dir, 'data', content);
  const reused = Buffer.alloc(64);
  assert.equal(readInto(fd, reused), 64);
  assert.equal(readInto(fd, reused), 64);
  // A new buffer per request, as a C port that mallocs each one.
  const once = Array.from({ length: PROBATION_REGISTRATIONS + 1 }, () => Buffer.alloc(64));
  for (const buffer of once.slice(0, PROBATION_REGISTRATIONS)) assert.equal(readInto(fd, buffer), 64);
  assert.ok(once.slice(0, PROBATION_REGISTRATIONS).every(registered), 'PROBATION_REGISTRATIONS buffers used once all stay registered');
  assert.equal(readInto(fd, once[PROBATION_REGISTRATIONS] as Buffer), 64);
  assert.ok(!once.slice(0, PROBATION_BATCH).some(registered), 'the PROBATION_BATCH oldest were unregistered');
  assert.ok(once.slice(PROBATION_BATCH).every(registered), 'and no more');
  assert.ok(registered(reused), 'a buffer used twice is not on probation');
  const back = once[0] as Buffer;
  back.fill(0);
  assert.equal(readInto(fd, back), 64);
  assert.deepEqual(back, content);
});
