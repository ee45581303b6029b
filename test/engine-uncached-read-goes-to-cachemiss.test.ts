// A read that would block goes to a cachemiss thread (or, with the io_uring engine, into the
// ring): async_exec returns 0n at once, and the completion arrives later — through the ring (async_wait, the blocking form), through the
// asyncWait Promise, and through the completions() iterator. As root the read is of a freshly
// written, fsync'd file pushed out of the page cache; otherwise of an empty socket that is fed
// only after the submission.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type AtomRef, type Bytes } from '../engine/builder.js';
import { negotiateRing, type Completion } from '../engine/ring.js';
import { STOP } from '../engine/atom.js';
import { closeAll, dropPageCache, freshFile, patternBytes, socketPair, tempDir } from './helpers/engine.js';

const SIZE = 256 * 1024;
/**
 * The socket read's size: what one write puts in an AF_UNIX socket without blocking. The test
 * writes it from this thread, and with the io_uring engine the ring's recv makes progress only
 * when this thread runs the ring's completion work (DEFER_TASKRUN): a write that blocked until
 * the recv drained the socket would wait for itself (256 KiB did, whenever the file read was
 * served inline and the socket stood in).
 */
const SOCKET_SIZE = 64 * 1024;

interface Pending {
  readonly read: AtomRef;
  readonly buffer: Bytes;
  readonly content: Uint8Array;
  /** Bytes the read asks for (and gets). */
  readonly size: number;
  /** Makes the data available (a no-op for the file: the disk delivers it). */
  readonly satisfy: () => void;
}

/** An engine with a v2 ring and a read chain submitted that cannot complete inline. */
function submitBlockingRead(t: TestContext): { engine: Engine; pending: Pending } {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const capabilities = negotiateRing({ version: 2 });
  const ring = engine.alloc(4 * 48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 4 * 48, capabilities, reportInline: true }), 0);
  const content = patternBytes(SIZE, 9);
  const cannotDrop = dropPageCache();
  if (cannotDrop === null) {
    const chain = new ChainBuilder(engine.memory, { dataBytes: SIZE + 1024 });
    t.after(() => chain[Symbol.dispose]());
    const buffer = chain.buffer(SIZE);
    const path = freshFile(tempDir(t), 'uncached.bin', content);
    dropPageCache();
    const fd = openSync(path, 'r');
    t.after(() => closeSync(fd));
    const read = chain.atom('pread64', [fd, buffer, SIZE, 0]);
    const submitted = engine.async_exec(chain.first);
    if (submitted === 0n) return checkedPending(engine, { read, buffer, content, size: SIZE, satisfy: () => {} });
    // The kernel may serve an RWF_NOWAIT read of uncached pages within the call (measured on
    // 6.18 with a fast virtio disk: the whole 256 KiB in 0.6-3.5 ms, about 1 run in 3), so the
    // probe legitimately completes inline: the file cannot show the hand-off, the socket can.
    assert.equal(read.result.value, SIZE, 'the inline read returned the whole file');
    assert.deepEqual(buffer.bytes, content);
    assert.equal(engine.reap()?.mode, 'inline');
    t.diagnostic('the kernel served the uncached read inline; reading an empty socket instead');
  } else {
    t.diagnostic(`${cannotDrop}; reading an empty socket instead`);
  }
  const chain = new ChainBuilder(engine.memory, { dataBytes: SOCKET_SIZE + 1024 });
  t.after(() => chain[Symbol.dispose]());
  const buffer = chain.buffer(SOCKET_SIZE);
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  const read = chain.atom('recvfrom', [reader, buffer, SOCKET_SIZE, 0x100 /* MSG_WAITALL */, null]);
  assert.equal(engine.async_exec(chain.first), 0n, 'async_exec returned at once: the chain went asynchronous');
  const message = content.subarray(0, SOCKET_SIZE);
  return checkedPending(engine, { read, buffer, content: message, size: SOCKET_SIZE, satisfy: () => assert.equal(writeSync(writer, message), SOCKET_SIZE) });
}

/** The state right after a submission that went asynchronous. */
function checkedPending(engine: Engine, pending: Pending): { engine: Engine; pending: Pending } {
  // With the io_uring engine (the default where the kernel allows it) the read is a request in
  // the ring, made from this thread; with threads, a cachemiss thread took it.
  if (engine.asyncEngine.kind === 'io_uring') assert.equal(engine.ringInFlight, 1, 'the io_uring ring took it');
  else assert.ok(engine.threads >= 1, 'a cachemiss thread took it');
  assert.equal(engine.ring?.available(), 0, 'nothing completed yet');
  return { engine, pending };
}

function checkCompletion(completion: Completion | null, pending: Pending): void {
  assert.ok(completion !== null);
  assert.equal(completion.atom, BigInt(pending.read.at));
  assert.equal(completion.mode, 'cachemiss');
  assert.equal(completion.result, pending.size);
  assert.equal(completion.stop, STOP.end);
  assert.equal(pending.read.result.value, pending.size);
  assert.deepEqual(pending.buffer.bytes, pending.content);
}

test('through the ring: async_wait blocks until it is posted, then reap', (t) => {
  const { engine, pending } = submitBlockingRead(t);
  pending.satisfy();
  assert.equal(engine.async_wait(1), 1);
  checkCompletion(engine.reap(), pending);
  assert.equal(engine.reap(), null);
});

test('through the asyncWait Promise', async (t) => {
  const { engine, pending } = submitBlockingRead(t);
  const waiting = engine.asyncWait(1);
  pending.satisfy();
  assert.equal(await waiting, 1);
  checkCompletion(engine.reap(), pending);
});

test('through the completions() iterator, which ends when nothing is left in flight', async (t) => {
  const { engine, pending } = submitBlockingRead(t);
  pending.satisfy();
  const seen: Completion[] = [];
  for await (const completion of engine.completions()) seen.push(completion);
  assert.equal(seen.length, 1);
  checkCompletion(seen[0] ?? null, pending);
  assert.equal(engine.inflight, 0);
});
