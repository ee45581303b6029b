// An io_uring request is made with the argument values its atom was checked with. The executor
// copies an iovec array into private memory and checks the copy (issue 15 item 1); the request
// gets a copy of that copy, which lives until its completion. So a chain that changes the iovec
// after the atom ran — before the SQE is submitted at the end of the JS turn, or while the
// request waits in the kernel — changes nothing the kernel does: a readv checked for 64 bytes
// reads 64 bytes even when iov_len has meanwhile become 4,160, and the bytes after stay as they were.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { closeAll, socketPair } from './helpers/engine.js';
import { ringEngine } from './helpers/ring-calls.js';

const CHECKED = 64;
const WIDENED = 4160;
const CANARY = 0xa5;

async function widenWhileInFlight(t: TestContext, when: 'before the flush' | 'in the kernel'): Promise<void> {
  const engine = ringEngine(t);
  if (engine === null) return;
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 16384 });
  const target = chain.buffer(WIDENED);
  target.bytes.fill(CANARY);
  const iov = chain.buffer(16);
  const iovView = new DataView(iov.bytes.buffer, iov.bytes.byteOffset, 16);
  iovView.setBigUint64(0, BigInt(target.at), true);
  iovView.setBigUint64(8, BigInt(CHECKED), true);
  const read = chain.atom('readv', [reader, iov, 1], { flags: SYSLET_ASYNC });
  const done = engine.runChain(chain.first);
  assert.equal(engine.ringInFlight, 1, 'the readv is an io_uring request');
  if (when === 'in the kernel') await nextTurn();
  // Another chain's write, landing after the check: the request must not see it.
  iovView.setBigUint64(8, BigInt(WIDENED), true);
  assert.equal(writeSync(writer, Buffer.alloc(WIDENED, 0x11)), WIDENED);
  const completion = await done;
  assert.equal(completion.result, CHECKED);
  assert.equal(read.result.number, CHECKED);
  assert.ok(target.bytes.subarray(0, CHECKED).every((byte) => byte === 0x11), 'the checked 64 bytes were read');
  assert.ok(target.bytes.subarray(CHECKED).every((byte) => byte === CANARY), 'nothing past them was written');
}

test('iov_len widened after the atom ran, before the SQE is submitted: the kernel reads what was checked', (t) => widenWhileInFlight(t, 'before the flush'));

test('iov_len widened while the request waits in the kernel: the kernel reads what was checked', (t) => widenWhileInFlight(t, 'in the kernel'));
