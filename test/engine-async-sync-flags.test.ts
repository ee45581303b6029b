// SYSLET_ASYNC on a chain's first atom skips the inline attempt: the chain goes to a cachemiss
// thread at once (async_exec returns 0) even when nothing would block. SYSLET_SYNC makes an atom
// run inline even when it may block (no cachemiss thread is started). ASYNC only means something
// on the first atom; with both bits on the first atom, ASYNC wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC, SYSLET_SYNC } from '../engine/atom.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

/** A timespec of `ms` milliseconds in the chain's data area. */
function timespec(chain: ChainBuilder, ms: number) {
  const bytes = chain.buffer(16);
  const view = new DataView(bytes.bytes.buffer, bytes.bytes.byteOffset, 16);
  view.setBigInt64(0, 0n, true);
  view.setBigInt64(8, BigInt(ms * 1_000_000), true);
  return bytes;
}

test('SYSLET_ASYNC: a call that would never block still goes to a cachemiss thread', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  const done = await engine.runChain(chain.first);
  assert.equal(done.mode, 'cachemiss');
  assert.equal(done.result, process.pid);
  assert.equal(done.last, atom.at);
  assert.equal(engine.threads, 1);
});

test('SYSLET_ASYNC through async_exec returns 0 at once and posts the completion', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  t.after(() => engine.close());
  const ring = engine.alloc(64);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 64 }), 0);
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(chain.first), 0n);
  assert.equal(atom.result.value, 0, 'not run yet when async_exec returned');
  assert.equal(await engine.asyncWait(1), 1);
  assert.deepEqual(engine.reap(), { atom: BigInt(atom.at) });
  assert.equal(atom.result.value, process.pid);
});

test('SYSLET_ASYNC on a later atom is ignored: the chain stays inline', () => {
  const engine = new Engine({ minThreads: 0 });
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', []);
  const second = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(chain.first), BigInt(second.at));
  assert.equal(engine.threads, 0);
});

test('without SYSLET_SYNC, a call that may block (nanosleep) is handed off', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  chain.atom('nanosleep', [timespec(chain, 1), null]);
  const done = await engine.runChain(chain.first);
  assert.equal(done.mode, 'cachemiss');
  assert.equal(done.result, 0);
});

test('SYSLET_SYNC: a call that may block runs inline and no thread starts', () => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  using chain = new ChainBuilder(engine.memory);
  const sleep = chain.atom('nanosleep', [timespec(chain, 1), null], { flags: SYSLET_SYNC });
  assert.equal(engine.async_exec(chain.first), BigInt(sleep.at));
  assert.equal(sleep.result.value, 0);
  assert.equal(engine.lastInlineStop, STOP.end);
  assert.equal(engine.threads, 0);
});

test('SYSLET_SYNC is per atom: a later atom without it is still handed off', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  t.after(() => engine.close());
  const path = freshFile(tempDir(t), 'sync.bin', patternBytes(4096));
  const fd = openSync(path, 'r+');
  t.after(() => closeSync(fd));
  using chain = new ChainBuilder(engine.memory);
  const synced = chain.atom('fsync', [fd], { flags: SYSLET_SYNC });
  const handed = chain.atom('fdatasync', [fd]);
  const done = await engine.runChain(chain.first);
  assert.equal(synced.result.value, 0);
  assert.equal(handed.result.value, 0);
  assert.equal(done.mode, 'cachemiss', 'fdatasync (no SYNC) went to a cachemiss thread');
  assert.equal(done.atoms, 2, 'both atoms counted across the hand-off');
});

test('SYSLET_ASYNC | SYSLET_SYNC on the first atom: ASYNC wins', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', [], { flags: SYSLET_ASYNC | SYSLET_SYNC });
  const done = await engine.runChain(chain.first);
  assert.equal(done.mode, 'cachemiss');
  assert.equal(done.result, process.pid);
});
