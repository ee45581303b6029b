// A positional read or write of an fd the kernel refuses to read at an offset (an eventfd: lseek
// answers 0 there, pread and pwrite answer ESPIPE) answers -ESPIPE when it goes async, as the
// syscall does, and leaves the eventfd's count alone. The ring used to decide "seekable" from
// lseek, so it took such an atom: its READ then waited for a count on the eventfd (a chain that
// never completed, seen as a hang in the plugin-definition fuzzer with fd 8 one of Node's own
// eventfds) or took the count from whoever else waits there, and its WRITE added to the count.
// The same atoms run on cachemiss threads with the threads engine (npm run test:threads-engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type Bytes } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { ESPIPE } from '../engine/native/index.js';

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;

/** An eventfd holding `count`, made by a one-atom chain. */
function eventfd(engine: Engine, count: number): number {
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const atom = chain.atom('eventfd2', [count, EFD_CLOEXEC | EFD_NONBLOCK]);
  engine.runChainSync(chain.first);
  const fd = Number(atom.result.value);
  assert.ok(fd >= 0, `eventfd2 ${fd}`);
  return fd;
}

/** The eventfd's count, read (and so reset) the way its owner would: read(2) of 8 bytes. */
function takeCount(engine: Engine, fd: number): bigint {
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const value = chain.buffer(8);
  const atom = chain.atom('read', [fd, value, 8]);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, 8, 'read of the count');
  return new DataView(value.bytes.buffer, value.bytes.byteOffset, 8).getBigUint64(0, true);
}

/** A one-entry struct iovec naming `bytes`. */
function iovec(chain: ChainBuilder, bytes: Bytes): Bytes {
  const vector = chain.buffer(16);
  const view = new DataView(vector.bytes.buffer, vector.bytes.byteOffset, 16);
  view.setBigUint64(0, bytes.address, true);
  view.setBigUint64(8, BigInt(bytes.length), true);
  return vector;
}

test('pread64, preadv, pwrite64 and pwritev of an eventfd answer -ESPIPE async and leave its count', { timeout: 30_000 }, async () => {
  const engine = new Engine();
  const fd = eventfd(engine, 3);
  try {
    for (const call of ['pread64', 'preadv', 'pwrite64', 'pwritev'] as const) {
      for (const offset of [0, 2 ** 40]) {
        const chain = new ChainBuilder(engine.memory);
        const bytes = chain.buffer(8);
        new DataView(bytes.bytes.buffer, bytes.bytes.byteOffset, 8).setBigUint64(0, 5n, true);
        const vector = call === 'preadv' || call === 'pwritev' ? iovec(chain, bytes) : null;
        const args = vector === null ? [fd, bytes, 8, offset] : [fd, vector, 1, offset];
        // SYSLET_ASYNC: the atom goes to the ring (or to a thread) without an inline attempt.
        chain.atom(call, args, { flags: SYSLET_ASYNC });
        const completion = await engine.runChain(chain.first);
        assert.equal(Number(completion.result), -ESPIPE, `${call} at ${offset}`);
      }
    }
    assert.equal(takeCount(engine, fd), 3n, 'the count the eventfd was made with, neither taken nor added to');
  } finally {
    closeSync(fd);
    await engine.close();
  }
});
