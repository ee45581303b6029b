/**
 * A FileHandle's close() issued while a large write is still being made (syslet-aio/fs hands a
 * write past a request's slot to node:fs's own write: fs/write-node.ts) must wait for it, as
 * Node's does: until the write has ended, the fd stays open, so no other open gets its number —
 * a write landing in a file opened meanwhile under the same number is data corruption — and
 * close() settles only after the write. Checked on both implementations: the write's promise
 * settles first, every open made while it is pending gets another number, the file holds every
 * byte and the other file none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

/** Large enough to be pending for many turns of the event loop (tens of milliseconds of copying). */
const LARGE = 64 << 20;

for (const { name, fs } of IMPLEMENTATIONS) {
  for (const vectored of [false, true]) {
    test(`${name}: close() during a pending ${vectored ? 'writev' : 'write'} of 64 MiB settles after it, and the fd is not reused until then`, async (t) => {
      const dir = scratch(t, 'fs-close-during-write');
      const file = join(dir, 'written');
      const other = join(dir, 'opened-meanwhile');
      const bytes = Buffer.alloc(LARGE, 0x61);
      const handle = await fs.open(file, 'w');
      const fd = handle.fd;
      const order: string[] = [];
      const half = LARGE / 2;
      const writing = (vectored ? handle.writev([bytes.subarray(0, half), bytes.subarray(half)], 0) : handle.write(bytes, 0, LARGE, 0))
        .then(({ bytesWritten }) => {
          order.push('write');
          return bytesWritten;
        });
      const closing = handle.close().then(() => order.push('close'));
      let writeSettled = false;
      void writing.finally(() => {
        writeSettled = true;
      });
      // Opens made while the write is pending, each closed at once (so that the lowest free
      // number — the handle's, were it closed — is the one the next open would get).
      let opensWhilePending = 0;
      while (!writeSettled) {
        const meanwhile = openSync(other, 'w');
        closeSync(meanwhile);
        assert.notEqual(meanwhile, fd, 'an open made while the write is pending got the handle\'s fd number');
        opensWhilePending++;
        await turn();
      }
      assert.ok(opensWhilePending > 0, 'the write was pending when close() was called');
      assert.equal(await writing, LARGE);
      await closing;
      assert.deepEqual(order, ['write', 'close']);
      assert.equal(statSync(other).size, 0, 'nothing was written into the file opened meanwhile');
      assert.ok(readFileSync(file).equals(bytes), 'the file holds every byte written');
    });
  }
}
