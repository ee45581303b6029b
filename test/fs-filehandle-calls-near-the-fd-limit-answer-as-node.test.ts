/**
 * Near the process's fd limit — two fds free, too few for a cachemiss thread to start (it needs
 * five), and no thread alive — a syslet-aio/fs FileHandle's calls answer as a node:fs/promises
 * FileHandle's do, and leave the same file. Node's pool threads exist already and its calls on
 * an open fd take no new fd, so each succeeds; a handle call whose chain needs a thread none can
 * start is made by node:fs on the fd instead (fs/core.ts atTheFdLimit). Before, on the threads
 * engine, `write` answered EMFILE (`write`) and `sync` EMFILE (`fsync`) where Node's succeeded.
 *
 * Runs in a child whose RLIMIT_NOFILE is lowered (`ulimit -n`): it opens one handle of each kind
 * on twin files, fills its fd table, ends the engine's cachemiss threads (taking back the fds
 * they give back), frees two fds and makes the same calls on both handles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { STILL_LOADER_ENV } from './helpers/child.js';
import { END_THREADS_AND_TAKE_THEIR_FDS } from './helpers/fd-limit-child.js';

const FS_MODULE = fileURLToPath(new URL('../fs.ts', import.meta.url));

const CHILD = `
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const root = process.env.DIR;
const sides = [{ name: 'node', fs: nodeFs, path: root + '/node' }, { name: 'syslet', fs: sysletFs, path: root + '/syslet' }];
for (const side of sides) side.handle = await side.fs.open(side.path, 'w+');
const fds = [];
let full = null;
const fill = () => { try { for (;;) fds.push(openSync(root, 'r')); } catch (error) { full = error.code; } };
fill();
// The engine's cachemiss threads end, and the fds they give back are taken, until none is left.
${END_THREADS_AND_TAKE_THEIR_FDS}
const threads = sysletFs.sharedEngine().threads;
for (let i = 0; i < 2; i++) closeSync(fds.pop());
const calls = [
  ['write', (h) => h.write(Buffer.from('first line\\n')), (r) => r.bytesWritten],
  ['write a string', (h) => h.write('second line\\n'), (r) => r.bytesWritten],
  ['write at 2', (h) => h.write(Buffer.from('XY'), 0, 2, 2), (r) => r.bytesWritten],
  ['writev', (h) => h.writev([Buffer.from('third '), Buffer.from('line\\n')]), (r) => r.bytesWritten],
  ['writeFile', (h) => h.writeFile('fourth line\\n'), (r) => r],
  ['appendFile', (h) => h.appendFile(Buffer.alloc(100000, 0x61)), (r) => r],
  ['sync', (h) => h.sync(), (r) => r],
  ['datasync', (h) => h.datasync(), (r) => r],
  ['read at 0', (h) => h.read(Buffer.alloc(16), 0, 16, 0), (r) => r.buffer.toString('latin1', 0, r.bytesRead)],
  ['readv at 5', (h) => h.readv([Buffer.alloc(4), Buffer.alloc(4)], 5), (r) => r.bytesRead + ' ' + Buffer.concat(r.buffers).toString('latin1')],
  ['read at the file position', (h) => h.read(Buffer.alloc(8), 0, 8, null), (r) => r.bytesRead],
  ['stat', (h) => h.stat(), (r) => r.size],
  ['truncate', (h) => h.truncate(100000), (r) => r],
  ['stat after truncate', (h) => h.stat(), (r) => r.size],
  ['close', (h) => h.close(), (r) => r],
];
const outcome = async (side, call, shape) => {
  try {
    const value = shape(await call(side.handle));
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    return { ok: false, code: error.code, errno: error.errno, syscall: error.syscall, message: error.message };
  }
};
const results = [];
for (const [name, call, shape] of calls) {
  const [node, syslet] = [await outcome(sides[0], call, shape), await outcome(sides[1], call, shape)];
  results.push({ call: name, node, syslet });
}
const opened = fds.length;
for (const fd of fds) closeSync(fd);
const contents = sides.map((side) => readFileSync(side.path, 'latin1'));
process.stdout.write(JSON.stringify({ full, opened, threads, results, same: contents[0] === contents[1], size: contents[0].length }));
process.exit(0);
`;

test('near the fd limit, with no cachemiss thread and none able to start, every FileHandle call answers as Node and leaves the same file', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fd-limit-handle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], {
    encoding: 'utf8', timeout: 90_000, env: { ...process.env, ...STILL_LOADER_ENV, FS_MODULE, DIR: dir },
  });
  assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout) as {
    full: string | null; opened: number; threads: number; results: { call: string; node: { ok: boolean }; syslet: unknown }[]; same: boolean; size: number;
  };
  assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
  assert.equal(report.threads, 0, 'no cachemiss thread was left to take a chain');
  assert.deepEqual(report.results.filter(({ node, syslet }) => !isDeepStrictEqual(node, syslet)), []);
  // Node's calls had what they needed (so syslet-aio/fs's must succeed too), and wrote the file.
  assert.deepEqual(report.results.filter(({ node }) => !node.ok), []);
  assert.equal(report.size, 100000);
  assert.equal(report.same, true, 'both files hold the same bytes');
});
