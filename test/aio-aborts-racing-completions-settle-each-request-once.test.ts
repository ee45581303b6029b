// 1,000 aborts racing 1,000 completions: uncached 4 KiB reads at scattered offsets (io_uring
// requests on that engine, which the abort answers with IORING_OP_ASYNC_CANCEL; cachemiss
// chains on threads), aborted at once, in a microtask, in the next turn or after a timer. Every
// promise settles exactly once: with the full, correct block, or with an AbortError and the
// buffer untouched; no buffer changes after its promise settled; nothing stays in flight and no
// bounce slot stays taken. The same over 1,000 one-byte reads of a FIFO that a writer feeds while
// they are aborted: the bytes the resolved reads got, then what is left in the pipe, are exactly
// the bytes written, in order (an abort never loses bytes the kernel had already handed over).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { constants, openSync, readSync, writeFileSync } from 'node:fs';
import { aio, isAbortError } from '../index.js';
import { aioEngine } from '../shim/context.js';
import { bounceSlotsInUse } from '../shim/bounce-slots.js';
import { closeAll, fifo, rawWrite, tempDir } from './aio-fixture.js';
import { evictFromPageCache } from './helpers/posix-os.js';
import { within } from './helpers/within.js';

const REQUESTS = 1000;
const BLOCK = 4096;
const BLOCKS = 16384;

/** Aborts `controller` at a point that depends on `i`: at once, in a microtask, next turn, or after 0 to `spreadMs` - 1 ms. */
function abortLater(controller: AbortController, i: number, spreadMs: number): void {
  const reason = `abort ${i}`;
  switch (i % 4) {
    case 0: controller.abort(reason); break;
    case 1: queueMicrotask(() => controller.abort(reason)); break;
    case 2: setImmediate(() => controller.abort(reason)); break;
    default: setTimeout(() => controller.abort(reason), i % spreadMs);
  }
}

interface Outcome { settled: number; value: number | null; error: unknown; snapshot: Buffer | null }

function track(promise: Promise<number>, buffer: Buffer, outcome: Outcome): Promise<void> {
  return promise.then(
    (value) => { outcome.settled++; outcome.value = value; outcome.snapshot = Buffer.from(buffer); },
    (error: unknown) => { outcome.settled++; outcome.error = error; outcome.snapshot = Buffer.from(buffer); },
  );
}

async function idle(): Promise<void> {
  for (let turns = 0; aioEngine().inflight > 0 && turns < 2000; turns++) await new Promise((resolve) => setTimeout(resolve, 5));
  // A few more turns: a write into a settled buffer would show now.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

test('1,000 aborts racing uncached reads: each promise settles once, the buffer never changes after', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const content = Buffer.alloc(BLOCKS * BLOCK);
  for (let i = 0; i < content.length; i++) content[i] = ((i * 7 + (i >>> 12)) & 0xff) | 1; // never 0
  const path = dir.path('data');
  writeFileSync(path, content);
  const fd = openSync(path, 'r');
  t.after(() => {
    closeAll(fd);
    dir.cleanup();
  });
  evictFromPageCache(fd);
  const buffers = Array.from({ length: REQUESTS }, () => Buffer.alloc(BLOCK));
  const outcomes: Outcome[] = buffers.map(() => ({ settled: 0, value: null, error: null, snapshot: null }));
  const tracked = buffers.map((buffer, i) => {
    const controller = new AbortController();
    const block = (i * 7919) % BLOCKS;
    const promise = track(aio.read(fd, buffer, block * BLOCK, { signal: controller.signal }), buffer, outcomes[i] as Outcome);
    abortLater(controller, i, 7);
    return promise;
  });
  await within(Promise.all(tracked), 100_000, () => `${outcomes.filter((o) => o.settled === 0).length} reads unsettled`);
  await idle();
  let aborted = 0;
  buffers.forEach((buffer, i) => {
    const outcome = outcomes[i] as Outcome;
    const block = (i * 7919) % BLOCKS;
    assert.equal(outcome.settled, 1, `read ${i} settled once`);
    if (outcome.error !== null) {
      assert.ok(isAbortError(outcome.error), `read ${i}: ${inspect(outcome.error)}`);
      assert.ok(buffer.every((byte) => byte === 0), `aborted read ${i} wrote nothing`);
      aborted++;
    } else {
      assert.equal(outcome.value, BLOCK, `read ${i}`);
      assert.ok(buffer.equals(content.subarray(block * BLOCK, (block + 1) * BLOCK)), `read ${i} has its block`);
    }
    assert.ok(buffer.equals(outcome.snapshot as Buffer), `read ${i}: no write after it settled`);
  });
  assert.equal(aioEngine().inflight, 0, 'no request left in flight');
  assert.equal(bounceSlotsInUse(), 0, 'no bounce slot left taken');
  t.diagnostic(`${aborted} aborted, ${REQUESTS - aborted} completed (${aioEngine().asyncEngine.kind})`);
});

