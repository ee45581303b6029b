// Issue #8, load at engine level: SYSLET_LOAD_OPS mixed operations (default 200k; 1M for the
// full figure) across 64 fds — cached preads inline, writes to /dev/null, forced-async preads and
// fdatasyncs on cachemiss threads — with up to 256 chains in flight and a ring of only 8 entries
// whose consumer reaps at most 4 per turn (back-pressure: completions wait in the engine's
// pending list). Every submission carries its id in the atom's private word; every id must come
// back exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type AtomRef, type Cell } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { closeQuietly } from './fuzz/corpus.js';

const OPS = Number(process.env.SYSLET_LOAD_OPS ?? 200_000);
const FILES = 64;
const WINDOW = 256;
const RING_ENTRIES = 8;

interface Slot {
  chain: ChainBuilder;
  atom: AtomRef;
  fd: Cell;
  buf: Cell;
  count: Cell;
  offset: Cell;
}

test(`${OPS} mixed operations across ${FILES} fds: every one completes exactly once, the ring under back-pressure loses nothing, memory stays bounded`, async (t) => {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'syslet-load-'));
  const fds = Array.from({ length: FILES }, (_, i) => {
    const fd = openSync(join(dir, `f${i}`), 'w+');
    writeSync(fd, Buffer.alloc(65536, i));
    return fd;
  });
  const devNull = openSync('/dev/null', 'w');
  const engine = new Engine({ threads: 8 });
  t.after(async () => {
    await closeQuietly(engine);
    for (const fd of [...fds, devNull]) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const ringRegion = engine.alloc(RING_ENTRIES * 48);
  assert.equal(engine.async_register({ ring: ringRegion.start, ringSizeBytes: RING_ENTRIES * 48, capabilities: engine.negotiateRing({ version: 2 }) }), 0);

  const slots: Slot[] = Array.from({ length: WINDOW }, () => {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 8192 });
    const fd = chain.cell(0);
    const buf = chain.cell(chain.buffer(4096).at);
    const count = chain.cell(4096);
    const offset = chain.cell(0);
    const atom = chain.atom('pread64', [fd, buf, count, offset]);
    return { chain, atom, fd, buf, count, offset };
  });
  const free = slots.map((_, i) => i);
  const slotOf = new Int32Array(OPS);
  const seen = new Uint8Array(OPS);
  const kinds = { cachedRead: 0, nullWrite: 0, asyncRead: 0, fdatasync: 0 };
  const NR = { pread64: 17, write: 1, fdatasync: syscallByName('fdatasync')?.x86_64 ?? 75 };
  let submitted = 0;
  let completed = 0;
  let failedResults = 0;
  let maxPending = 0;
  // Steady-state memory: measured from the point where a tenth of the work is done (all eight
  // cachemiss threads — tens of MiB each under tsx — have started by then).
  let rssWarm = 0;
  const complete = (id: number, result: number): void => {
    seen[id] = (seen[id] as number) + 1;
    completed++;
    if (result < 0) failedResults++;
  };
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  while (completed < OPS) {
    while (submitted < OPS && free.length > 0) {
      const index = free.pop() as number;
      const slot = slots[index] as Slot;
      const id = submitted++;
      slotOf[id] = index;
      slot.chain.setField(slot.atom, 'private', id);
      slot.fd.value = fds[id % FILES] as number;
      slot.offset.value = (id % 16) * 4096;
      slot.count.value = 4096;
      const kind = id % 10;
      if (kind < 6) {
        kinds.cachedRead++;
        slot.chain.setField(slot.atom, 'nr', NR.pread64);
        slot.chain.setFlags(slot.atom, 0);
      } else if (kind < 8) {
        kinds.nullWrite++;
        slot.fd.value = devNull;
        slot.chain.setField(slot.atom, 'nr', NR.write);
        slot.chain.setFlags(slot.atom, 0);
      } else if (kind === 8) {
        kinds.asyncRead++;
        slot.chain.setField(slot.atom, 'nr', NR.pread64);
        slot.chain.setFlags(slot.atom, SYSLET_ASYNC);
      } else {
        kinds.fdatasync++;
        slot.chain.setField(slot.atom, 'nr', NR.fdatasync);
        slot.chain.setFlags(slot.atom, 0);
      }
      const result = engine.submit(slot.atom.at, null);
      assert.ok(result >= 0, `submission ${id} refused: ${result}`);
      if (result > 0) {
        complete(id, Number(slot.atom.result.value));
        free.push(index);
      }
    }
    if (rssWarm === 0 && completed >= OPS / 10) rssWarm = process.memoryUsage().rss;
    if (completed >= OPS) break;
    // A slow consumer: wait for one, take at most four.
    if ((engine.ring?.available() ?? 0) === 0) await engine.asyncWait(1);
    maxPending = Math.max(maxPending, engine.inflight);
    for (let i = 0; i < 4; i++) {
      const completion = engine.reap();
      if (completion === null) break;
      const id = Number(completion.private);
      assert.ok(id >= 0 && id < submitted, `ring returned an unknown id ${id}`);
      complete(id, Number(completion.result ?? 0));
      free.push(slotOf[id] as number);
    }
  }
  const elapsed = performance.now() - started;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  let missing = 0;
  let duplicated = 0;
  for (let id = 0; id < OPS; id++) {
    if (seen[id] === 0) missing++;
    else if ((seen[id] as number) > 1) duplicated++;
  }
  t.diagnostic(
    `${OPS} ops in ${elapsed.toFixed(0)} ms (${((OPS / elapsed) * 1000).toFixed(0)} ops/s): ${JSON.stringify(kinds)}; ` +
      `max in flight ${maxPending}; missing ${missing}, duplicated ${duplicated}, negative results ${failedResults}; ` +
      `RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, ${(rssWarm / 2 ** 20).toFixed(1)} MiB at 10% (threads started), ${(rssAfter / 2 ** 20).toFixed(1)} MiB after; threads ${engine.threads}`,
  );
  assert.equal(missing, 0);
  assert.equal(duplicated, 0);
  assert.equal(failedResults, 0);
  assert.equal(engine.inflight, 0);
  assert.equal(engine.reap(), null, 'nothing left in the ring');
  assert.ok(rssWarm > 0);
  assert.ok(rssAfter - rssWarm < 96 * 2 ** 20, `RSS grew by ${((rssAfter - rssWarm) / 2 ** 20).toFixed(1)} MiB in steady state`);
  for (const slot of slots) slot.chain[Symbol.dispose]();
});
