// A ppoll of one pollfd made through the ring (IORING_OP_POLL_ADD) answers as the syscall on
// every kind of descriptor and every events mask, wherever the syscall answers at once: pipes
// (with data, with room, the other end gone), unix sockets (idle, with data, peer closed, peer
// shut down writing), eventfds, epoll/inotify/timer fds, a FIFO, a regular file, /dev/null, a
// directory, a procfs file and a closed number; masks 0, each POLL* bit, POLLRDHUP, 0x7fff and
// 0xffff. Its result and the revents it writes are the syscall's (made inline with a zero
// timeout); where the syscall would wait, the ring must not answer with a ready fd (see
// uring-ppoll-of-one-fd-waits-where-the-syscall-would for the two kinds where it does).
// hunt23: 21 kinds x 16 masks, 336 pairs: 0 differences among the ready answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ringEngine } from './helpers/ring-calls.js';
import { openFdKinds, ppollOne } from './helpers/ppoll-one.js';

const MASKS = [0, 0x1, 0x2, 0x4, 0x5, 0x8, 0x10, 0x20, 0x40, 0x100, 0x2000, 0x2001, 0x4000, 0x8000, 0x7fff, 0xffff];

test('ppoll of one fd through the ring answers as the syscall wherever the syscall answers at once', { timeout: 60_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  const { fds, close } = openFdKinds(engine);
  t.after(close);
  fds['closed number'] = 1000;
  const differences: string[] = [];
  let ready = 0;
  for (const [kind, fd] of Object.entries(fds)) {
    for (const events of MASKS) {
      const syscall = await ppollOne(engine, 'syscall', fd, events);
      if (syscall === 'waiting' || syscall.result === 0) continue; // the syscall would wait
      ready++;
      const ring = await ppollOne(engine, 'ring', fd, events);
      if (JSON.stringify(ring) !== JSON.stringify(syscall)) differences.push(`${kind}, events 0x${events.toString(16)}: syscall ${JSON.stringify(syscall)}, ring ${JSON.stringify(ring)}`);
    }
  }
  assert.ok(ready > 100, `only ${ready} ready pairs: the fixture is wrong`);
  assert.deepEqual(differences, []);
});
