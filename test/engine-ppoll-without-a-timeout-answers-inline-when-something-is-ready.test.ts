// ppoll(fds, n, NULL, ...) in a chain was always handed off (block class `handoff`): a FIFO read's
// poll (file.pollRead: FileHandle.read and readFile of a FIFO) went to a thread or the ring even
// with bytes waiting — 170-340 µs a FileHandle.read of a FIFO with data, Node 25-160. Now it is
// probed with a zero timeout: when something is ready it answers inline with the blocking call's
// answer (count and revents, compared here with ppoll made directly), when nothing is it still
// waits off the event loop. A ppoll with a timeout is handed off as before (the kernel writes the
// time left back into it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { O_CLOEXEC, POLLIN } from '../engine/syscalls/constants.generated.js';

function pipe(): [number, number] {
  const fds = Buffer.alloc(8);
  assert.equal(syscall(NR.pipe2, addressOf(fds), O_CLOEXEC), 0);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

/** ppoll made directly on one fd, no timeout: the reference answer (only when it cannot wait). */
function directPoll(fd: number): { count: number; revents: number } {
  const pollfd = Buffer.alloc(8);
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(POLLIN, 4);
  const count = syscall(NR.ppoll, addressOf(pollfd), 1, 0, 0, 8);
  return { count, revents: pollfd.readInt16LE(6) };
}

for (const engineName of ['io_uring', 'threads'] as const) {
  test(`${engineName}: ppoll without a timeout answers inline, as the syscall, when something is ready; waits off the event loop when nothing is`, async () => {
    const engine = new Engine({ engine: engineName });
    const [reader, writer] = pipe();
    try {
      using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
      const pollfd = chain.buffer(8);
      const view = new DataView(pollfd.bytes.buffer, pollfd.bytes.byteOffset, 8);
      const poll = chain.atom('ppoll', [pollfd, 1, 0, 0, 8]);
      const arm = (): void => {
        view.setInt32(0, reader, true);
        view.setInt16(4, POLLIN, true);
        view.setInt16(6, 0, true);
      };
      assert.equal(syscall(NR.write, writer, addressOf(Buffer.from('x')), 1), 1);
      arm();
      assert.ok(engine.submit(chain.first, null) > 0, 'ready: inline');
      const expected = directPoll(reader);
      assert.deepEqual({ count: Number(poll.result.value), revents: view.getInt16(6, true) }, expected);
      assert.deepEqual(expected, { count: 1, revents: POLLIN });
      // Emptied: nothing ready, so the chain goes asynchronous and sees the byte written later.
      assert.equal(syscall(NR.read, reader, addressOf(Buffer.alloc(1)), 1), 1);
      arm();
      const ended = engine.runChain(chain.first);
      setImmediate(() => syscall(NR.write, writer, addressOf(Buffer.from('y')), 1));
      const end = await ended;
      assert.equal(Number(end.result), 1);
      assert.equal(view.getInt16(6, true), POLLIN);
    } finally {
      syscall(NR.close, reader);
      syscall(NR.close, writer);
      await engine.close();
    }
  });

  test(`${engineName}: ppoll with a timeout is still made where it may wait (the time left is written back)`, async () => {
    const engine = new Engine({ engine: engineName });
    const [reader, writer] = pipe();
    try {
      using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
      const pollfd = chain.buffer(8);
      const timeout = chain.buffer(16);
      const view = new DataView(pollfd.bytes.buffer, pollfd.bytes.byteOffset, 8);
      view.setInt32(0, reader, true);
      view.setInt16(4, POLLIN, true);
      new DataView(timeout.bytes.buffer, timeout.bytes.byteOffset, 16).setBigInt64(0, 5n, true);
      chain.atom('ppoll', [pollfd, 1, timeout, 0, 8]);
      assert.equal(syscall(NR.write, writer, addressOf(Buffer.from('x')), 1), 1);
      assert.equal(engine.submit(chain.first, null), 0, 'a ppoll with a timeout goes asynchronous');
    } finally {
      await engine.close();
      syscall(NR.close, reader);
      syscall(NR.close, writer);
    }
  });
}
