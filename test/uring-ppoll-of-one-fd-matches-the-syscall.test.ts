// A ppoll of one pollfd with no timeout and no signal mask is made by the io_uring ring as
// IORING_OP_POLL_ADD (file.pollRead's wait for a FIFO's writer needs no cachemiss thread): its
// result and the revents it writes are the syscall's — POLLIN on a pipe with data, POLLOUT on a
// write end with room, POLLNVAL (not EBADF) for a closed number, POLLHUP when the writer leaves,
// and only the events ppoll reports. Each ready case runs as a ring request and as the syscall
// made inline; the waiting cases run in the ring only (inline they would block the thread) and
// must not start a thread. Two pollfds are not one opcode: they go to a thread, answering 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArgInput, Bytes, ChainBuilder } from '../engine/builder.js';
import { POLLHUP, POLLIN, POLLNVAL, POLLOUT } from '../engine/syscalls/constants.generated.js';
import { closeAll } from './helpers/engine.js';
import { openPipe } from './helpers/pipe.js';
import { one, ringEngine, type Mode } from './helpers/ring-calls.js';

/** pollfd entries ({ fd, events }) in the chain's data area. */
function pollfds(chain: ChainBuilder, entries: readonly (readonly [number, number])[]): Bytes {
  const array = chain.buffer(entries.length * 8);
  const view = new DataView(array.bytes.buffer, array.bytes.byteOffset, array.length);
  entries.forEach(([fd, events], i) => {
    view.setInt32(i * 8, fd, true);
    view.setInt16(i * 8 + 4, events, true);
    view.setInt16(i * 8 + 6, 0x7777, true); // ppoll overwrites revents
  });
  return array;
}

/** revents of each entry of `array`. */
function revents(array: Bytes): number[] {
  const view = new DataView(array.bytes.buffer, array.bytes.byteOffset, array.length);
  return Array.from({ length: array.length / 8 }, (_, i) => view.getUint16(i * 8 + 6, true));
}

/** ppoll(entries, count, NULL, NULL, 8) made one way: its result and the revents. */
async function ppoll(engine: NonNullable<ReturnType<typeof ringEngine>>, mode: Mode, entries: readonly (readonly [number, number])[]): Promise<{ result: number; revents: number[] }> {
  let array: Bytes | undefined;
  let seen: number[] = [];
  const result = await one(engine, mode, 'ppoll', (chain): ArgInput[] => [(array = pollfds(chain, entries)), entries.length, 0, 0, 8], () => {
    seen = revents(array as Bytes);
  });
  return { result, revents: seen };
}

test('ppoll of one fd through the ring answers as the syscall: ready, closed number, waiting for data or the writer leaving', { timeout: 30_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  const withData = openPipe();
  const closed = openPipe();
  closeAll(closed.reader, closed.writer);
  t.after(() => closeAll(withData.reader, withData.writer));
  const { writeSync } = await import('node:fs');
  writeSync(withData.writer, 'x');
  const answers: Record<string, unknown>[] = [];
  for (const mode of ['ring', 'syscall'] as const) {
    answers.push({
      readable: await ppoll(engine, mode, [[withData.reader, POLLIN]]),
      writable: await ppoll(engine, mode, [[withData.writer, POLLOUT]]),
      // POLLIN|POLLOUT asked of a read end with data: only POLLIN is ready.
      partly: await ppoll(engine, mode, [[withData.reader, POLLIN | POLLOUT]]),
      closedNumber: await ppoll(engine, mode, [[closed.reader, POLLIN]]),
    });
  }
  const [ring, syscall] = answers;
  assert.deepEqual(ring, syscall);
  assert.deepEqual(ring, {
    readable: { result: 1, revents: [POLLIN] },
    writable: { result: 1, revents: [POLLOUT] },
    partly: { result: 1, revents: [POLLIN] },
    closedNumber: { result: 1, revents: [POLLNVAL] },
  });

  // Waiting in the ring: data comes later; the writer leaves.
  const later = openPipe();
  t.after(() => closeAll(later.reader));
  const waitingForData = ppoll(engine, 'ring', [[later.reader, POLLIN]]);
  setTimeout(() => writeSync(later.writer, 'y'), 50);
  assert.deepEqual(await waitingForData, { result: 1, revents: [POLLIN] });
  const drained = openPipe();
  t.after(() => closeAll(drained.reader));
  const waitingForHangUp = ppoll(engine, 'ring', [[drained.reader, POLLIN]]);
  setTimeout(() => closeAll(drained.writer), 50);
  assert.deepEqual(await waitingForHangUp, { result: 1, revents: [POLLHUP] });
  closeAll(later.writer);
  assert.equal(engine.threads, 0, 'every ppoll of one fd was made by the ring');

  // Two pollfds: a thread makes the syscall.
  assert.deepEqual(await ppoll(engine, 'ring', [[withData.reader, POLLIN], [withData.writer, POLLOUT]]), { result: 2, revents: [POLLIN, POLLOUT] });
});
