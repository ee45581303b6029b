// A ppoll of one pollfd with no timeout waits for as long as the syscall would: where the syscall
// made now (zero timeout) answers 0, the ring's IORING_OP_POLL_ADD must not answer within 100 ms.
//
// hunt23 (session 23), two kinds where it does:
// - a unix socket whose peer shut down writing, polled for events without POLLIN/POLLRDHUP (0,
//   POLLPRI, POLLERR...): the kernel's poll always reports POLLRDHUP to io_uring, the engine
//   masks it out of revents (POLL_ALWAYS in engine/uring-copies.ts finish) and the call answers
//   1 with revents 0 — an answer ppoll never gives (7 masks of 16). A POLLPRI wait on a TCP
//   socket whose peer half-closed would come back at once, again and again.
// - a file without a poll method (regular file, /dev/null, a directory) polled for events it is
//   never ready for (0, POLLPRI...): IORING_OP_POLL_ADD fails EINVAL (no wait queue to add to),
//   the call answers -EINVAL and writes no revents; ppoll sleeps (8 masks of 16 each).
// Since then such a completion is not the call's answer: a cachemiss thread makes the ppoll.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringEngine } from './helpers/ring-calls.js';
import { openFdKinds, ppollOne } from './helpers/ppoll-one.js';

const POLLPRI = 0x2;

for (const kind of ['unix socket, peer shut down writing', 'regular file', '/dev/null', 'directory'] as const) {
  for (const events of [0, POLLPRI]) {
    test(`ppoll of one ${kind} for events 0x${events.toString(16)} through the ring waits, as the syscall would`, { timeout: 30_000 }, async (t) => {
      const engine = ringEngine(t);
      if (engine === null) return;
      const { fds, close } = openFdKinds(engine);
      t.after(close);
      const fd = fds[kind] as number;
      assert.deepEqual(await ppollOne(engine, 'syscall', fd, events), { result: 0, revents: 0 }, 'the syscall made now: not ready');
      assert.equal(await ppollOne(engine, 'ring', fd, events), 'waiting', 'the ring answered where ppoll waits');
    });
  }
}
