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
import { SYSLET_ASYNC } from '../engine/atom.js';
import { spinningThreads } from './helpers/busy-cores.js';
import { devZeroReadRound, splitVector } from './helpers/dev-zero-reads.js';

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
      short.push(...await devZeroReadRound(engine, round, READS, SIZE, (chain, i, buffer) => {
        if (i % 2 === 0) chain.atom('pread64', [fd, buffer, SIZE, 4096 * i + 1], { flags: SYSLET_ASYNC });
        else chain.atom('preadv', [fd, splitVector(chain, buffer, SIZE), 2, 2 ** 40, 0], { flags: SYSLET_ASYNC });
        return 'read';
      }));
    }
    assert.deepEqual(short, []);
  } finally {
    await spinners.stop();
    closeSync(fd);
    await engine.close();
  }
});
