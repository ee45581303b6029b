/**
 * A lio_listio entry with an opcode glibc does not know (not LIO_READ/LIO_WRITE/LIO_NOP) and an
 * aio_reqprio outside 0..AIO_PRIO_DELTA_MAX is refused at submission, as any entry with a bad
 * aio_reqprio: glibc's lio_listio hands every non-NOP entry to __aio_enqueue_request, which checks
 * aio_reqprio first (EINVAL, nothing queued; the opcode is only looked at by the worker). So
 * LIO_NOWAIT answers -1/EINVAL, and a LIO_WAIT list of that entry alone queued nothing: -1/EINVAL,
 * not EIO. The shim ended an unknown opcode alone with EINVAL without looking at aio_reqprio, and
 * answered 0 (LIO_NOWAIT) and -1/EIO (LIO_WAIT) until session 27 (shim/lio_listio.ts now refuses
 * it as glibc). Each entry's aio_error/aio_return is EINVAL/-1 on both.
 *
 * Found by the POSIX-vs-glibc differential fuzz (test/fuzz/posix-vs-glibc.ts, seed 3351554405,
 * shrunk to one lio_listio); each sequence below runs in a glibc child and a syslet child.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { differences, newFigures, runPairs } from './fuzz/posix-vs-glibc.js';
import type { LioEntry, Sequence } from './fuzz/posix-vs-glibc-gen.js';

const unknownOpcode: LioEntry = { cb: 0, t: 'f0', off: 0, n: 10, bufLen: 10, prio: 21, notify: 'none', opc: 'bad' };
const write: LioEntry = { cb: 1, t: 'f1', off: 0, n: 11, bufLen: 11, prio: 0, notify: 'none', opc: 'write' };
const sequences: Sequence[] = [
  { seed: 1, sizes: [100, 100, 100], steps: [{ op: 'lio', mode: 'nowait', entries: [unknownOpcode, write], nent: 2, sig: 'null' }] },
  { seed: 1, sizes: [100, 100, 100], steps: [{ op: 'lio', mode: 'wait', entries: [unknownOpcode], nent: 1, sig: 'null' }] },
];

test('lio_listio refuses an entry of unknown opcode with aio_reqprio 21 at submission, as glibc does', { timeout: 120_000 }, async () => {
  const pairs = await runPairs(sequences, 60_000);
  const found = pairs.flatMap((pair, i) => differences(sequences[i] as Sequence, pair, newFigures()).map((d) => `sequence ${i}: ${d}`));
  assert.deepEqual(found, []);
});
