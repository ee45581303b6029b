/**
 * Shared steps of the tests of the POSIX layer's buffer registrations (probation list, idle LRU):
 * one aio_read waited for with aio_suspend, and whether the engine holds a region for a buffer.
 */
import assert from 'node:assert/strict';
import { addressOf } from '../../engine/native/index.js';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, aioEngine, EINPROGRESS } from '../../index.js';

/** readInto - aio_read `buffer`'s length from `fd` into it, wait for it, and return aio_return. */
export function readInto(fd: number, buffer: Buffer): number {
  const cb = new Aiocb({ aio_fildes: fd, aio_buf: buffer });
  assert.equal(aio_read(cb), 0);
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
  assert.equal(aio_error(cb), 0);
  return aio_return(cb);
}

/** registered - whether the POSIX layer's engine has a region covering all of `buffer`. */
export function registered(buffer: Buffer): boolean {
  return aioEngine().memory.find(addressOf(buffer), buffer.length) !== null;
}
