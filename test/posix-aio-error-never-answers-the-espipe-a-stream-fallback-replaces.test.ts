/**
 * aio_error never answers the ESPIPE of a positional chain that the shim replaces with a
 * read(2): an aio_read of 0 bytes at offset 0 on an eventfd ends with EINVAL (glibc's helper
 * thread: pread64 answers ESPIPE, then read(2) EINVAL), and every aio_error before that answers
 * EINPROGRESS. The eventfd's number was a synced fd's a moment before, so the request may queue
 * behind that sync on the JS side; the aio_error that moved the queue on (its pump) started the
 * request, whose chain published ESPIPE on a cachemiss thread at once, and aio_error answered that
 * ESPIPE (the next call EINPROGRESS). Found as a load-dependent failure of
 * posix-requests-on-every-fd-kind-answer-as-glibc-makes-them ("read of 0 at 0: [115, 0]" on an
 * eventfd, epoll, inotify, timerfd: 4 of 26 runs at load average 9-11); 2-7 of 300 requests
 * here before the fix.
 */
import assert from 'node:assert/strict';
import { differential } from './helpers/posix-differential.js';
import { EINPROGRESS, EINVAL } from './helpers/posix-c.js';
import { syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import type { AioImpl, ControlBlock } from './helpers/posix-impl.js';
import { spinningThreads } from './helpers/busy-cores.js';

const REQUESTS = 600;
const O_CLOEXEC = 0o2000000;

/** Every aio_error answer until the first that is not EINPROGRESS, then one more. */
function answers(impl: AioImpl, cb: ControlBlock): number[] {
  const seen = [impl.aio_error(cb)];
  const deadline = performance.now() + 10_000;
  while (seen.at(-1) === EINPROGRESS) {
    if (performance.now() > deadline) throw new Error('still in progress after 10 s');
    impl.aio_suspend([cb], 1, { tv_sec: 0, tv_nsec: 50_000_000 });
    seen.push(impl.aio_error(cb));
  }
  seen.push(impl.aio_error(cb));
  return seen;
}

differential(import.meta.url, 'aio_error of a read of an eventfd whose number was just synced answers EINPROGRESS until its EINVAL, never the ESPIPE of the positional try', async (impl) => {
  // Two spinning threads: the JS thread is preempted between the steps now and then.
  const spinners = spinningThreads(2, 60000);
  try {
    const differences: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      // Each fd closed before the next is made: they all get the same number.
      const synced = syscall(NR.eventfd2, 3, O_CLOEXEC);
      const sync = impl.aiocb({ aio_fildes: synced, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
      assert.equal(impl.aio_fsync(impl.constants.O_DSYNC, sync), 0);
      assert.deepEqual(answers(impl, sync).slice(-2), [EINVAL, EINVAL]);
      syscall(NR.close, synced);
      const fd = syscall(NR.eventfd2, 3, O_CLOEXEC);
      const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(1), aio_nbytes: 0, aio_offset: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
      assert.equal(impl.aio_read(cb), 0);
      const seen = answers(impl, cb);
      const final = seen.slice(0, -2).every((answer) => answer === EINPROGRESS) && seen.slice(-2).every((answer) => answer === EINVAL);
      if (!final || impl.aio_return(cb) !== -1) differences.push(`request ${i}: aio_error answered ${seen.join(', ')}; aio_return ${impl.aio_return(cb)}`);
      syscall(NR.close, fd);
    }
    assert.deepEqual(differences, []);
  } finally {
    await spinners.stop();
  }
});
