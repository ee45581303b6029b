/**
 * The inline probe of an open adds O_NONBLOCK, so that a FIFO's or a device's open cannot wait
 * on the JavaScript thread (engine/open-probe.ts); for a regular file it takes it off again. The
 * fd a chain gets must carry exactly the flags the caller's open gives (F_GETFL as Node's own
 * open of the same file with the same flags): an O_NONBLOCK left on a regular file changes what
 * io_uring does with it (EAGAIN instead of waiting) and what a procfs or FUSE file answers. The
 * path was just written, so its walk is in the dcache and the open is made inline. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, definePlugin, syscall, AT_FDCWD, SYSLET_STOP_ON_NEGATIVE } from '../index.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL } from '../engine/syscalls/constants.generated.js';
import { scratch } from './helpers/fs-implementations.js';

const openOnly = definePlugin({
  name: 'test.open-only',
  params: { path: 'path', flags: 'flags' },
  atoms: [{ id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, 0], flags: SYSLET_STOP_ON_NEGATIVE }],
});

const CASES: readonly [string, number][] = [
  ['O_RDONLY', constants.O_RDONLY],
  ['O_WRONLY|O_APPEND', constants.O_WRONLY | constants.O_APPEND],
  ['O_RDWR|O_NOATIME', constants.O_RDWR | constants.O_NOATIME],
  ['O_RDONLY|O_NONBLOCK', constants.O_RDONLY | constants.O_NONBLOCK],
];

for (const kind of ['io_uring', 'threads'] as const) {
  test(`a chain's inline openat of a regular file gives an fd with exactly the caller's flags (${kind} engine)`, async (t) => {
    const dir = scratch(t, 'plugin-open-flags');
    const file = join(dir, 'file');
    writeFileSync(file, 'some bytes');
    const engine = new Engine({ engine: kind });
    t.after(() => engine.close());
    for (const [name, flags] of CASES) {
      const { byId } = await openOnly.run(engine, { path: file, flags });
      const fd = Number(byId.open.result);
      assert.ok(fd >= 0, `${name}: the open answered ${fd}`);
      const theirs = openSync(file, flags);
      try {
        const got = syscall(NR.fcntl, fd, F_GETFL);
        assert.equal((got & constants.O_NONBLOCK) !== 0, (flags & constants.O_NONBLOCK) !== 0, `${name}: O_NONBLOCK only when the caller asked for it`);
        assert.equal(got, syscall(NR.fcntl, theirs, F_GETFL), `${name}: F_GETFL as Node's open of the same file`);
      } finally {
        closeSync(fd);
        closeSync(theirs);
      }
    }
  });
}
