/**
 * On the io_uring engine a whole-file read starts as one linked batch (open, read, read: see
 * engine/uring-file-reads.ts) and goes on from a real fd when the batch cannot conclude. Every
 * kind of file must read as node:fs/promises's readFile reads it: sizes around the batch's 64 KiB
 * (the second read's one byte decides), empty files and directories (nothing read: the chain path
 * from the start), a missing file, a partly cached file (the first read short, the second EAGAIN),
 * a FIFO whose writer is still writing (bytes consumed, then the poll loop), and a procfs file
 * longer than a page. No fd is left open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Engine, readFileInto, readFileSyslet, syscall } from '../index.js';
import { NR } from '../engine/syscalls/nr.js';
import { fdsUnder, readFifoBeingWritten, ringReadEngine } from './helpers/ring-reads.js';

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


test('reads through the ring answer as node:fs/promises readFile for every kind of file', async (t) => {
  const set = ringReadEngine(t, 'ring-read');
  if (set === null) return;
  const { engine, dir } = set;
  const sizes = [0, 1, 4096, SLOT - 2, SLOT - 1, SLOT, SLOT + 1, 1 << 20];
  for (const size of sizes) writeFileSync(join(dir, `s${size}`), randomBytes(size));
  mkdirSync(join(dir, 'a-dir'));
  symlinkSync(`s4096`, join(dir, 'link'));
  const names = [...sizes.map((size) => `s${size}`), 'a-dir', 'link', 'missing'];
  for (const name of names) {
    const path = join(dir, name);
    const node = await outcome(readFile(path));
    const whole = await outcome(readFileSyslet(engine, path));
    assert.deepEqual(whole, node, `readFileSyslet(${name})`);
    // readFileInto: the file's first target.length bytes (a target of SLOT: the batch's own size).
    for (const length of [2, 100, SLOT, SLOT + 7]) {
      const target = Buffer.alloc(length);
      const into = await outcome(readFileInto(engine, path, target).then((n) => target.subarray(0, n)));
      const expected = node.bytes === undefined ? node : { bytes: node.bytes.subarray(0, length) };
      assert.deepEqual(into, expected, `readFileInto(${name}, ${length} bytes)`);
    }
  }
  // Devices: /dev/null reads nothing (the chain path), /dev/zero fills any target (its first
  // read may stop short at a page: the rest comes from the installed fd).
  assert.deepEqual(await readFileSyslet(engine, '/dev/null'), await readFile('/dev/null'));
  for (const length of [3, SLOT, 3 * SLOT + 5]) {
    const target = Buffer.alloc(length, 1);
    assert.equal(await readFileInto(engine, '/dev/zero', target), length, `/dev/zero into ${length} bytes`);
    assert.ok(target.every((byte) => byte === 0), `/dev/zero: ${length} zeros`);
  }
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
});

test('a file whose tail left the page cache reads whole (the batch reads what it can, the rest comes from the fd)', async (t) => {
  const set = ringReadEngine(t, 'ring-read-partial');
  if (set === null) return;
  const { engine, dir } = set;
  const path = join(dir, 'partly');
  const content = randomBytes(256 * 1024);
  writeFileSync(path, content);
  for (let round = 0; round < 5; round++) {
    const fd = openSync(path, 'r');
    fsyncSync(fd);
    // The first 8 KiB stay cached, the rest leaves the page cache.
    const dropped = syscall(NR.fadvise64, fd, 8192, 0, POSIX_FADV_DONTNEED);
    closeSync(fd);
    assert.equal(dropped, 0, 'fadvise(DONTNEED)');
    const got = await readFileSyslet(engine, path);
    assert.ok(got.equals(content), `round ${round}: the whole file`);
  }
});

test('a FIFO whose writer is still writing: bytes the batch read come first, the rest as Node reads them', async (t) => {
  const set = ringReadEngine(t, 'ring-read-fifo');
  if (set === null) return;
  const { engine, dir } = set;
  // The first piece is in the pipe before the read starts, so the batch's first read takes it and
  // its second finds nothing yet.
  const run = (read: (path: string) => Promise<Buffer>, name: string): Promise<string> => readFifoBeingWritten(dir, name, read, ['first,', 'second,', 'third']);
  const node = await run((path) => readFile(path), 'node-fifo');
  const syslet = await run((path) => readFileSyslet(engine, path), 'syslet-fifo');
  assert.equal(node, 'first,second,third');
  assert.equal(syslet, node);
});

test('a procfs file longer than a page (its first read is short, its second has a byte): read to its end', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  if (engine.fileReads === null) {
    t.skip('no ring file reads on this engine');
    return;
  }
  // This process's maps change between two reads; their shape does not.
  const node = (await readFile('/proc/self/maps')).toString();
  const syslet = (await readFileSyslet(engine, '/proc/self/maps')).toString();
  assert.ok(node.length > 4096, `node read ${node.length} bytes: the file is longer than a page here`);
  assert.ok(syslet.length > 4096, `${syslet.length} bytes: past the first page`);
  assert.ok(syslet.endsWith('\n'));
  const line = /^[0-9a-f]+-[0-9a-f]+ [-rwxps]{4} [0-9a-f]+ [0-9a-f]+:[0-9a-f]+ \d+\s*.*$/;
  for (const row of syslet.slice(0, -1).split('\n')) assert.match(row, line);
  assert.equal(syslet.split('\n')[0], node.split('\n')[0], 'the same first mapping');
});
