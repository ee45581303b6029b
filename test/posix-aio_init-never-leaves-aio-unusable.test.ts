/**
 * aio_init with values beyond what the implementation runs (2000 threads, a negative idle time,
 * a request hint below the minimum) is accepted and clamped, as glibc's __aio_init clamps it
 * (threads at least 1, idle time stored as given: negative means a helper leaves as soon as it
 * is idle); requests made afterwards work, round after round (issue 15 item 7: such a call used
 * to make every later `new Aiocb()` throw RangeError). The syslet shim also clamps the threads to
 * its engine's 1024.
 */
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { differential } from './helpers/posix-differential.js';
import { EINPROGRESS, tempFile, writeAll } from './helpers/posix-c.js';
import { pipe } from './helpers/posix-os.js';

differential(import.meta.url, 'aio_init({ aio_threads: 2000, aio_num: 10, aio_idle_time: -1 }), then requests work, twice over', async (impl, env) => {
  impl.aio_init({ aio_threads: 2000, aio_num: 10, aio_idle_time: -1 });
  const fd = tempFile(env);
  writeAll(fd, Buffer.from('abcdefgh'));
  for (let round = 0; round < 2; round++) {
    // Reads of empty pipes need helper threads; the file read may complete at once.
    const pipes = Array.from({ length: 4 }, () => pipe());
    const cbs = pipes.map(([readEnd]) => impl.aiocb({ aio_fildes: readEnd, aio_buf: impl.buffer(4), aio_nbytes: 4, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } }));
    const fileCb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(8), aio_nbytes: 8, aio_offset: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    for (const cb of [...cbs, fileCb]) assert.equal(impl.aio_read(cb), 0, `round ${round}: aio_read: errno ${impl.errno()}`);
    for (const [, writeEnd] of pipes) writeSync(writeEnd, 'wxyz');
    for (const cb of [...cbs, fileCb]) {
      while (impl.aio_error(cb) === EINPROGRESS) impl.aio_suspend([cb], 1, null);
      assert.equal(impl.aio_error(cb), 0, `round ${round}`);
    }
    assert.deepEqual(cbs.map((cb) => impl.aio_return(cb)), [4, 4, 4, 4], `round ${round}: pipe reads`);
    assert.equal(impl.aio_return(fileCb), 8, `round ${round}: file read`);
    // Idle helpers leave at once under a negative idle time: the next round needs new ones.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
