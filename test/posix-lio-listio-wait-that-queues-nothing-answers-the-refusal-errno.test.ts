/**
 * lio_listio(LIO_WAIT) whose entries were all refused at submission (aio_reqprio outside
 * 0..AIO_PRIO_DELTA_MAX) queued nothing: glibc returns -1 with the refusal's errno (EINVAL) at
 * once, as its LIO_NOWAIT does; EIO ("one or more of the individual I/O operations failed") is
 * its answer only once some entry was queued and the list waited — with one refused entry next to
 * a queued one, or an unknown opcode (queued, then failed by the worker). Each entry's own
 * aio_error/aio_return is the same on both.
 *
 * Session 20 (posix20): the shim answered EIO for a list that queued nothing.
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EINVAL, EIO, tempFile, writeAll } from './helpers/posix-c.js';
import type { AioImpl, AiocbFields, ControlBlock } from './helpers/posix-impl.js';

function entry(impl: AioImpl, fd: number, fields: AiocbFields): ControlBlock {
  return impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(4), aio_nbytes: 4, aio_lio_opcode: impl.constants.LIO_READ, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE }, ...fields });
}

const variants: [string, (nop: number) => AiocbFields[], number, [number, number][]][] = [
  ['one entry with aio_reqprio 21: -1/EINVAL', () => [{ aio_reqprio: 21 }], EINVAL, [[EINVAL, -1]]],
  ['a refused entry and a LIO_NOP: -1/EINVAL', (nop) => [{ aio_reqprio: -1 }, { aio_lio_opcode: nop }], EINVAL, [[EINVAL, -1], [0, 0]]],
  ['a refused entry and a read: -1/EIO, the read done', () => [{ aio_reqprio: 21 }, {}], EIO, [[EINVAL, -1], [0, 4]]],
  ['an unknown opcode alone: -1/EIO', () => [{ aio_lio_opcode: 77 }], EIO, [[EINVAL, -1]]],
];

differentialCases(import.meta.url, variants.map(([title, fields, errno, outcomes]) => ({
  title: `lio_listio(LIO_WAIT), ${title}`,
  body: (impl, env) => {
    const fd = tempFile(env);
    writeAll(fd, Buffer.from('abcdefgh'));
    const list = fields(impl.constants.LIO_NOP).map((f) => entry(impl, fd, f));
    const result = impl.lio_listio(impl.constants.LIO_WAIT, list, list.length, null);
    assert.deepEqual([result, result === -1 ? impl.errno() : 0], [-1, errno], 'lio_listio and errno');
    assert.deepEqual(list.map((cb) => [impl.aio_error(cb), impl.aio_return(cb)]), outcomes, 'each entry');
  },
})));
