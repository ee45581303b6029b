/**
 * The fd a FileHandle holds has the status flags Node's has: no O_NONBLOCK, whatever the kind of
 * file. The syslet open is tried inline with O_NONBLOCK added (so that a FIFO's open cannot wait
 * on the event loop) and cleared it only for FIFOs and devices, on the belief that O_NONBLOCK
 * changes nothing for regular files. It does: a procfs/tracefs/FUSE regular file may honour it
 * (/proc/kmsg answered `read` EAGAIN where Node's read waits for a message), and the flag is
 * visible to whoever gets `handle.fd` (fcntl F_GETFL, a child given it as stdin). Measured
 * before the fix (hunt17): flags 02104000 for a regular file, 02100000 on Node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

/** The fd's status flags, as /proc/self/fdinfo gives them (octal text). */
function fdFlags(fd: number): string {
  const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').find((l) => l.startsWith('flags:'));
  assert.ok(line !== undefined, 'fdinfo has a flags line');
  return line.slice('flags:'.length).trim();
}

test('a FileHandle of a regular file, a directory and a device is opened without O_NONBLOCK, as by Node', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  const sub = join(dir, 'd');
  mkdirSync(sub);
  const reset = () => writeFileSync(file, 'abc');
  const cases: [string, string][] = [
    [file, 'r'], [file, 'r+'], [file, 'a'], [file, 'a+'], [file, 'rs+'], [sub, 'r'], ['/dev/null', 'r'], ['/proc/self/status', 'r'],
  ];
  for (const [path, flags] of cases) {
    await sameOnBoth(async (fs) => {
      const handle = await fs.open(path, flags);
      try {
        return fdFlags(handle.fd);
      } finally {
        await handle.close();
      }
    }, reset, `${path} ${flags}`);
  }
});

test('a FileHandle opened with O_NONBLOCK asked for keeps it, as on Node', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'abc');
  const { constants } = await import('node:fs');
  const outcome = await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      return fdFlags(handle.fd);
    } finally {
      await handle.close();
    }
  });
  assert.ok(outcome.ok, 'Node opens it');
  assert.notEqual(Number.parseInt(String(outcome.value), 8) & constants.O_NONBLOCK, 0, 'and keeps the O_NONBLOCK asked for');
});
