/**
 * syslet-aio/fs calls whose chains the engine's close cuts short, between an open and its close:
 * every call answers success or ESHUTDOWN (never another code), and no fd the chains opened is
 * left open. Before the fix (bug 37 in docs/reliability.md), on the io_uring engine each of stat,
 * lstat, access, readlink, truncate, readdir, copyFile and writeFile left 128 fds open (the
 * request window's chains, whose opens completed as the ring was cancelled), writeFile answered
 * success for chains cut before their write, and readFile answered `E?9223372036854776000` (the
 * NOT_EXECUTED sentinel of an fstat or open that did not run, read as an errno).
 *
 * The page cache, dentries and inodes are dropped first (root only), so that the opens miss the
 * dcache and go to the ring or a cachemiss thread, where the close finds them. In a child process
 * with a time limit, one per engine kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;
const FILES = 400;

const child = (engine: 'io_uring' | 'threads'): string => `
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '${ROOT}index.ts';
import { createFs } from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-cut-'));
for (let i = 0; i < ${FILES}; i++) {
  writeFileSync(join(dir, 'f' + i), 'x'.repeat(100));
  symlinkSync('f' + i, join(dir, 'l' + i));
  mkdirSync(join(dir, 'd' + i));
}
const openHere = () => readdirSync('/proc/self/fd').filter((fd) => {
  try { return readlinkSync('/proc/self/fd/' + fd).startsWith(dir); } catch { return false; }
}).length;
const calls = {
  stat: (fs, i) => fs.stat(join(dir, 'f' + i)),
  lstat: (fs, i) => fs.lstat(join(dir, 'l' + i)),
  access: (fs, i) => fs.access(join(dir, 'f' + i)),
  readlink: (fs, i) => fs.readlink(join(dir, 'l' + i)),
  readdir: (fs, i) => fs.readdir(join(dir, 'd' + i)),
  truncate: (fs, i) => fs.truncate(join(dir, 'f' + i), 100),
  copyFile: (fs, i) => fs.copyFile(join(dir, 'f' + i), join(dir, 'd' + i, 'copy')),
  writeFile: (fs, i) => fs.writeFile(join(dir, 'd' + i, 'written'), 'data'),
  readFile: (fs, i) => fs.readFile(join(dir, 'f' + i)),
};
const report = {};
for (const [name, call] of Object.entries(calls)) {
  writeFileSync('/proc/sys/vm/drop_caches', '3');
  const engine = new Engine({ engine: '${engine}' });
  const fs = createFs(engine);
  const answers = [];
  for (let i = 0; i < ${FILES}; i++) answers.push(call(fs, i).then(() => 'ok', (error) => error.code));
  // Let the first chains start, then close under them.
  await new Promise((resolve) => setImmediate(resolve));
  await engine.close();
  const codes = {};
  for (const code of await Promise.all(answers)) codes[code] = (codes[code] ?? 0) + 1;
  report[name] = { codes, open: openHere() };
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(report));
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`fs calls cut by the close of a ${engine} engine give back their fds and answer success or ESHUTDOWN`, async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('not root: the test drops the page cache and dentries (/proc/sys/vm/drop_caches) so that opens leave the calling thread');
      return;
    }
    const result = await runChild(child(engine), 120_000);
    assert.equal(result.timedOut, false, 'the child did not hang');
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, { codes: Record<string, number>; open: number }>;
    let shutdown = 0;
    for (const [name, { codes, open }] of Object.entries(report)) {
      assert.deepEqual(Object.keys(codes).filter((code) => code !== 'ok' && code !== 'ESHUTDOWN'), [], `${name}: every call answers success or ESHUTDOWN (${JSON.stringify(codes)})`);
      assert.equal(open, 0, `${name}: no fd of its chains is left open (${JSON.stringify(codes)})`);
      shutdown += codes.ESHUTDOWN ?? 0;
    }
    assert.equal(Object.keys(report).length, 9, 'every kind of call ran');
    assert.ok(shutdown > 0, 'the close found calls in flight');
  });
}
