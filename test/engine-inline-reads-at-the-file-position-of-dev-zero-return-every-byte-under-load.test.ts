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
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { spinningThreads } from './helpers/busy-cores.js';
import { devZeroReadRound, splitVector } from './helpers/dev-zero-reads.js';

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
      short.push(...await devZeroReadRound(engine, round, READS, SIZE, (chain, i, buffer) => {
        if (i % 2 === 0) {
          chain.atom('read', [fd, buffer, SIZE]);
          return 'read';
        }
        chain.atom('readv', [fd, splitVector(chain, buffer, SIZE), 2]);
        return 'readv';
      }));
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
