// Every call the io_uring engine makes does what its syscall does. Each case runs one atom twice
// on an engine with engine: 'io_uring': with SYSLET_ASYNC (no inline attempt: the call becomes an
// io_uring request, its indirect arguments copied and checked, the chain resumed on completion)
// and with SYSLET_SYNC (the syscall, made inline). Results, bytes moved and side effects must be
// the same. No cachemiss thread is started for any of them; the calls whose argument values mean
// something else to the opcode (a negative pread64 offset, preadv2 at the file position of a
// regular file, a sleep with an invalid timespec) go to a thread and give the syscall's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainBuilder, ArgInput, Bytes } from '../engine/builder.js';
import { closeAll, patternBytes, socketPair, tempDir } from './helpers/engine.js';
import { one, ringEngine } from './helpers/ring-calls.js';

const AT_FDCWD = -100;
const O_RDONLY = 0;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_CLOEXEC = 0o2000000;
const EINVAL = -22;
const ENOENT = -2;

/** An iovec array over `buffers`, in the chain's data area. */
function iovecs(chain: ChainBuilder, buffers: readonly Bytes[]): Bytes {
  const array = chain.buffer(buffers.length * 16);
  const view = new DataView(array.bytes.buffer, array.bytes.byteOffset, array.length);
  buffers.forEach((buffer, i) => {
    view.setBigUint64(i * 16, BigInt(buffer.at), true);
    view.setBigUint64(i * 16 + 8, BigInt(buffer.length), true);
  });
  return array;
}

function timespec(chain: ChainBuilder, seconds: number, nanoseconds: number): Bytes {
  const ts = chain.buffer(16);
  const view = new DataView(ts.bytes.buffer, ts.bytes.byteOffset, 16);
  view.setBigInt64(0, BigInt(seconds), true);
  view.setBigInt64(8, BigInt(nanoseconds), true);
  return ts;
}

