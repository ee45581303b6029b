// The ring reads the SQ head and the CQ tail once per io_uring_enter, not on every check: without
// SQPOLL only an enter moves the SQ head, and under DEFER_TASKRUN only an enter posts CQEs. So
// what one enter posted must all come out of reapInto, however small the caller's arrays, without
// another enter, in order and each once; what no enter posted must never show; and the SQ's free
// room must come back once the kernel has taken the SQEs. Both set-ups the engine uses are
// checked: DEFER_TASKRUN (copies refreshed after each enter) and plain (read with acquire).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ring } from '../engine/uring-ring.js';
import {
  IORING_OP, IORING_SETUP_CLAMP, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_TASKRUN_FLAG, setupRing,
} from '../engine/native/index.js';

const ENTRIES = 16;

/** A ring with these set-up flags, or the reason the kernel refused it. */
function ringWith(flags: number): Ring | string {
  const mapping = setupRing({ entries: ENTRIES, flags: flags | IORING_SETUP_CLAMP });
  return typeof mapping === 'number' ? `io_uring_setup gave ${mapping}` : new Ring(mapping);
}

/** NOPs with user_data first, first + 1, ... into the SQ. */
function prepNops(ring: Ring, first: number, count: number): void {
  for (let i = 0; i < count; i++) assert.equal(ring.prep(IORING_OP.NOP, 0, -1, 0, 0, 0, 0, first + i), true, `SQE ${i} written`);
}

/** Reaps with arrays of `room` entries until the CQ is empty; every call's count is kept. */
function reapAll(ring: Ring, room: number): { userData: number[]; calls: number[] } {
  const userData: number[] = [];
  const calls: number[] = [];
  const ud = new Float64Array(room);
  const res = new Int32Array(room);
  for (;;) {
    const count = ring.reapInto(ud, res);
    calls.push(count);
    if (count === 0) return { userData, calls };
    for (let i = 0; i < count; i++) {
      assert.equal(res[i], 0, 'a NOP completes with 0');
      userData.push(ud[i] as number);
    }
  }
}

const SETUPS = [
  ['SINGLE_ISSUER|DEFER_TASKRUN|TASKRUN_FLAG', IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG],
  ['no flags', 0],
] as const;

for (const [name, flags] of SETUPS) {
  test(`${name}: every completion an enter posted is reaped once, in order, in parts, with no second enter`, (t) => {
    const ring = ringWith(flags);
    if (typeof ring === 'string') return t.skip(`${name}: ${ring}`);
    try {
      assert.equal(ring.sqSpace(), ring.sqEntries);
      assert.equal(ring.cqReady(), 0);
      assert.deepEqual(reapAll(ring, 4).userData, [], 'nothing posted before any enter');

      prepNops(ring, 100, ring.sqEntries);
      assert.equal(ring.sqSpace(), 0, 'the SQ is full once every slot is written');
      assert.equal(ring.prep(IORING_OP.NOP, 0, -1, 0, 0, 0, 0, 999), false, 'no SQE past the full SQ');
      const consumed = ring.submit(0, true);
      assert.equal(consumed, ring.sqEntries, 'the kernel took every SQE');
      assert.equal(ring.sqSpace(), ring.sqEntries, 'the room comes back after the enter that took them');
      const enters = ring.enters;

      assert.equal(ring.cqReady(), ring.sqEntries, 'every completion is ready after the enter');
      const reaped = reapAll(ring, 3);
      assert.deepEqual(reaped.userData, Array.from({ length: ring.sqEntries }, (_, i) => 100 + i));
      assert.equal(reaped.calls.length, Math.ceil(ring.sqEntries / 3) + 1, `reaped 3 at a time: ${reaped.calls.join(', ')}`);
      assert.equal(ring.enters, enters, 'reaping made no enter');
      assert.equal(ring.cqReady(), 0);

      // A second round through the same slots: nothing of the first shows again.
      prepNops(ring, 500, 5);
      assert.equal(ring.sqSpace(), ring.sqEntries - 5);
      assert.equal(ring.submit(1, true), 5);
      assert.deepEqual(reapAll(ring, 64).userData, [500, 501, 502, 503, 504]);
      assert.deepEqual(reapAll(ring, 64).userData, [], 'each completion once');
    } finally {
      ring.release();
    }
  });
}
