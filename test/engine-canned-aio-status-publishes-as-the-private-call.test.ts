// A canned chain's aio_status atom is run by the plan itself once its argument values have passed
// confinement (engine/executor-canned-status.ts). What it publishes must be what the private call
// (engine/private-syscalls.ts aioStatus) publishes, on every run: the return value `width` bytes
// wide and then the error code, read from the read's result cell when the atom runs; arguments
// changed between runs (another status address, another width, a status field outside engine
// memory, an unaligned one) are checked and published as the private call does.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { aioRead } from '../plugins/builtin/aio.js';
import type { PluginInstance } from '../plugins/instance.js';
import type { Region } from '../engine/memory.js';
import { freshFile, tempDir } from './helpers/engine.js';

const CONTENT = new TextEncoder().encode('the planned aio_status publishes what the private call publishes');
const EFAULT = 14;
const EBADF = 9;

interface Planned {
  readonly engine: Engine;
  readonly instance: PluginInstance;
  /** Change some parameters (the others keep their values). */
  readonly set: (changed: Record<string, number>) => void;
  /** Reset, submit canned (it must end inline), and return the status atom's own result. */
  readonly run: () => unknown;
}

/** An aio.read instance whose status goes to `status` (+0 error, +8 return), run canned until both atoms are planned. */
function planned(t: TestContext, engine: Engine, status: Region): Planned {
  const path = freshFile(tempDir(t), 'content.txt', CONTENT);
  const fd = openSync(path, 'r');
  t.after(() => closeSync(fd));
  const buffer = engine.memory.allocate(4096);
  const instance = aioRead.acquire(engine);
  const params: Record<string, number> = { fd, buf: buffer.start, nbytes: 10, offset: 0, error_code: status.start, return_value: status.start + 8, width: 8 };
  instance.setParams(params);
  const set = (changed: Record<string, number>): void => {
    Object.assign(params, changed);
    instance.setParams(params);
  };
  const run = (): unknown => {
    instance.reset();
    const submitted = engine.submitCanned(instance.canned, null);
    assert.ok(submitted > 0, `the chain ended inline (${submitted})`);
    return instance.result(1);
  };
  for (let i = 0; i < 3; i++) run();
  assert.equal(instance.canned.count, 2, 'both atoms are planned');
  return { engine, instance, set, run };
}

function poisoned(view: DataView, at: number, bytes: number): void {
  for (let k = 0; k < bytes; k++) view.setUint8(at + k, 0xa5);
}

test('the planned status publishes the count, then an errno, read from the result cell of each run', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const status = engine.memory.allocate(64);
  const { set, run } = planned(t, engine, status);
  for (const nbytes of [10, 3, CONTENT.length]) {
    poisoned(status.view, 0, 16);
    set({ nbytes });
    assert.equal(run(), nbytes);
    assert.equal(status.view.getInt32(0, true), 0, 'error code 0');
    assert.equal(status.view.getBigInt64(8, true), BigInt(nbytes), `return value ${nbytes}, all 8 bytes`);
  }
  // A bad descriptor: the read answers -EBADF and the status is (EBADF, -1).
  set({ fd: 1 << 20, nbytes: 10 });
  poisoned(status.view, 0, 16);
  assert.equal(run(), -EBADF);
  assert.equal(status.view.getInt32(0, true), EBADF);
  assert.equal(status.view.getBigInt64(8, true), -1n);
});

test('a status moved to another region, to a 4-byte width or to an unaligned address between runs is published there', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const first = engine.memory.allocate(64);
  const { set, run } = planned(t, engine, first);
  const second = engine.memory.allocate(64);
  poisoned(second.view, 0, 32);
  set({ error_code: second.start + 16, return_value: second.start + 20, width: 4 });
  // (The first run checks the new values in full; the second runs on what that check remembered.)
  for (let i = 0; i < 2; i++) {
    poisoned(second.view, 0, 32);
    assert.equal(run(), 10);
    assert.equal(second.view.getInt32(16, true), 0);
    assert.equal(second.view.getInt32(20, true), 10);
    assert.equal(second.view.getUint32(24, true), 0xa5a5a5a5, 'a 4-byte return value leaves the next word alone');
  }
  // Unaligned: the private call's DataView path publishes it.
  poisoned(second.view, 0, 32);
  set({ error_code: second.start + 1, return_value: second.start + 5, width: 8 });
  for (let i = 0; i < 2; i++) {
    poisoned(second.view, 0, 32);
    assert.equal(run(), 10);
    assert.equal(second.view.getInt32(1, true), 0);
    assert.equal(second.view.getBigInt64(5, true), 10n);
  }
});

test('a status address outside engine memory after values that passed is refused with EFAULT and nothing is written', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const status = engine.memory.allocate(64);
  const { set, run } = planned(t, engine, status);
  poisoned(status.view, 0, 16);
  set({ error_code: 4096 });
  assert.equal(run(), -EFAULT);
  assert.equal(status.view.getBigInt64(8, true), -0x5a5a5a5a5a5a5a5bn, 'the return value was not written either');
  // A width the call refuses: -EINVAL from the private call, not a status.
  set({ error_code: status.start, width: 2 });
  assert.equal(run(), -22);
  set({ width: 8 });
  for (let i = 0; i < 2; i++) {
    poisoned(status.view, 0, 16);
    assert.equal(run(), 10);
    assert.equal(status.view.getInt32(0, true), 0);
    assert.equal(status.view.getBigInt64(8, true), 10n);
  }
});

test('a released status region faults instead of being written through the views the plan kept', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const status = engine.memory.allocate(64);
  const { run } = planned(t, engine, status);
  const address = status.start;
  engine.memory.release(status);
  assert.equal(engine.memory.find(address, 8), null, 'the region is gone');
  assert.equal(run(), -EFAULT);
});
