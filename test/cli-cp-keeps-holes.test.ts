// `syslet-aio cp` keeps a sparse file's holes (SEEK_DATA/SEEK_HOLE): a 2 GiB file with 68 KiB of
// data in two extents and a trailing hole comes out 2 GiB long, byte for byte the same where it
// has data and zeros elsewhere, with no more blocks allocated than GNU cp's copy (the oracle). It
// used to read and write all 2 GiB and come out fully allocated. The times of both are printed
// as diagnostics, not asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const GIB = 1024 ** 3;
const SIZE = 2 * GIB;
const EXTENTS = [{ at: 0, data: randomBytes(4096) }, { at: GIB, data: randomBytes(64 * 1024) }];

function readAt(path: string, at: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    assert.equal(readSync(fd, buffer, 0, length, at), length);
    return buffer;
  } finally {
    closeSync(fd);
  }
}

test('cp leaves the holes of a 2 GiB sparse file as holes and copies its data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cp-sparse-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const src = join(dir, 'sparse.bin');
  const fd = openSync(src, 'w');
  for (const { at, data } of EXTENTS) writeSync(fd, data, 0, data.length, at);
  closeSync(fd);
  execFileSync('truncate', ['-s', String(SIZE), src]);
  const gnu = join(dir, 'gnu.bin');
  const gnuStart = performance.now();
  execFileSync('cp', [src, gnu]);
  const gnuMs = performance.now() - gnuStart;

  const ours = join(dir, 'ours.bin');
  const run = await runCli(['cp', '--no-progress', '--json', src, ours]);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as { bytes: number; dataBytes: number; holeBytes: number; seconds: number; reads: number };
  const dataBytes = EXTENTS.reduce((sum, { data }) => sum + data.length, 0);
  assert.equal(summary.bytes, SIZE);
  assert.equal(summary.dataBytes, dataBytes, 'only the data extents were read and written');
  assert.equal(summary.holeBytes, SIZE - dataBytes);
  assert.equal(statSync(ours).size, SIZE, 'the trailing hole is there: the size is the source\'s');
  const allocated = statSync(ours).blocks * 512;
  assert.ok(allocated <= statSync(gnu).blocks * 512, `ours allocates ${allocated} bytes, GNU cp's ${statSync(gnu).blocks * 512}`);
  for (const { at, data } of EXTENTS) assert.deepEqual(readAt(ours, at, data.length), data, `data at ${at}`);
  for (const at of [8192, GIB - 4096, GIB + 128 * 1024, SIZE - 4096]) assert.deepEqual(readAt(ours, at, 4096), Buffer.alloc(4096), `hole at ${at}`);
  t.diagnostic(`GNU cp: ${gnuMs.toFixed(1)} ms for the whole process, ${statSync(gnu).blocks * 512} bytes allocated; ` +
    `syslet-aio cp: ${(summary.seconds * 1000).toFixed(1)} ms for the copy, ${allocated} bytes allocated, ${summary.reads} reads`);
});
