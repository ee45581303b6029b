// Memory that holds the registered completion ring cannot be freed or unregistered (issue 15 item
// 3: engine.free() of the ring's region was accepted; the engine then wrote completions into a
// block malloc had handed to someone else, and reap() returned the allocator's own words as
// completions and zeroed them). free and unregister throw EBUSY until async_unregister; the ring
// keeps working meanwhile. Runs in a child: before the fix this was a use after free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, runChild } from './helpers/child.js';

const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
import { SYSLET_ASYNC } from '${engineUrl('atom')}';
const out = {};
const refusal = (action) => {
  try { action(); return 'accepted'; } catch (error) { return error.name + ' ' + error.code + ': ' + error.message; }
};
const engine = new Engine({ threads: 1 });
const ring = engine.alloc(256);
out.registered = engine.async_register({ ring: ring.start, ringSizeBytes: 256 });
out.free = refusal(() => engine.free(ring));
out.untouched = [...new Uint8Array(ring.view.buffer, ring.view.byteOffset, 256)].every((byte) => byte === 0);
// The ring still takes completions.
const chain = new ChainBuilder(engine.memory);
chain.atom('getpid', [], { flags: SYSLET_ASYNC });
out.submitted = Number(engine.async_exec(chain.first));
out.waited = engine.async_wait(1);
const completion = engine.reap();
out.reaped = completion === null ? null : Number(completion.atom) === chain.first;
out.unregisterRing = engine.async_unregister();
out.freeAfter = refusal(() => engine.free(ring));

// The same for a registered buffer, and for a builder's area.
const buffer = new ArrayBuffer(4096);
engine.register(buffer);
engine.async_register({ ring: engine.memory.regionOfBuffer(buffer).start, ringSizeBytes: 64 });
out.unregister = refusal(() => engine.unregister(buffer));
engine.async_unregister();
out.unregisterAfter = engine.unregister(buffer);
const builder = new ChainBuilder(engine.memory);
const area = builder.buffer(64);
engine.async_register({ ring: area.at, ringSizeBytes: 64 });
out.dispose = refusal(() => builder[Symbol.dispose]());
engine.async_unregister();
out.disposeAfter = refusal(() => builder[Symbol.dispose]());
console.log(JSON.stringify(out));
await engine.close();
`;

test('free and unregister refuse the registered ring\'s memory with EBUSY until async_unregister', async () => {
  const child = await runChild(script, 30_000);
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.code, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.equal(out.registered, 0);
  assert.match(String(out.free), /^SysletError EBUSY: cannot free this memory: it holds the registered completion ring/);
  assert.equal(out.untouched, true, 'nothing but the engine wrote into the ring');
  assert.equal(out.submitted, 0);
  assert.equal(out.waited, 1);
  assert.equal(out.reaped, true, 'the completion landed in the ring, where it belongs');
  assert.equal(out.unregisterRing, 0);
  assert.equal(out.freeAfter, 'accepted');
  assert.match(String(out.unregister), /^SysletError EBUSY: cannot unregister this memory/);
  assert.equal(out.unregisterAfter, true);
  assert.match(String(out.dispose), /^SysletError EBUSY/);
  assert.equal(out.disposeAfter, 'accepted');
});
