// A canned chain (Engine.submitCanned, engine/executor-canned.ts) is planned once and then run
// without the executor's generic dispatch. Its runs must keep every check the generic path
// makes, on every run: atom words rewritten after the plan was made (by another chain's call or
// by the program) are what runs; an argument value that would leave engine memory is refused
// (EFAULT) even though earlier values passed; a policy narrowed after the plan was made refuses
// the call and records the denial; a released argument region faults.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, STOP } from '../engine/atom.js';
import { NR } from '../engine/syscalls/nr.js';
import type { TraceRecord } from '../engine/policy.js';
import { aioRead } from '../plugins/builtin/aio.js';
import type { PluginInstance } from '../plugins/instance.js';
import { freshFile, tempDir } from './helpers/engine.js';

const CONTENT = new TextEncoder().encode('a canned chain keeps every check of the generic path on every run');
const EFAULT = 14;
const EPERM = 1;

interface Canned {
  readonly engine: Engine;
  readonly instance: PluginInstance;
  readonly status: DataView;
  /** Reset the instance, submit it as a canned chain, and expect it to end inline; returns what submit returned. */
  readonly run: () => number;
}

/** An aio.read instance reading `nbytes` of the test file into engine memory, run canned a few times (planned). */
function plannedRead(t: TestContext, nbytes: number, engine = new Engine()): Canned {
  t.after(() => engine.close());
  const path = freshFile(tempDir(t), 'content.txt', CONTENT);
  const fd = openSync(path, 'r');
  t.after(() => closeSync(fd));
  const status = engine.memory.allocate(64);
  const buffer = engine.memory.allocate(4096);
  const instance = aioRead.acquire(engine);
  instance.setParams({ fd, buf: buffer.start, nbytes, offset: 0, error_code: status.start, return_value: status.start + 8, width: 8 });
  const run = (): number => {
    instance.reset();
    const submitted = engine.submitCanned(instance.canned, null);
    assert.ok(submitted > 0, `the chain ended inline (submit answered ${submitted})`);
    return submitted;
  };
  for (let i = 0; i < 3; i++) {
    run();
    assert.equal(instance.result(0), nbytes, `run ${i} read ${nbytes} bytes`);
    assert.equal(status.view.getBigInt64(8, true), BigInt(nbytes), 'aio_status published the count');
  }
  assert.equal(instance.canned.count, 2, 'both atoms are planned');
  return { engine, instance, status: status.view, run };
}

/** Point argument `index` of atom `atom` of the instance at `address` (a store of the program's into engine memory). */
function pointArgument(instance: PluginInstance, engine: Engine, atom: number, index: number, address: number): void {
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  const at = instance.first - region.start + atom * ATOM.size + ATOM.arg_ptr + index * 8;
  region.view.setUint32(at, address % 2 ** 32, true);
  region.view.setUint32(at + 4, Math.floor(address / 2 ** 32), true);
}

test('a planned atom whose call number another chain rewrote runs the new call', (t) => {
  const { engine, instance, status, run } = plannedRead(t, 10);
  using chain = new ChainBuilder(engine.memory);
  const add = chain.atom('umem_add', [{ address: instance.first + ATOM.nr }, NR.getpid - NR.pread64]);
  engine.runChainSync(chain.first);
  assert.equal(add.result.value, NR.getpid);
  run();
  assert.equal(instance.result(0), process.pid, 'the first atom ran getpid');
  assert.equal(status.getBigInt64(8, true), BigInt(process.pid), 'aio_status published getpid\'s result');
});

test('a planned atom whose argument pointer the program rewrote reads the new cell, and reads it when it runs', (t) => {
  const { engine, instance, run } = plannedRead(t, 10);
  const cell = engine.memory.allocate(8);
  cell.view.setUint32(0, 25, true);
  pointArgument(instance, engine, 0, 2, cell.start);
  run();
  assert.equal(instance.result(0), 25, 'pread64 read the new cell\'s count');
  cell.view.setUint32(0, 7, true);
  run();
  assert.equal(instance.result(0), 7, 'the value was read at run time');
});

test('a planned atom\'s zero word given only its top bit (2^63, a double\'s -0) is seen', (t) => {
  const { engine, instance } = plannedRead(t, 10);
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  // The second atom's flags word (0) becomes 2^63: unknown flag bits, which fail the atom with EINVAL.
  const flagsAt = instance.first - region.start + ATOM.size + ATOM.flags;
  region.view.setUint32(flagsAt + 4, 0x80000000, true);
  instance.reset();
  const submitted = engine.submitCanned(instance.canned, null);
  assert.ok(submitted > 0);
  assert.equal(engine.lastInlineStop, STOP.fault);
  assert.equal(instance.result(1), -22, 'EINVAL: the rewritten flags were read');
});

test('a length that would take a planned read outside engine memory is refused with EFAULT after values that passed', (t) => {
  const { engine, instance, status, run } = plannedRead(t, 10);
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  // The buffer is a 4096-byte allocation: a count reaching past every region is not confined.
  instance.set(aioRead.paramIndex('nbytes'), 1 << 30);
  run();
  assert.equal(instance.result(0), -EFAULT, 'pread64 was refused, not made');
  assert.equal(status.getInt32(0, true), EFAULT, 'aio_status published EFAULT');
  instance.set(aioRead.paramIndex('nbytes'), 12);
  run();
  assert.equal(instance.result(0), 12, 'a confined count runs again');
  // A buffer address outside engine memory.
  instance.set(aioRead.paramIndex('buf'), 4096);
  run();
  assert.equal(instance.result(0), -EFAULT);
});

test('a policy narrowed after the chain was planned refuses its calls and records each denial', (t) => {
  const denies: TraceRecord[] = [];
  const { instance, status, run, engine } = plannedRead(t, 10, new Engine({ onDeny: (record) => denies.push(record) }));
  engine.policy.narrow(['aio_status']);
  run();
  assert.equal(instance.result(0), -EPERM, 'pread64 is no longer allowed');
  assert.equal(status.getInt32(0, true), EPERM, 'aio_status (still allowed) published EPERM');
  assert.equal(denies.length, 1);
  assert.equal(denies[0]?.name, 'pread64');
  assert.equal(denies[0]?.atom, instance.first);
  engine.policy.narrow([]);
  run();
  assert.equal(instance.result(0), -EPERM);
  assert.equal(instance.result(1), -EPERM, 'aio_status is refused too');
  assert.deepEqual(denies.slice(1).map((record) => record.name), ['pread64', 'aio_status']);
});

test('a planned atom whose argument cell region was released faults instead of using the region it kept', (t) => {
  const { engine, instance, run } = plannedRead(t, 10);
  const cell = engine.memory.allocate(8);
  cell.view.setUint32(0, 12, true);
  pointArgument(instance, engine, 0, 2, cell.start);
  run();
  assert.equal(instance.result(0), 12);
  engine.memory.release(cell);
  run();
  assert.equal(instance.result(0), -EFAULT, 'the argument cell is no longer engine memory');
});
