/**
 * A submission the engine has no room for answers -1/EAGAIN ("the request could not be queued due
 * to exceeding resource limitations", POSIX aio_read), it never throws. Each request runs a plugin
 * instance carved from a slab of 32 in engine memory, one region per slab; with the engine's
 * region table full (4,096 regions: slabs, registered buffers, the program's own), the slab a
 * new aiocb needed could not be made and aio_read, aio_write, aio_fsync and lio_listio threw the
 * RangeError "too many memory regions" at a C-style caller, and aio.read threw synchronously
 * (session 11 sweep: 50,000 aio_reads of distinct buffers at once, each aiocb kept alive).
 *
 * Deterministic: the table is filled by allocating until the engine refuses, not by timing; the
 * one buffer every request uses is registered before, so only the slab is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import {
  Aiocb, aio, aio_error, aio_fsync, aio_read, aio_return, aio_suspend, aio_write, aioEngine, errno, lio_listio, AioError, EAGAIN, EINPROGRESS, EIO,
  LIO_READ, LIO_WAIT, LIO_NOWAIT, O_SYNC, SIGEV_NONE,
} from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';
import { fillRegionTable } from './helpers/region-table.js';

/** More fresh aiocbs than one slab holds, so at least one needs a new slab whatever the pool had free. */
const FRESH = 80;

/** Run `submit` on fresh aiocbs (never submitted); the outcomes by kind ("0", or the errno), and any throw. */
function submitFresh(cbs: Aiocb[], submit: (cb: Aiocb) => number): { cbs: Aiocb[]; outcomes: Map<string, number> } {
  const outcomes = new Map<string, number>();
  for (const cb of cbs) {
    let outcome: string;
    try {
      const result = submit(cb);
      outcome = result === 0 ? '0' : result === -1 ? `-1 errno ${errno()}` : `returned ${result}`;
    } catch (error) {
      outcome = `threw ${String(error)}`;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return { cbs, outcomes };
}

/** Wait until every accepted request is final. */
function drain(cbs: readonly Aiocb[]): void {
  for (const cb of cbs) while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
}

test('aio_read, aio_write, aio_fsync, lio_listio and aio.read answer EAGAIN when the region table is full, and work again once it is not', async () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'data', pattern(4096));
  const buffer = Buffer.alloc(64);
  const make = (): Aiocb => new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_nbytes: 64, aio_offset: 0, aio_lio_opcode: LIO_READ, aio_sigevent: { sigev_notify: SIGEV_NONE } });
  // The buffer is registered (and stays registered while idle) before the table fills.
  const first = make();
  assert.equal(aio_read(first), 0);
  drain([first]);
  assert.equal(aio_return(first), 64);
  const kept: Aiocb[] = [first];
  // The aiocbs themselves live in engine memory too (new Aiocb throws a SyscallError ENOMEM when
  // there is no room, as a constructor must): made before the table fills, never submitted yet.
  const fresh = (): Aiocb[] => Array.from({ length: FRESH }, make);
  const [forReads, forWrites, forSyncs, forWait, forNowait] = [fresh(), fresh(), fresh(), fresh(), fresh()] as [Aiocb[], Aiocb[], Aiocb[], Aiocb[], Aiocb[]];
  const regions = fillRegionTable(aioEngine());
  try {
    // Refused at submission (-1/EAGAIN), or, for a request that first queues (aio_fsync is
    // serial), accepted and ended with the status EAGAIN, as glibc ends one it cannot start.
    const judge = (run: { cbs: Aiocb[]; outcomes: Map<string, number> }, what: string): void => {
      const kinds = [...run.outcomes.keys()];
      assert.deepEqual(kinds.filter((kind) => kind !== '0' && kind !== `-1 errno ${EAGAIN}`), [], `${what}: ${JSON.stringify([...run.outcomes])}`);
      drain(run.cbs);
      const statuses = run.cbs.map((cb) => aio_error(cb));
      assert.deepEqual(statuses.filter((status) => status !== 0 && status !== EAGAIN), [], `${what}: final statuses`);
      assert.ok(statuses.includes(EAGAIN), `${what}: no request was refused with EAGAIN although no slab could be made: ${JSON.stringify([...run.outcomes])}`);
    };
    const reads = submitFresh(forReads, aio_read);
    judge(reads, 'aio_read');
    const writes = submitFresh(forWrites, aio_write);
    judge(writes, 'aio_write');
    const syncs = submitFresh(forSyncs, (cb) => aio_fsync(O_SYNC, cb));
    judge(syncs, 'aio_fsync');
    kept.push(...reads.cbs, ...writes.cbs, ...syncs.cbs);

    for (const [mode, list] of [[LIO_WAIT, forWait], [LIO_NOWAIT, forNowait]] as const) {
      kept.push(...list);
      let result: number | string;
      try {
        result = lio_listio(mode, list, list.length, null);
      } catch (error) {
        result = `threw ${String(error)}`;
      }
      const listErrno = result === -1 ? errno() : 0;
      drain(list);
      for (const cb of list) assert.ok([0, EAGAIN].includes(aio_error(cb)), `a list entry ended with ${aio_error(cb)}`);
      // LIO_WAIT with an entry refused is -1/EIO once some entry was queued (the list ran, one
      // entry failed), -1/EAGAIN as glibc when none was; LIO_NOWAIT -1/EAGAIN.
      const someQueued = list.some((cb) => aio_error(cb) === 0);
      assert.deepEqual([result, listErrno], [-1, mode === LIO_WAIT && someQueued ? EIO : EAGAIN], `lio_listio(${mode === LIO_WAIT ? 'LIO_WAIT' : 'LIO_NOWAIT'})`);
    }

    // The Promise twin never throws: it settles (its pooled aiocbs may already hold an instance).
    let twin: Promise<number> | null = null;
    assert.doesNotThrow(() => {
      twin = aio.read(fd, Buffer.alloc(16), 0);
    }, 'aio.read threw synchronously');
    try {
      assert.equal(await (twin as unknown as Promise<number>), 16);
    } catch (error) {
      assert.ok(error instanceof AioError && error.code === 'EAGAIN', `aio.read rejected with ${String(error)}`);
    }
  } finally {
    for (const region of regions) aioEngine().free(region);
  }
  // With room again, an aiocb refused before is accepted and reads the file.
  const again = kept[kept.length - 1] as Aiocb;
  assert.equal(aio_read(again), 0, `aio_read after the table emptied: errno ${errno()}`);
  drain([again]);
  assert.deepEqual([aio_error(again), aio_return(again)], [0, 64]);
  assert.deepEqual(buffer, pattern(4096).subarray(0, 64));
  closeSync(fd);
  dir.cleanup();
});
