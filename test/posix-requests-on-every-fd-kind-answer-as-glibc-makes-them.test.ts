/**
 * aio_read, aio_write and aio_fsync on every kind of fd (test/fuzz/fd-kinds-world.ts: files,
 * a memfd, pipes and sockets blocking or not, eventfds, a timerfd, an inotify and an epoll fd,
 * /dev/null, a directory, an O_PATH fd, a number no fd has) with 0, 8 and 100 bytes at offsets
 * 0, 100 and -1 end as glibc's helper thread makes them (sysdeps/pthread/aio_misc.c,
 * handle_fildes_io): pread64 (pwrite64), and read(2) (write(2)) when that answers ESPIPE;
 * fsync or fdatasync. The expected outcome is computed here by making those syscalls on a twin fd
 * of the same kind, so glibc checks the model and the shim is checked against it: the same
 * aio_error and aio_return (or the same errno at submission, which POSIX allows instead), and
 * the fds holding the same afterwards (file bytes, position, what a pipe's peer reads, an
 * eventfd's count).
 */
import assert from 'node:assert/strict';
import { differential } from './helpers/posix-differential.js';
import { EINPROGRESS } from './helpers/posix-c.js';
import { KINDS, closeSide, stateOf, type Side } from './fuzz/fd-kinds-world.js';
import { addressOf, syscallWord, ESPIPE } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import type { AioImpl } from './helpers/posix-impl.js';

const LENGTHS = [0, 8, 100];
const OFFSETS = [0, 100, -1];

/** The outcome of one request: its error and return (or the errno and -1 of a refused submission). */
type Outcome = readonly [error: number, returned: number];

/** What glibc's helper thread does for a read or write request, made directly. */
function glibcMakes(op: 'read' | 'write' | 'fsync' | 'fdatasync', fd: number, bytes: Buffer, length: number, offset: number): Outcome {
  let result: number;
  if (op === 'fsync' || op === 'fdatasync') result = Number(syscallWord(NR[op], fd));
  else {
    result = Number(syscallWord(op === 'read' ? NR.pread64 : NR.pwrite64, fd, addressOf(bytes), length, offset));
    if (result === -ESPIPE) result = Number(syscallWord(op === 'read' ? NR.read : NR.write, fd, addressOf(bytes), length));
  }
  return result < 0 ? [-result, -1] : [0, result];
}

/** The bytes a write sends: an eventfd adds their first 8 as a count (1 here, never an overflow). */
function content(impl: AioImpl | null, size: number): Buffer {
  const bytes = impl === null ? Buffer.alloc(size) : impl.buffer(size).fill(0);
  if (size > 0) bytes[0] = 1;
  for (let i = 8; i < size; i++) bytes[i] = i & 0xff;
  return bytes;
}

function request(impl: AioImpl, op: 'read' | 'write' | 'fsync' | 'fdatasync', side: Side, length: number, offset: number): { outcome: Outcome; bytes: Buffer } {
  const bytes = op === 'read' ? impl.buffer(Math.max(1, length)).fill(0xee) : content(impl, Math.max(1, length));
  const cb = impl.aiocb({ aio_fildes: side.fd, aio_buf: bytes, aio_nbytes: length, aio_offset: offset, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
  const O_SYNC = impl.constants.O_SYNC;
  const O_DSYNC = impl.constants.O_DSYNC;
  const submitted = op === 'read' ? impl.aio_read(cb) : op === 'write' ? impl.aio_write(cb) : impl.aio_fsync(op === 'fsync' ? O_SYNC : O_DSYNC, cb);
  if (submitted !== 0) return { outcome: [impl.errno(), -1], bytes };
  const deadline = performance.now() + 10_000;
  while (impl.aio_error(cb) === EINPROGRESS) {
    if (performance.now() > deadline) throw new Error(`${op} on fd ${side.fd} still in progress after 10 s`);
    impl.aio_suspend([cb], 1, { tv_sec: 0, tv_nsec: 50_000_000 });
  }
  return { outcome: [impl.aio_error(cb), impl.aio_return(cb)], bytes };
}

differential(import.meta.url, 'requests on every kind of fd end as glibc makes them: pread64 then read on ESPIPE, pwrite64 then write, fsync', (impl, env) => {
  let requests = 0;
  const differences: string[] = [];
  for (const kind of KINDS) {
    const plans: { op: 'read' | 'write' | 'fsync' | 'fdatasync'; length: number; offset: number }[] = [
      { op: 'fsync', length: 0, offset: 0 },
      { op: 'fdatasync', length: 0, offset: 0 },
    ];
    for (const op of ['read', 'write'] as const) for (const length of LENGTHS) for (const offset of OFFSETS) plans.push({ op, length, offset });
    for (const [index, { op, length, offset }] of plans.entries()) {
      const mine = kind.make(env.dir, `${index}-aio`);
      const theirs = kind.make(env.dir, `${index}-direct`);
      try {
        if (mine === null || theirs === null) continue;
        const label = `${kind.name}: ${op} of ${length} at ${offset}`;
        const expectedBytes = op === 'read' ? Buffer.alloc(Math.max(1, length), 0xee) : content(null, Math.max(1, length));
        const expected = glibcMakes(op, theirs.fd, expectedBytes, length, offset);
        const { outcome, bytes } = request(impl, op, mine, length, offset);
        requests++;
        if (outcome[0] !== expected[0] || outcome[1] !== expected[1]) differences.push(`${label}: [aio_error, aio_return] [${outcome.join(', ')}], glibc's syscalls [${expected.join(', ')}]`);
        else if (!Buffer.from(bytes).equals(expectedBytes)) differences.push(`${label}: the buffer differs`);
        const [held, heldThere] = [stateOf(kind, mine), stateOf(kind, theirs)];
        if (held !== heldThere) differences.push(`${label}: the fd holds ${held}, after glibc's syscalls ${heldThere}`);
      } finally {
        if (mine !== null) closeSide(mine);
        if (theirs !== null) closeSide(theirs);
      }
    }
  }
  env.note(`${requests} requests`);
  assert.deepEqual(differences, []);
  assert.ok(requests >= 15 * 20, `${requests} requests`);
});
