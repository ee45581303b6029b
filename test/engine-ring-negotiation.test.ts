// Ring version negotiation (the answer to Kent Overstreet's 2013 complaint that AIO's ring version
// "is only checkable after the ringbuffer is setup"): the caller asks for a version and a set of
// attributes, learns which are supported and which are not before any memory is mapped or any
// ring registered, and a v2 ring then carries exactly the negotiated attributes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATTRIBUTE_BITS, negotiateRing, RING_ENTRY_SIZE, type CompletionRing } from '../engine/ring.js';
import { STOP, SYSLET_ASYNC, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { EBUSY, EFAULT, EINVAL } from '../engine/native/index.js';
import { untilIdle } from './helpers/engine.js';

const ALL = ['result', 'latency', 'atoms', 'mode', 'stop', 'private'];

test('versions: 2 and above give v2 with 48-byte entries; 1 and below give v1 with 8-byte slots', () => {
  assert.deepEqual(RING_ENTRY_SIZE, { 1: 8, 2: 48 });
  for (const version of [2, 3, 99]) {
    const caps = negotiateRing({ version });
    assert.equal(caps.version, 2, `asked ${version}`);
    assert.equal(caps.entrySize, 48);
    assert.deepEqual(caps.attributes, ALL, 'v2 without a list: every attribute');
    assert.deepEqual(caps.unsupported, []);
  }
  for (const version of [1, 0, -1]) {
    const caps = negotiateRing({ version });
    assert.equal(caps.version, 1, `asked ${version}`);
    assert.equal(caps.entrySize, 8);
    assert.deepEqual(caps.attributes, []);
  }
});

test('unsupported attributes are reported before anything is mapped or registered', () => {
  const engine = new Engine();
  const regionsBefore = engine.memory.size;
  const caps = engine.negotiateRing({ version: 2, attributes: ['latency', 'bcache_hit', 'mode', 'cache_miss'] });
  assert.deepEqual(caps.attributes, ['latency', 'mode']);
  assert.deepEqual(caps.unsupported, ['bcache_hit', 'cache_miss']);
  assert.equal(engine.memory.size, regionsBefore, 'negotiation mapped nothing');
  assert.equal(engine.ring, null, 'and registered nothing');
  const v1 = engine.negotiateRing({ version: 1, attributes: ['latency'] });
  assert.deepEqual(v1.unsupported, ['latency'], 'v1 carries no attributes at all');
});

test('a v2 ring fills every attribute: result, latency, atoms, mode, stop, private', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const caps = negotiateRing({ version: 2, attributes: ALL });
  const ring = engine.alloc(2 * 48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 96, capabilities: caps }), 0);
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  chain.atom('umem_add', [counter.ref, 1]);
  const last = chain.atom('umem_add', [counter.ref, -4], { flags: SYSLET_STOP_ON_NEGATIVE, private: 0xabcdef });
  chain.atom('getpid', []);
  assert.equal(engine.async_exec(chain.first), 0n);
  await engine.asyncWait(1);
  assert.deepEqual({ ...engine.reap(), latencyNs: 0 }, {
    atom: BigInt(last.at), result: -3, latencyNs: 0, atoms: 3, mode: 'cachemiss', stop: STOP.flag, private: 0xabcdefn,
  });
  assert.equal(ring.view.getBigUint64(0, true), 0n, 'the consumed slot\'s atom word is NULLed');
});

test('a v2 ring with a subset fills only those, and marks them in the valid mask', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const caps = negotiateRing({ version: 2, attributes: ['result', 'stop'] });
  const ring = engine.alloc(48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 48, capabilities: caps }), 0);
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_ASYNC, private: 7 });
  engine.async_exec(chain.first);
  untilIdle(engine);
  assert.equal(ring.view.getUint32(36, true), ATTRIBUTE_BITS.result | ATTRIBUTE_BITS.stop);
  assert.equal(ring.view.getBigUint64(40, true), 0n, 'private was not negotiated: not copied');
  assert.deepEqual(engine.reap(), { atom: BigInt(atom.at), result: process.pid, stop: STOP.end });
});

test('a v1 ring holds only atom addresses', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const ring = engine.alloc(16);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 16, capabilities: negotiateRing({ version: 1 }) }), 0);
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  engine.async_exec(chain.first);
  untilIdle(engine);
  assert.equal(ring.view.getBigUint64(0, true), BigInt(atom.at));
  assert.deepEqual(engine.reap(), { atom: BigInt(atom.at) });
});

test('registration checks the negotiated entry size, alignment, memory, and uniqueness', () => {
  const engine = new Engine();
  const v2 = negotiateRing({ version: 2 });
  const region = engine.alloc(256);
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 40, capabilities: v2 }), -EINVAL, 'not a multiple of 48');
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 0, capabilities: v2 }), -EINVAL);
  assert.equal(engine.async_register({ ring: region.start + 4, ringSizeBytes: 48, capabilities: v2 }), -EINVAL, 'misaligned');
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 288, capabilities: v2 }), -EFAULT, 'runs past the region');
  assert.equal(engine.async_register({ ring: 0x1000, ringSizeBytes: 48, capabilities: v2 }), -EFAULT);
  const registered = (): CompletionRing | null => engine.ring;
  assert.equal(registered(), null);
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 96, capabilities: v2 }), 0);
  assert.equal(registered()?.capacity, 2);
  assert.equal(engine.async_register({ ring: region.start + 96, ringSizeBytes: 48, capabilities: v2 }), -EBUSY);
  assert.equal(engine.async_unregister(), 0);
  assert.equal(engine.async_unregister(), -EINVAL);
});
