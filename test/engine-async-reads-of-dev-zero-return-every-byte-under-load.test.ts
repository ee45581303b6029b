// A positional read of /dev/zero made async (SYSLET_ASYNC) returns every byte asked for, as the
// syscall does, while other threads keep the cores busy. /dev/zero copies a page at a time and,
// when the task should reschedule, a non-blocking read (IOCB_NOWAIT: io_uring's first attempt)
// stops with what it has, where the syscall reschedules and goes on; io_uring completes a short
// read of a file that is not a regular file or a block device as it is. So such reads go to a
// cachemiss thread, which makes the syscall (the fd-kinds fuzz saw 4096 for 5007). On the threads
// engine (npm run test:threads-engine) they always did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { spinningThreads } from './helpers/busy-cores.js';

const SIZE = 256 * 1024;
const READS = 64;

test('async preadv and pread64 of /dev/zero return every byte while the cores are busy', { timeout: 120_000 }, async () => {
  const engine = new Engine();
  const fd = openSync('/dev/zero', 'r');
  // Two spinning threads: the calling thread's reads are asked to reschedule now and then.
  const spinners = spinningThreads(2, 20000);
  try {
    const short: string[] = [];
    for (let round = 0; round < 4; round++) {
      const chains = Array.from({ length: READS }, (_, i) => {
        const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: SIZE + 1024 });
        const buffer = chain.buffer(SIZE);
        buffer.bytes.fill(0xee);
        if (i % 2 === 0) chain.atom('pread64', [fd, buffer, SIZE, 4096 * i + 1], { flags: SYSLET_ASYNC });
        else {
          const vector = chain.buffer(32);
          const view = new DataView(vector.bytes.buffer, vector.bytes.byteOffset, 32);
          view.setBigUint64(0, buffer.address, true);
          view.setBigUint64(8, BigInt(SIZE - 7), true);
          view.setBigUint64(16, buffer.address + BigInt(SIZE - 7), true);
          view.setBigUint64(24, 7n, true);
          chain.atom('preadv', [fd, vector, 2, 2 ** 40, 0], { flags: SYSLET_ASYNC });
        }
        return { chain, buffer };
      });
      const ends = await Promise.all(chains.map(({ chain }) => engine.runChain(chain.first)));
      ends.forEach((end, i) => {
        if (Number(end.result) !== SIZE) short.push(`round ${round} read ${i}: ${String(end.result)}`);
        else if ((chains[i] as { buffer: { bytes: Uint8Array } }).buffer.bytes.some((byte) => byte !== 0)) short.push(`round ${round} read ${i}: bytes left unread`);
      });
      for (const { chain } of chains) chain[Symbol.dispose]();
    }
    assert.deepEqual(short, []);
  } finally {
    await spinners.stop();
    closeSync(fd);
    await engine.close();
  }
});
