// Failures come back the kernel's way: the atom's result word is -errno (never a throw, never
// errno), stored as a full signed 64-bit word at *ret_ptr. EBADF comes from the kernel; EFAULT
// from confinement; ENOSYS for a number the engine does not know; EPERM for a call the policy
// denies (hard deny-list, a narrowed engine, a signal to another process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type AtomRef } from '../engine/builder.js';
import type { TraceRecord } from '../engine/policy.js';
import { EBADF, EFAULT, ENOSYS, EPERM, errnoName } from '../engine/native/index.js';
import { SYS } from './helpers/engine.js';

/** Runs one atom inline and returns its result word, checked to be a sign-extended 64-bit value. */
function resultOf(engine: Engine, build: (chain: ChainBuilder) => AtomRef): number {
  using chain = new ChainBuilder(engine.memory);
  const atom = build(chain);
  assert.ok(engine.async_exec(chain.first) > 0n, 'ran inline');
  const raw = chain.region.view.getBigInt64(atom.result.at - chain.region.start, true);
  assert.equal(raw, BigInt(atom.result.value), '64-bit word');
  return Number(raw);
}

test('EBADF: the kernel\'s own error, as -9 in the whole 64-bit result word', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('close', [-1]);
  engine.async_exec(chain.first);
  const offset = atom.result.at - chain.region.start;
  assert.equal(chain.region.view.getBigInt64(offset, true), -BigInt(EBADF));
  assert.equal(chain.region.view.getUint32(offset + 4, true), 0xffff_ffff, 'sign-extended high word');
  assert.equal(errnoName(Number(atom.result.value)), 'EBADF');
  const buf = resultOf(engine, (c) => c.atom('pread64', [-1, c.buffer(16), 16, 0]));
  assert.equal(buf, -EBADF);
  assert.equal(resultOf(engine, (c) => c.atom('fstat', [987_654, c.buffer(144)])), -EBADF);
});

test('EFAULT: a pointer argument outside engine memory', () => {
  const engine = new Engine();
  assert.equal(resultOf(engine, (c) => c.atom('read', [0, { address: 0x1000 }, 16])), -EFAULT);
  assert.equal(resultOf(engine, (c) => c.atom('umem_add', [{ address: 0xdead_beef_000 }, 1])), -EFAULT);
});

test('ENOSYS: numbers the engine does not know, including real but unsupported syscalls', () => {
  const engine = new Engine();
  for (const nr of [SYS.mount, 335, 500, 1028, 1099, 1100, 5000]) {
    assert.equal(resultOf(engine, (c) => c.atom(nr, [])), -ENOSYS, `nr ${nr}`);
  }
});

test('EPERM: hard-denied calls never run, and each denial is traced with its rule', () => {
  const denials: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => denials.push(record) });
  assert.equal(resultOf(engine, (c) => c.atom('fork', [])), -EPERM);
  assert.equal(resultOf(engine, (c) => c.atom(SYS.execve, [c.cstring('/bin/true'), 0, 0])), -EPERM);
  assert.equal(resultOf(engine, (c) => c.atom('mmap', [0, 4096, 3, 0x22, -1, 0])), -EPERM);
  assert.equal(resultOf(engine, (c) => c.atom('io_uring_setup', [8, c.buffer(120)])), -EPERM);
  assert.deepEqual(denials.map((d) => d.nr), [SYS.fork, SYS.execve, 9, 425]);
  for (const record of denials) {
    assert.match(record.rule, /^hard-deny: /);
    assert.equal(record.thread, 'inline');
  }
});

test('a hard-denied call\'s trace record names the call', () => {
  const denials: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => denials.push(record) });
  assert.equal(resultOf(engine, (c) => c.atom('fork', [])), -EPERM);
  assert.equal(resultOf(engine, (c) => c.atom('io_uring_setup', [8, c.buffer(120)])), -EPERM);
  assert.deepEqual(denials.map((d) => d.name), ['fork', 'io_uring_setup']);
});

test('EPERM: a narrowed engine refuses what it did not allow', () => {
  const denials: TraceRecord[] = [];
  const engine = new Engine({ allow: ['getpid', 'umem_add'], onDeny: (record) => denials.push(record) });
  assert.equal(resultOf(engine, (c) => c.atom('getpid', [])), process.pid);
  assert.equal(resultOf(engine, (c) => c.atom('close', [-1])), -EPERM, 'close is not run at all (else EBADF)');
  assert.equal(denials.length, 1);
  assert.match(denials[0]?.rule ?? '', /^narrowed: /);
});

test('EPERM: signals may only target this process', () => {
  const denials: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => denials.push(record) });
  assert.equal(resultOf(engine, (c) => c.atom('kill', [1, 0])), -EPERM);
  assert.equal(resultOf(engine, (c) => c.atom('kill', [process.pid, 0])), 0, 'signal 0 to self is allowed');
  assert.match(denials[0]?.rule ?? '', /^self-only: /);
});

test('errors never throw out of async_exec', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  chain.atom('close', [-1]);
  chain.atom(500, []);
  chain.atom('fork', []);
  chain.atom('read', [0, { address: 8 }, 1]);
  assert.doesNotThrow(() => engine.async_exec(chain.first));
  assert.equal(engine.runChainSync(chain.first).atoms, 4);
});
