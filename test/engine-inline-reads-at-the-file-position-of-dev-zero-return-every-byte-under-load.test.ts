// A read or readv of /dev/zero at the file position, made inline, returns every byte asked for,
// as the syscall does, while other threads keep the cores busy. The inline probe is a preadv2
// with RWF_NOWAIT, and /dev/zero copies a page at a time and, when the task should reschedule, a
// non-blocking read stops with what it has (where the syscall reschedules and goes on). A short
// positional probe was already continued; one at the file position was answered as it was (the
// fd-kinds fuzz, seed 1136 case 180: a readv of 8+4096+1 bytes answered 4096, the syscall 4105).
// A short read on a stream is the syscall's own answer, and stays so (test
// engine-calls-answer-as-the-syscall-on-every-fd-kind).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { spinningThreads } from './helpers/busy-cores.js';

const SIZE = 256 * 1024;
const READS = 64;
const ROUNDS = 8;

test('inline read and readv of /dev/zero at the file position return every byte while the cores are busy, as the syscall does', { timeout: 120_000 }, async () => {
  const engine = new Engine();
  const fd = openSync('/dev/zero', 'r');
  // Two spinning threads: the calling thread's reads are asked to reschedule now and then.
  const spinners = spinningThreads(2, 30000);
  try {
    const short: string[] = [];
    const direct = Buffer.alloc(SIZE);
    for (let round = 0; round < ROUNDS; round++) {
      const chains = Array.from({ length: READS }, (_, i) => {
        const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: SIZE + 1024 });
        const buffer = chain.buffer(SIZE);
        buffer.bytes.fill(0xee);
        if (i % 2 === 0) chain.atom('read', [fd, buffer, SIZE]);
        else {
          const vector = chain.buffer(32);
          const view = new DataView(vector.bytes.buffer, vector.bytes.byteOffset, 32);
          view.setBigUint64(0, buffer.address, true);
          view.setBigUint64(8, BigInt(SIZE - 7), true);
          view.setBigUint64(16, buffer.address + BigInt(SIZE - 7), true);
          view.setBigUint64(24, 7n, true);
          chain.atom('readv', [fd, vector, 2]);
        }
        return { chain, buffer };
      });
      const ends = await Promise.all(chains.map(({ chain }) => engine.runChain(chain.first)));
      ends.forEach((end, i) => {
        if (Number(end.result) !== SIZE) short.push(`round ${round} ${i % 2 === 0 ? 'read' : 'readv'} ${i}: ${String(end.result)}`);
        else if ((chains[i] as { buffer: { bytes: Uint8Array } }).buffer.bytes.some((byte) => byte !== 0)) short.push(`round ${round} read ${i}: bytes left unread`);
      });
      for (const { chain } of chains) chain[Symbol.dispose]();
      // The syscall itself, under the same load: every byte.
      assert.equal(syscall(NR.read, fd, addressOf(direct), SIZE), SIZE);
    }
    assert.deepEqual(short, []);
  } finally {
    await spinners.stop();
    closeSync(fd);
    await engine.close();
  }
});
