// A read of an empty pipe opened O_NONBLOCK answers -EAGAIN at once, as read(2) does, with the
// io_uring engine too: io_uring would arm a poll and wait for data, so such a call is made on a
// thread. Found by the random-Aiocb fuzz: aio_read on its non-blocking pipe stayed EINPROGRESS
// until another batch wrote to the pipe. A hang here is caught by the test's time limit.
// (On a regular file O_NONBLOCK changes nothing, for the syscall or the ring: those reads stay in
// the ring, and wait for the disk.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { EAGAIN } from '../engine/native/index.js';
import { O_CLOEXEC, O_NONBLOCK } from '../engine/syscalls/constants.generated.js';
import { closeAll } from './helpers/engine.js';
import { openPipe } from './helpers/pipe.js';

for (const [how, flags] of [['probed inline first', 0], ['SYSLET_ASYNC', SYSLET_ASYNC]] as const) {
  test(`read of an empty O_NONBLOCK pipe (${how}): -EAGAIN, not a wait for data`, { timeout: 60_000 }, async (t) => {
    const engine = new Engine({ engine: 'io_uring', minThreads: 0 });
    t.after(() => engine.close());
    const { reader, writer } = openPipe(O_NONBLOCK | O_CLOEXEC);
    t.after(() => closeAll(reader, writer));
    using chain = new ChainBuilder(engine.memory);
    const read = chain.atom('read', [reader, chain.buffer(16), 16], { flags });
    const done = await engine.runChain(chain.first);
    assert.equal(done.result, -EAGAIN);
    assert.equal(read.result.number, -EAGAIN);
    assert.equal(engine.ringInFlight, 0, 'nothing waits in the ring');
  });
}
