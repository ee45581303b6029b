/**
 * A process's first aio_read of a pipe, then, 20 ms later, the fd number is made to refer to a
 * regular file (dup2, as a program's close + open would reuse it): the read must stay the pipe's,
 * as it is with glibc, whose helper thread is in read(2) on the pipe within microseconds of
 * aio_read (it holds the pipe open; 6 of 6 runs in session 20). So the pipe keeps a reader (a
 * write to it succeeds) and the read gets the byte written to the pipe, not the file's.
 *
 * Found in session 20 (posix20): stream requests never go to the ring,
 * so on both engines they wait for a cachemiss thread, and the process's first one waits for the
 * pool's first thread to load (50-100 ms). The fd number is resolved only when that thread makes
 * the call: the pipe is closed by the dup2 (the write gets EPIPE) and the read reads the file.
 * docs/reliability.md's "Not done" item said this for the threads engine and a loaded machine;
 * it was every process's first stream request, on both engines. Fixed the same session: a stream
 * request runs on a duplicate of its fd taken when it is prepared (shim/request-prepare.ts pinStream).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS } from '../index.js';
import { dup2, pipe, sleepSync } from './helpers/posix-os.js';

test('the first aio_read of a pipe stays the pipe\'s when its fd number is reused 20 ms later', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-first-stream-'));
  const file = openSync(join(dir, 'file'), 'w+');
  writeSync(file, 'F', 0);
  const [readEnd, writeEnd] = pipe();
  const cb = new Aiocb({ aio_fildes: readEnd, aio_buf: Buffer.alloc(1), aio_nbytes: 1 });
  assert.equal(aio_read(cb), 0);
  sleepSync(20);
  dup2(file, readEnd);
  let write = 'ok';
  try {
    writeSync(writeEnd, 'P');
  } catch (error) {
    write = (error as NodeJS.ErrnoException).code ?? String(error);
  }
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
  const got = [write, aio_error(cb), aio_return(cb), String.fromCharCode(cb.aio_buf instanceof Uint8Array ? (cb.aio_buf[0] ?? 0) : 0)];
  closeSync(file);
  closeSync(readEnd);
  closeSync(writeEnd);
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(got, ['ok', 0, 1, 'P'], 'the pipe keeps its reader, and the read gets the pipe\'s byte');
});