test('1,000 aborts racing one-byte FIFO reads fed by a writer: no byte lost or repeated', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  const { path, fd } = fifo(dir, 'fifo');
  const drainer = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  t.after(() => {
    closeAll(fd, drainer);
    dir.cleanup();
  });
  const sent = Buffer.alloc(REQUESTS);
  for (let i = 0; i < REQUESTS; i++) sent[i] = (i % 251) + 1;
  const buffers = Array.from({ length: REQUESTS }, () => Buffer.alloc(1));
  const outcomes: Outcome[] = buffers.map(() => ({ settled: 0, value: null, error: null, snapshot: null }));
  const tracked = buffers.map((buffer, i) => {
    const controller = new AbortController();
    const promise = track(aio.read(fd, buffer, { signal: controller.signal }), buffer, outcomes[i] as Outcome);
    // Spread over the time the reads take to complete one after the other (a stream's reads are serial).
    abortLater(controller, i, 400);
    return promise;
  });
  // The writer: a byte a turn, interleaved with the aborts.
  let written = 0;
  await new Promise<void>((resolve) => {
    const feed = (): void => {
      assert.equal(rawWrite(fd, sent.subarray(written, written + 1)), 1);
      written++;
      if (written < REQUESTS) setImmediate(feed);
      else resolve();
    };
    setImmediate(feed);
  });
  // Reads still waiting once every byte is in: more bytes than requests end them (never returned).
  const spare = Buffer.alloc(REQUESTS, 0xff);
  assert.equal(rawWrite(fd, spare), REQUESTS);
  await within(Promise.all(tracked), 100_000, () => `${outcomes.filter((o) => o.settled === 0).length} FIFO reads unsettled`);
  await idle();
  const received: number[] = [];
  buffers.forEach((buffer, i) => {
    const outcome = outcomes[i] as Outcome;
    assert.equal(outcome.settled, 1, `FIFO read ${i} settled once`);
    if (outcome.error !== null) {
      assert.ok(isAbortError(outcome.error), `FIFO read ${i}: ${inspect(outcome.error)}`);
      assert.equal(buffer[0], 0, `aborted FIFO read ${i} wrote nothing`);
    } else {
      assert.equal(outcome.value, 1);
      received.push(buffer[0] as number);
    }
    assert.ok(buffer.equals(outcome.snapshot as Buffer), `FIFO read ${i}: no write after it settled`);
  });
  // Room for more than is left, so that a read never asks for 0 bytes (and gets 0 for ever).
  const rest = Buffer.alloc(3 * REQUESTS);
  let left = 0;
  try {
    for (let n = -1; n !== 0; left += n) n = readSync(drainer, rest, left, rest.length - left, null);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'EAGAIN');
  }
  const stream = Buffer.concat([Buffer.from(received), rest.subarray(0, left)]);
  assert.ok(stream.equals(Buffer.concat([sent, spare])), `the reads and the rest are the bytes written, in order (${received.length} read, ${left} left)`);
  assert.equal(aioEngine().inflight, 0);
  assert.equal(bounceSlotsInUse(), 0);
  t.diagnostic(`${REQUESTS - received.length} aborted, ${received.length} got a byte (${aioEngine().asyncEngine.kind})`);
});
