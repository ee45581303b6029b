// A short non-blocking read that did not reach the end of the file is continued, so a chain's
// read returns what the blocking call returns (issue 15 item 11: an aio_read of 5,071 bytes from
// /dev/zero at offset 1,357 returned 4,096 under load). RWF_NOWAIT reads stop early not only at an
// uncached page but, in /dev/zero, whenever the task should reschedule, wherever that falls; the
// old rule took any short read that did not end on a page boundary for the end of the file.
// Two busy loops make the rescheduling happen during the reads; big reads at an unaligned offset
// give it room to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';

const SIZE = 32 << 20;
const OFFSET = 1357;
const READS = 4;

test('pread64 and preadv of /dev/zero at an unaligned offset return every byte asked for, under load', async (t) => {
  const burners = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  t.after(() => burners.forEach((burner) => burner.kill('SIGKILL')));
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const fd = openSync('/dev/zero', 'r');
  t.after(() => closeSync(fd));
  const buffer = engine.alloc(SIZE + 4096);
  const iov = engine.alloc(32);
  iov.view.setBigUint64(0, BigInt(buffer.start), true);
  iov.view.setBigUint64(8, BigInt(SIZE / 2), true);
  iov.view.setBigUint64(16, BigInt(buffer.start + SIZE / 2 + 1), true);
  iov.view.setBigUint64(24, BigInt(SIZE / 2 - 1), true);
  const results: string[] = [];
  const modes = new Set<string>();
  for (let i = 0; i < READS; i++) {
    using chain = new ChainBuilder(engine.memory);
    const pread = chain.atom('pread64', [fd, { address: buffer.start }, SIZE, OFFSET]);
    const preadv = chain.atom('preadv', [fd, { address: iov.start }, 2, OFFSET + i, 0]);
    const done = await engine.runChain(chain.first);
    modes.add(done.mode);
    results.push(`${String(pread.result.value)} ${String(preadv.result.value)}`);
  }
  t.diagnostic(`modes: ${[...modes].join(', ')}`);
  assert.deepEqual(results, Array.from({ length: READS }, () => `${SIZE} ${SIZE - 1}`));
});
