/**
 * On the threads engine (no ring) a whole-file read makes file.readFirst's calls straight from
 * JavaScript (plugins/reader.ts, readFirstDirect: openat2 RESOLVE_CACHED, fstat, preadv2
 * RWF_NOWAIT, close) and goes on with the chains from the open fd, or from the start, wherever the
 * chain would not have ended inline. Every kind of file must still read as node:fs/promises's
 * readFile reads it — sizes around the slot's 64 KiB, empty files, directories, a symlink, a
 * missing file, devices, procfs, a file partly or wholly out of the page cache, a FIFO being
 * written — with no fd left open, and a call the engine's policy denies is never made.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Engine, readFileInto, readFileSyslet, syscall } from '../index.js';
import type { TraceRecord } from '../index.js';
import { NR } from '../engine/syscalls/nr.js';
import { fdsUnder, readFifoBeingWritten } from './helpers/ring-reads.js';
import { tempDir } from './plugin-fixture.js';

const SLOT = 64 * 1024;
const POSIX_FADV_DONTNEED = 4;

async function outcome(promise: Promise<Buffer>): Promise<{ bytes?: Buffer; code?: string; syscall?: string }> {
  try {
    return { bytes: await promise };
  } catch (error) {
    const { code, syscall: call } = error as { code?: string; syscall?: string };
    return { code, syscall: call };
  }
}

/** Drop `path`'s pages from `from` on out of the page cache (after writing them back). */
function uncache(path: string, from: number): void {
  const fd = openSync(path, 'r');
  fsyncSync(fd);
  const dropped = syscall(NR.fadvise64, fd, from, 0, POSIX_FADV_DONTNEED);
  closeSync(fd);
  assert.equal(dropped, 0, 'fadvise(DONTNEED)');
}

function threadsEngine(t: { after: (fn: () => unknown) => void }, prefix: string, options: ConstructorParameters<typeof Engine>[0] = {}): { engine: Engine; dir: string } {
  const engine = new Engine({ ...options, engine: 'threads' });
  const { dir, cleanup } = tempDir(prefix);
  t.after(async () => {
    await engine.close();
    cleanup();
  });
  return { engine, dir };
}

test('whole-file reads on the threads engine answer as node:fs/promises readFile for every kind of file', async (t) => {
  const { engine, dir } = threadsEngine(t, 'direct-read');
  assert.equal(engine.asyncEngine.kind, 'threads');
  const sizes = [0, 1, 4096, SLOT - 1, SLOT, SLOT + 1, 1 << 20];
  for (const size of sizes) writeFileSync(join(dir, `s${size}`), randomBytes(size));
  mkdirSync(join(dir, 'a-dir'));
  symlinkSync('s4096', join(dir, 'link'));
  const names = [...sizes.map((size) => `s${size}`), 'a-dir', 'link', 'missing', 'a-dir/../s1', 's1/not-a-dir'];
  for (const name of names) {
    const path = join(dir, name);
    const node = await outcome(readFile(path));
    const whole = await outcome(readFileSyslet(engine, path));
    assert.deepEqual(whole, node, `readFileSyslet(${name})`);
    for (const length of [2, 100, SLOT, SLOT + 7]) {
      const target = Buffer.alloc(length);
      const into = await outcome(readFileInto(engine, path, target).then((n) => target.subarray(0, n)));
      const expected = node.bytes === undefined ? node : { bytes: node.bytes.subarray(0, length) };
      assert.deepEqual(into, expected, `readFileInto(${name}, ${length} bytes)`);
    }
  }
  // A limit below the file's size: EFBIG as Node's (readFileSyslet's maxBytes).
  await assert.rejects(readFileSyslet(engine, join(dir, 's4096'), 4095), { code: 'EFBIG' });
  assert.deepEqual(await readFileSyslet(engine, '/dev/null'), await readFile('/dev/null'));
  for (const length of [3, SLOT, 3 * SLOT + 5]) {
    const target = Buffer.alloc(length, 1);
    assert.equal(await readFileInto(engine, '/dev/zero', target), length, `/dev/zero into ${length} bytes`);
    assert.ok(target.every((byte) => byte === 0), `/dev/zero: ${length} zeros`);
  }
  // procfs: st_size 0, read until a read returns 0.
  const status = (await readFileSyslet(engine, '/proc/self/status')).toString();
  assert.match(status, /^Name:\t/);
  assert.ok(status.endsWith('\n'));
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
});

test('a file wholly or partly out of the page cache reads whole (the read that would block goes to a cachemiss thread)', async (t) => {
  const { engine, dir } = threadsEngine(t, 'direct-read-uncached');
  const content = randomBytes(256 * 1024);
  const small = randomBytes(3000);
  const path = join(dir, 'partly');
  const smallPath = join(dir, 'small');
  writeFileSync(path, content);
  writeFileSync(smallPath, small);
  for (let round = 0; round < 4; round++) {
    uncache(path, round % 2 === 0 ? 8192 : 0);
    assert.ok((await readFileSyslet(engine, path)).equals(content), `round ${round}: the whole file`);
    uncache(smallPath, 0);
    const target = Buffer.alloc(SLOT);
    assert.equal(await readFileInto(engine, smallPath, target), small.length, `round ${round}: an uncached small file`);
    assert.ok(target.subarray(0, small.length).equals(small));
  }
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
});

test('a FIFO being written reads as Node reads it, off the event loop', async (t) => {
  const { engine, dir } = threadsEngine(t, 'direct-read-fifo');
  const run = (read: (path: string) => Promise<Buffer>, name: string): Promise<string> => readFifoBeingWritten(dir, name, read, ['first,', 'second']);
  const node = await run((path) => readFile(path), 'node-fifo');
  const syslet = await run((path) => readFileSyslet(engine, path), 'syslet-fifo');
  assert.equal(node, 'first,second');
  assert.equal(syslet, node);
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
});

test('a call the engine\'s policy denies is not made: the chain meets the denial and reports it', async (t) => {
  const denied: string[] = [];
  const onDeny = (record: TraceRecord): void => {
    denied.push(record.name);
  };
  // Everything file.readFirst and its closing chain call, but fstat.
  const { engine, dir } = threadsEngine(t, 'direct-read-policy', { allow: ['openat', 'read_size', 'pread64', 'lseek', 'read', 'close'], onDeny });
  const path = join(dir, 'f');
  writeFileSync(path, 'bytes');
  await assert.rejects(readFileSyslet(engine, path), { code: 'EPERM', syscall: 'fstat' });
  assert.ok(denied.includes('fstat'), `the chain's fstat was denied and reported (${denied.join(', ')})`);
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
});
