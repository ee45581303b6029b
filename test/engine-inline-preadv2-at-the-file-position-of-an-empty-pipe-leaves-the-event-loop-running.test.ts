// An inline preadv2 at the file position (offset -1) of an empty blocking pipe waits as readv
// does — off the JS thread — and the event loop goes on: the bytes a timer of this thread writes
// later are what it reads. The probe made preadv2(-1) as it was, inline ("-1 is the current
// position: no probe"), and the JS thread waited in read for good (found while reading the probe
// for the session 10 sweep; readv of the same pipe was always handed off). Here a worker writes
// the bytes when this thread's event loop asks it to, or after 5 s whatever happens: before the
// fix the bytes came from that fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const O_CLOEXEC = 0o2000000;

test('an inline preadv2 at offset -1 of an empty blocking pipe leaves the event loop running and reads what is written later', { timeout: 60_000 }, async () => {
  const engine = new Engine();
  const fds = Buffer.alloc(8);
  assert.equal(syscall(NR.pipe2, addressOf(fds), O_CLOEXEC), 0);
  const [reader, writer] = [fds.readInt32LE(0), fds.readInt32LE(4)];
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { writeSync } = require('node:fs');
     const asked = Atomics.wait(workerData.signal, 0, 0, 5000) !== 'timed-out';
     writeSync(workerData.writer, 'asked!!');
     parentPort.postMessage(asked ? 'asked by the event loop' : 'after 5 s');`,
    { eval: true, workerData: { signal, writer } },
  );
  const wrote = new Promise<string>((resolve) => worker.once('message', resolve));
  try {
    using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
    const bytes = chain.buffer(16);
    const iov = chain.buffer(16);
    const view = new DataView(iov.bytes.buffer, iov.bytes.byteOffset, 16);
    view.setBigUint64(0, bytes.address, true);
    view.setBigUint64(8, 16n, true);
    chain.atom('preadv2', [reader, iov, 1, -1, 0, 0]);
    const ran = engine.runChain(chain.first);
    // Only a running event loop gets here before the worker's 5 s are up.
    setImmediate(() => {
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    });
    const end = await ran;
    assert.equal(await wrote, 'asked by the event loop');
    // What readv (and the syscall) answers: the 7 bytes written.
    assert.equal(Number(end.result), 7);
    assert.equal(Buffer.from(bytes.bytes.subarray(0, 7)).toString(), 'asked!!');
  } finally {
    await worker.terminate();
    syscall(NR.close, reader);
    syscall(NR.close, writer);
    await engine.close();
  }
});
