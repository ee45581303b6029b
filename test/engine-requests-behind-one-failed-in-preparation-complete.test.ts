// Requests submitted together with one the kernel fails while preparing it all complete, and so
// do later ones. io_uring_enter stops taking SQEs at a request whose preparation fails (statx of
// an empty path without AT_EMPTY_PATH: ENOENT before any lookup) and returns how many it took;
// the ring counted every published SQE as submitted, so the rest stayed in the SQ: six such
// stats in one turn left five chains waiting for ever, and each later submission made the kernel
// take a stranded SQE in place of the new one. The same chains run on cachemiss threads with the
// threads engine (npm run test:threads-engine), where each fails in its own statx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { ENOENT } from '../engine/native/index.js';

const STATX_BASIC_STATS = 0x7ff;
const AT_FDCWD = -100;

test('requests behind one the kernel fails in preparation, and later ones, all complete', { timeout: 30_000 }, async () => {
  const engine = new Engine();
  const file = '/proc/self/exe';
  const fd = openSync(file, 'r');
  try {
    const chains = [];
    for (let i = 0; i < 6; i++) {
      const chain = new ChainBuilder(engine.memory);
      // SYSLET_ASYNC: the call goes to the ring (or to a thread) without an inline attempt.
      chain.atom('statx', [AT_FDCWD, chain.cstring(''), 0, STATX_BASIC_STATS, chain.buffer(256)], { flags: SYSLET_ASYNC });
      chains.push(engine.runChain(chain.first));
    }
    const results = (await Promise.all(chains)).map((completion) => Number(completion.result));
    assert.deepEqual(results, Array.from({ length: 6 }, () => -ENOENT));
    // A request made after them is the one the kernel runs: its bytes are the file's.
    for (let round = 0; round < 3; round++) {
      const chain = new ChainBuilder(engine.memory);
      const buffer = chain.buffer(16);
      chain.atom('pread64', [fd, buffer, 16, round], { flags: SYSLET_ASYNC });
      const completion = await engine.runChain(chain.first);
      assert.equal(Number(completion.result), 16, `read ${round}`);
      assert.deepEqual(Buffer.from(buffer.bytes), readFileSync(file).subarray(round, round + 16), `read ${round}'s bytes`);
    }
  } finally {
    closeSync(fd);
    await engine.close();
  }
});
