/**
 * At the process's fd limit, every syslet-aio/fs call answers as node:fs/promises's does. The
 * path calls that need no fd in Node — stat, lstat, access, readlink, realpath, mkdir, rename,
 * unlink, rm — still succeed: syslet-aio/fs makes the first five through an O_PATH fd (openat,
 * then statx/faccessat2/readlinkat on it, close), and that open fails with EMFILE (even for a
 * missing path: the fd is taken before the lookup) where Node's path-based call succeeds; a
 * server that runs out of fds must not also lose its stats. Calls that need an fd in Node too
 * (readFile, writeFile, readdir, truncate, copyFile, open) fail with EMFILE on both.
 *
 * The same holds when the fds ran out before the shared engine was made (its eventfd and ring
 * need fds): the calls are then node:fs/promises's, and none throws synchronously (before, each
 * threw `EMFILE ... eventfd2` from the call itself, which a `.catch()` does not catch).
 *
 * Runs in a child whose RLIMIT_NOFILE is lowered (`ulimit -n`) and which fills its fd table; the
 * two implementations work on twin trees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const FS_MODULE = fileURLToPath(new URL('../fs.ts', import.meta.url));

const CHILD = `
import { openSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const root = process.env.DIR;
const sides = [{ name: 'node', fs: nodeFs, dir: root + '/node' }, { name: 'syslet', fs: sysletFs, dir: root + '/syslet' }];
// Start the shared engine (its ring, eventfd and threads) before the fds run out, or not: then
// it cannot be made, and every call must still answer as Node's (and never throw).
if (process.env.WARM === '1') {
  await sysletFs.stat(root);
  await nodeFs.stat(root);
}
const calls = [
  ['stat', 'file'], ['stat', 'missing'], ['stat', 'link'], ['stat', 'file/'], ['stat', 'loop'],
  ['lstat', 'link'], ['lstat', 'missing'],
  ['access', 'file'], ['access', 'missing'],
  ['readlink', 'link'], ['readlink', 'file'], ['readlink', 'missing'],
  ['realpath', 'link'], ['realpath', 'missing'], ['realpath', 'loop'],
  ['mkdir', 'new-dir'], ['mkdir', 'file'], ['rename', 'to-rename', 'renamed'], ['unlink', 'to-unlink'], ['unlink', 'missing'],
  ['rm', 'to-rm'], ['rm', 'sub', { recursive: true }],
  ['readFile', 'file'], ['writeFile', 'written', 'data'], ['readdir', 'sub2'], ['truncate', 'file', 2], ['copyFile', 'file', 'copy'], ['open', 'file'],
];
const shape = (value) => {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && 'isFile' in value) return { isFile: value.isFile(), isLink: value.isSymbolicLink(), size: value.size };
  if (typeof value === 'object' && value !== null && 'fd' in value) return 'a FileHandle';
  return String(value);
};
const outcome = async (side, name, args) => {
  const at = (arg) => (typeof arg === 'string' && name !== 'writeFile' ? side.dir + '/' + arg : arg);
  const full = [side.dir + '/' + args[0], ...args.slice(1).map(at)];
  const hide = (text) => (typeof text === 'string' ? text.split(side.dir).join('<dir>') : text);
  let pending;
  try {
    pending = side.fs[name](...full);
  } catch (error) {
    return { threw: String(error) };
  }
  try {
    return { ok: true, value: hide(shape(await pending)) };
  } catch (error) {
    return { ok: false, code: error.code, errno: error.errno, syscall: error.syscall, path: hide(error.path), dest: hide(error.dest), message: hide(error.message) };
  }
};
const fds = [];
let full = null;
try { for (;;) fds.push(openSync(root, 'r')); } catch (error) { full = error.code; }
const results = [];
for (const [name, ...args] of calls) {
  const [node, syslet] = [await outcome(sides[0], name, args), await outcome(sides[1], name, args)];
  results.push({ call: name + '(' + args.join(', ') + ')', node, syslet });
}
process.stdout.write(JSON.stringify({ full, opened: fds.length, results }));
process.exit(0);
`;

function twinTree(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'file'), 'twelve bytes');
  symlinkSync('file', join(dir, 'link'));
  symlinkSync('loop', join(dir, 'loop'));
  for (const name of ['to-rename', 'to-unlink', 'to-rm']) writeFileSync(join(dir, name), name);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'inner'), 'x');
  mkdirSync(join(dir, 'sub2'));
}

for (const warm of [true, false]) {
  const when = warm ? 'with the shared engine made before' : 'before the shared engine could be made (none is)';
  test(`every fs call answers as Node at the fd limit, ${when}: path calls succeed, fd calls fail with EMFILE on both`, { timeout: 120_000 }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-fd-limit-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    twinTree(join(dir, 'node'));
    twinTree(join(dir, 'syslet'));
    const script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
    const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], {
      encoding: 'utf8', timeout: 90_000, env: { ...process.env, FS_MODULE, DIR: dir, WARM: warm ? '1' : '0' },
    });
    assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
    const report = JSON.parse(child.stdout) as { full: string | null; opened: number; results: { call: string; node: { ok: boolean; code?: string }; syslet: unknown }[] };
    assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
    assert.deepEqual(report.results.filter(({ node, syslet }) => !isDeepStrictEqual(node, syslet)), []);
    // The limit was in the way (Node's own readFile failed with it) and the path calls got past it.
    const node = (call: string): { ok: boolean; code?: string } | undefined => report.results.find((r) => r.call === call)?.node;
    assert.equal(node('readFile(file)')?.code, 'EMFILE');
    assert.equal(node('stat(file)')?.ok, true);
  });
}
