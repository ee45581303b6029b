// Every call the syscall table says may block has an io_uring decision (an opcode, or `none`
// with the reason it stays on cachemiss threads), and with the io_uring engine every named
// opcode is one this kernel implements: a new may-block row cannot be added without deciding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSCALL_TABLE, isDenied } from '../engine/syscalls/table.js';
import { RING_CALLS, isRingCall } from '../engine/uring-opcodes.js';
import { Engine } from '../engine/engine.js';

test('every may-block call of the table has a ring decision', () => {
  const mayBlock = SYSCALL_TABLE.filter((spec) => spec.block !== undefined && spec.block !== 'never' && !isDenied(spec)).map((spec) => spec.name);
  assert.ok(mayBlock.length > 20, `${mayBlock.length} may-block calls`);
  assert.deepEqual(mayBlock.filter((name) => RING_CALLS[name] === undefined), []);
  for (const [name, entry] of Object.entries(RING_CALLS)) if (!isRingCall(entry)) assert.ok(entry.none.length > 0, `${name} says why it stays on threads`);
});

test('this kernel implements every opcode the table names', (t) => {
  const engine = new Engine({ engine: 'io_uring', minThreads: 0 });
  t.after(() => engine.close());
  const info = engine.asyncEngine;
  if (info.kind !== 'io_uring') return t.skip(`io_uring unavailable: ${info.reason}`);
  const named = Object.entries(RING_CALLS).filter(([, entry]) => isRingCall(entry)).map(([name]) => name);
  assert.deepEqual(named.filter((name) => !info.calls.includes(name)), []);
});
