// A read of data in the page cache completes inline: the RWF_NOWAIT probe succeeds, async_exec
// returns the atom, no cachemiss thread is ever started, and a v2 ring with reportInline receives
// the completion with mode 'inline'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP } from '../engine/atom.js';
import { negotiateRing } from '../engine/ring.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const SIZE = 64 * 1024;

test('a cached pread64 completes inline, reported as mode inline, with no thread started', (t) => {
  const engine = new Engine({ minThreads: 0 });
  t.after(() => engine.close());
  const content = patternBytes(SIZE, 3);
  const fd = openSync(freshFile(tempDir(t), 'cached.bin', content), 'r');
  t.after(() => closeSync(fd));
  const capabilities = negotiateRing({ version: 2, attributes: ['result', 'latency', 'atoms', 'mode', 'stop', 'private'] });
  const ring = engine.alloc(4 * 48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 4 * 48, capabilities, reportInline: true }), 0);
  using chain = new ChainBuilder(engine.memory, { dataBytes: SIZE + 1024 });
  const buffer = chain.buffer(SIZE);
  const read = chain.atom('pread64', [fd, buffer, SIZE, 0], { private: 42 });
  assert.equal(engine.async_exec(chain.first), BigInt(read.at), 'completed inline');
  assert.equal(read.result.value, SIZE);
  assert.deepEqual(buffer.bytes, content);
  assert.equal(engine.threads, 0, 'no cachemiss thread was started');
  const completion = engine.reap();
  assert.ok(completion !== null, 'reportInline posted it');
  assert.equal(completion.atom, BigInt(read.at));
  assert.equal(completion.mode, 'inline');
  assert.equal(completion.result, SIZE);
  assert.equal(completion.atoms, 1);
  assert.equal(completion.stop, STOP.end);
  assert.equal(completion.private, 42n);
  assert.ok((completion.latencyNs ?? -1) >= 0);
  assert.equal(engine.reap(), null);
  assert.equal(engine.threads, 0);
});

test('a whole open → read → close chain on a cached file stays inline', (t) => {
  const engine = new Engine({ minThreads: 0 });
  t.after(() => engine.close());
  const content = patternBytes(4096, 5);
  const path = freshFile(tempDir(t), 'chain.bin', content);
  using chain = new ChainBuilder(engine.memory);
  const buffer = chain.buffer(4096);
  const open = chain.atom('openat', [-100, chain.cstring(path), 0, 0]);
  const read = chain.atom('read', [open, buffer, 4096]);
  const close = chain.atom('close', [open]);
  assert.equal(engine.async_exec(chain.first), BigInt(close.at));
  assert.equal(read.result.value, 4096);
  assert.deepEqual(buffer.bytes, content);
  assert.equal(engine.threads, 0);
});