test('file calls through the ring: pread64, pwrite64, preadv, pwritev, openat, openat2, statx, fsync, fdatasync, ftruncate, fallocate, sync_file_range', { timeout: 60_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  const dir = tempDir(t);
  const content = patternBytes(16384, 3);
  const source = join(dir, 'source');
  writeFileSync(source, content);
  const fd = openSync(source, 'r');
  t.after(() => closeSync(fd));
  const results: Record<string, unknown>[] = [];
  for (const mode of ['ring', 'syscall'] as const) {
    const got: Record<string, unknown> = {};
    // pread64 and preadv read the same bytes.
    let read: Bytes[] = [];
    got.pread64 = await one(engine, mode, 'pread64', (chain) => [fd, (read = [chain.buffer(4096)])[0] as Bytes, 4096, 4096], () => {
      assert.deepEqual(read[0]?.bytes, content.subarray(4096, 8192), `${mode} pread64 bytes`);
    });
    got.preadv = await one(engine, mode, 'preadv', (chain) => [fd, iovecs(chain, (read = [chain.buffer(100), chain.buffer(0), chain.buffer(3000)])), 3, 1000, 0], () => {
      assert.deepEqual(read[0]?.bytes, content.subarray(1000, 1100), `${mode} preadv first part`);
      assert.deepEqual(read[2]?.bytes, content.subarray(1100, 4100), `${mode} preadv last part`);
    });
    // Writes land where the syscall puts them.
    const target = join(dir, `target-${mode}`);
    writeFileSync(target, Buffer.alloc(8192));
    const out = openSync(target, 'r+');
    got.pwrite64 = await one(engine, mode, 'pwrite64', (chain) => [out, chain.buffer(content.subarray(0, 512)), 512, 100]);
    got.pwritev = await one(engine, mode, 'pwritev', (chain) => [out, iovecs(chain, [chain.buffer(content.subarray(0, 10)), chain.buffer(content.subarray(10, 30))]), 2, 5000, 0]);
    got.fsync = await one(engine, mode, 'fsync', () => [out]);
    got.fdatasync = await one(engine, mode, 'fdatasync', () => [out]);
    got.sync_file_range = await one(engine, mode, 'sync_file_range', () => [out, 0, 4096, 2 /* SYNC_FILE_RANGE_WRITE */]);
    got.written = Buffer.from(readFileSync(target)).toString('hex');
    got.ftruncate = await one(engine, mode, 'ftruncate', () => [out, 6000]);
    got.sizeAfterTruncate = statSync(target).size;
    got.fallocate = await one(engine, mode, 'fallocate', () => [out, 0, 0, 10000]);
    got.sizeAfterFallocate = statSync(target).size;
    closeSync(out);
    // openat and openat2 open, and fail, as the syscalls do.
    const opened = await one(engine, mode, 'openat', (chain) => [AT_FDCWD, chain.cstring(source), O_RDONLY | O_CLOEXEC, 0]);
    assert.ok(opened >= 0, `${mode} openat gave ${opened}`);
    closeSync(opened);
    got.openatMissing = await one(engine, mode, 'openat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'missing')), O_RDONLY, 0]);
    const created = await one(engine, mode, 'openat', (chain) => [AT_FDCWD, chain.cstring(join(dir, `created-${mode}`)), O_RDWR | O_CREAT | O_CLOEXEC, 0o640]);
    assert.ok(created >= 0);
    closeSync(created);
    got.createdMode = statSync(join(dir, `created-${mode}`)).mode & 0o777;
    const how = (chain: ChainBuilder, size: number): ArgInput[] => {
      const open = chain.buffer(24);
      new DataView(open.bytes.buffer, open.bytes.byteOffset, 24).setBigUint64(0, BigInt(O_RDONLY | O_CLOEXEC), true);
      return [AT_FDCWD, chain.cstring(source), open, size];
    };
    const opened2 = await one(engine, mode, 'openat2', (chain) => how(chain, 24));
    assert.ok(opened2 >= 0, `${mode} openat2 gave ${opened2}`);
    closeSync(opened2);
    got.openat2Short = await one(engine, mode, 'openat2', (chain) => how(chain, 8));
    // statx fills the same struct statx.
    let statx: Bytes[] = [];
    got.statx = await one(engine, mode, 'statx', (chain) => [AT_FDCWD, chain.cstring(source), 0, 0x7ff, (statx = [chain.buffer(256)])[0] as Bytes], () => {
      const stx = statx[0] as Bytes;
      got.stx_size = new DataView(stx.bytes.buffer, stx.bytes.byteOffset, 256).getBigUint64(40, true);
    });
    results.push(got);
  }
  const [ring, syscall] = results as [Record<string, unknown>, Record<string, unknown>];
  assert.deepEqual(ring, syscall);
  assert.equal(ring.pread64, 4096);
  assert.equal(ring.openatMissing, ENOENT);
  assert.equal(ring.openat2Short, EINVAL);
  assert.equal(engine.threads, 0, 'every one of these calls was made by the ring');
});

test('directory calls through the ring: mkdirat, renameat, renameat2, unlinkat', { timeout: 30_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  for (const mode of ['ring', 'syscall'] as const) {
    const dir = join(tempDir(t), mode);
    mkdirSync(dir);
    assert.equal(await one(engine, mode, 'mkdirat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'd')), 0o750]), 0);
    assert.equal(statSync(join(dir, 'd')).mode & 0o777, 0o750 & ~process.umask());
    assert.equal(await one(engine, mode, 'mkdirat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'd')), 0o750]), -17, 'EEXIST');
    writeFileSync(join(dir, 'a'), 'x');
    assert.equal(await one(engine, mode, 'renameat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'a')), AT_FDCWD, chain.cstring(join(dir, 'b'))]), 0);
    assert.ok(existsSync(join(dir, 'b')) && !existsSync(join(dir, 'a')));
    writeFileSync(join(dir, 'c'), 'y');
    assert.equal(await one(engine, mode, 'renameat2', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'b')), AT_FDCWD, chain.cstring(join(dir, 'c')), 1 /* RENAME_NOREPLACE */]), -17);
    assert.equal(await one(engine, mode, 'unlinkat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'b')), 0]), 0);
    assert.equal(await one(engine, mode, 'unlinkat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'd')), 0x200 /* AT_REMOVEDIR */]), 0);
    assert.equal(await one(engine, mode, 'unlinkat', (chain) => [AT_FDCWD, chain.cstring(join(dir, 'nothing')), 0]), ENOENT);
  }
  assert.equal(engine.threads, 0);
});

test('stream calls through the ring: read, write, readv, writev, sendto, recvfrom, sendmsg, recvmsg, accept4, connect', { timeout: 30_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  for (const mode of ['ring', 'syscall'] as const) {
    const [a, b] = socketPair(engine);
    t.after(() => closeAll(a, b));
    const message = patternBytes(64, 5);
    assert.equal(await one(engine, mode, 'write', (chain) => [a, chain.buffer(message), 64]), 64);
    let got: Bytes[] = [];
    const received = (expected: Uint8Array) => (): void => assert.deepEqual(Buffer.concat(got.map((part) => part.bytes)), Buffer.from(expected), `${mode} bytes`);
    assert.equal(await one(engine, mode, 'read', (chain) => [b, (got = [chain.buffer(64)])[0] as Bytes, 64], received(message)), 64);
    assert.equal(await one(engine, mode, 'writev', (chain) => [a, iovecs(chain, [chain.buffer(message.subarray(0, 10)), chain.buffer(message.subarray(10, 64))]), 2]), 64);
    assert.equal(await one(engine, mode, 'readv', (chain) => [b, iovecs(chain, (got = [chain.buffer(30), chain.buffer(34)])), 2], received(message)), 64);
    assert.equal(await one(engine, mode, 'sendto', (chain) => [a, chain.buffer(message), 64, 0, null, 0]), 64);
    assert.equal(await one(engine, mode, 'recvfrom', (chain) => [b, (got = [chain.buffer(64)])[0] as Bytes, 64, 0, null, null], received(message)), 64);
    // sendmsg/recvmsg: the kernel writes msg_flags (and namelen, controllen) back into the msghdr.
    const msghdr = (chain: ChainBuilder, buffer: Bytes): Bytes => {
      const header = chain.buffer(56);
      const view = new DataView(header.bytes.buffer, header.bytes.byteOffset, 56);
      view.setBigUint64(16, BigInt(iovecs(chain, [buffer]).at), true);
      view.setBigUint64(24, 1n, true);
      view.setInt32(48, 0x7777, true); // garbage the kernel must overwrite
      return header;
    };
    assert.equal(await one(engine, mode, 'sendmsg', (chain) => [a, msghdr(chain, chain.buffer(message)), 0]), 64);
    let header: Bytes[] = [];
    assert.equal(await one(engine, mode, 'recvmsg', (chain) => [b, (header = [msghdr(chain, (got = [chain.buffer(32)])[0] as Bytes)])[0] as Bytes, 0], () => {
      received(message.subarray(0, 32))();
      const h = header[0] as Bytes;
      assert.equal(new DataView(h.bytes.buffer, h.bytes.byteOffset, 56).getInt32(48, true), 0, `${mode}: msg_flags written back`);
    }), 32);
    readSync(b, Buffer.alloc(32));
    // accept4 and connect on a listening Unix socket; accept4 writes *addrlen back.
    const path = join(tempDir(t), 'listen.sock');
    const listener = await one(engine, 'syscall', 'socket', () => [1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | O_CLOEXEC, 0]);
    const address = (chain: ChainBuilder): Bytes => {
      const sun = chain.buffer(110);
      const view = new DataView(sun.bytes.buffer, sun.bytes.byteOffset, 110);
      view.setUint16(0, 1, true);
      sun.bytes.set(Buffer.from(path), 2);
      return sun;
    };
    assert.equal(await one(engine, 'syscall', 'bind', (chain) => [listener, address(chain), 110]), 0);
    assert.equal(await one(engine, 'syscall', 'listen', () => [listener, 4]), 0);
    const client = await one(engine, 'syscall', 'socket', () => [1, 1 | O_CLOEXEC, 0]);
    assert.equal(await one(engine, mode, 'connect', (chain) => [client, address(chain), 110]), 0);
    let length: Bytes[] = [];
    const accepted = await one(engine, mode, 'accept4', (chain) => {
      const cell = chain.buffer(4);
      length = [cell];
      new DataView(cell.bytes.buffer, cell.bytes.byteOffset, 4).setUint32(0, 110, true);
      return [listener, chain.buffer(110), cell, O_CLOEXEC];
    }, () => {
      const cell = length[0] as Bytes;
      assert.equal(new DataView(cell.bytes.buffer, cell.bytes.byteOffset, 4).getUint32(0, true), 2, `${mode}: *addrlen written back (an unnamed peer: the family only)`);
    });
    assert.ok(accepted >= 0, `${mode} accept4 gave ${accepted}`);
    closeAll(accepted, client, listener);
  }
  assert.equal(engine.threads, 0);
});

test('sleeps through the ring: nanosleep and clock_nanosleep end as the syscalls do', { timeout: 30_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  for (const mode of ['ring', 'syscall'] as const) {
    const started = performance.now();
    assert.equal(await one(engine, mode, 'nanosleep', (chain) => [timespec(chain, 0, 5_000_000), null]), 0);
    assert.ok(performance.now() - started >= 4.5, `${mode} slept`);
    assert.equal(await one(engine, mode, 'clock_nanosleep', (chain) => [1 /* CLOCK_MONOTONIC */, 0, timespec(chain, 0, 1_000_000), null]), 0);
  }
  assert.equal(engine.threads, 0);
  // An invalid timespec is refused by the syscall (EINVAL): the ring leaves it to a thread.
  for (const mode of ['ring', 'syscall'] as const) {
    assert.equal(await one(engine, mode, 'nanosleep', (chain) => [timespec(chain, 0, 1_000_000_000), null]), EINVAL);
  }
});

test('what the opcode would do differently goes to a thread and gives the syscall\'s answer', { timeout: 30_000 }, async (t) => {
  const engine = ringEngine(t);
  if (engine === null) return;
  const dir = tempDir(t);
  const file = join(dir, 'f');
  const content = patternBytes(8192, 1);
  writeFileSync(file, content);
  for (const mode of ['ring', 'syscall'] as const) {
    const fd = openSync(file, 'r');
    assert.equal(await one(engine, mode, 'pread64', (chain) => [fd, chain.buffer(16), 16, -1]), EINVAL, `${mode} pread64 at -1`);
    // preadv2 at -1 reads at the file position, which io_uring does not serialise: a thread does it.
    let got: Bytes[] = [];
    assert.equal(await one(engine, mode, 'preadv2', (chain) => [fd, iovecs(chain, (got = [chain.buffer(100)])), 1, -1, 0, 0], () => assert.deepEqual(got[0]?.bytes, content.subarray(0, 100))), 100);
    assert.equal(await one(engine, mode, 'preadv2', (chain) => [fd, iovecs(chain, (got = [chain.buffer(100)])), 1, -1, 0, 0], () => assert.deepEqual(got[0]?.bytes, content.subarray(100, 200), `${mode}: the position advanced`)), 100);
    closeSync(fd);
  }
  // A pipe read at an explicit offset fails with ESPIPE, where io_uring would ignore the offset.
  const [r, w] = socketPair(engine);
  t.after(() => closeAll(r, w));
  writeSync(w, 'data');
  for (const mode of ['ring', 'syscall'] as const) assert.equal(await one(engine, mode, 'pread64', (chain) => [r, chain.buffer(4), 4, 0]), -29, `${mode} ESPIPE`);
});
