// Blocking chains run in parallel on cachemiss threads, up to the pool size and never beyond:
// with Engine({ threads: 8 }) and 16 reads on 16 empty sockets, 8 threads start (one loading per
// core at a time, each starting the next when it is ready), the first 8
// reads are all blocked at once (proved by satisfying them in reverse order, each completion
// awaited before feeding the next: a serial pool would wait forever on read 0), the other 8
// queue behind them, and every read completes with its own data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { Engine, type ChainCompletion } from '../engine/engine.js';
import { ChainBuilder, type AtomRef, type Bytes } from '../engine/builder.js';
import { STOP } from '../engine/atom.js';
import { closeAll, socketPair } from './helpers/engine.js';

const POOL = 8;
const READS = 16;

interface Read {
  readonly reader: number;
  readonly writer: number;
  readonly atom: AtomRef;
  readonly buffer: Bytes;
  readonly done: Promise<ChainCompletion>;
}

test('16 blocking reads on an 8-thread pool: 8 at a time in parallel, never more threads', { timeout: 18_000 }, async (t) => {
  const engine = new Engine({ threads: POOL, idleTimeMs: 10_000, engine: 'threads' });
  t.after(() => engine.close());
  let most = 0;
  const sample = (): void => {
    most = Math.max(most, engine.threads);
    assert.ok(engine.threads <= POOL, `${engine.threads} threads`);
  };
  const reads: Read[] = [];
  for (let i = 0; i < READS; i++) {
    const [reader, writer] = socketPair(engine);
    t.after(() => closeAll(reader, writer));
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
    t.after(() => chain[Symbol.dispose]());
    const buffer = chain.buffer(16);
    const atom = chain.atom('read', [reader, buffer, 16]);
    reads.push({ reader, writer, atom, buffer, done: engine.runChain(chain.first) });
    sample();
  }
  assert.equal(engine.inflight, READS);
  const feed = async (i: number): Promise<void> => {
    const read = reads[i] as Read;
    assert.equal(writeSync(read.writer, `read ${String(i).padStart(2, '0')}`), 7);
    const done = await read.done;
    sample();
    assert.equal(done.mode, 'cachemiss');
    assert.equal(done.result, 7);
    assert.equal(done.stop, STOP.end);
    assert.equal(done.last, read.atom.at);
    assert.equal(new TextDecoder().decode(read.buffer.bytes.subarray(0, 7)), `read ${String(i).padStart(2, '0')}`);
  };
  // The first 8 were taken by the 8 threads: satisfy them last-first (read 7 completes only once
  // all 8 threads have started and blocked).
  for (let i = POOL - 1; i >= 0; i--) await feed(i);
  assert.equal(most, POOL, 'the pool grew to its bound, and no further');
  // Their threads then took the other 8.
  for (let i = READS - 1; i >= POOL; i--) await feed(i);
  assert.equal(engine.inflight, 0);
  assert.equal(most, POOL);
});
