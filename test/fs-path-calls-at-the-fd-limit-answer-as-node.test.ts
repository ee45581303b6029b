/**
 * At the process's fd limit, every syslet-aio/fs call answers as node:fs/promises's does. The
 * path calls that need no fd in Node — stat, lstat, access, readlink, realpath, mkdir, rename,
 * unlink, rm — still succeed: syslet-aio/fs makes the first five through an O_PATH fd (openat,
 * then statx/faccessat2/readlinkat on it, close), and that open fails with EMFILE (even for a
 * missing path: the fd is taken before the lookup) where Node's path-based call succeeds; a
 * server that runs out of fds must not also lose its stats. Calls that need an fd in Node too
 * (readFile, writeFile, readdir, truncate, copyFile, open) fail with EMFILE on both — except
 * readFile on the io_uring engine, which opens into the ring's own table of direct descriptors
 * and so reads the file (engine/uring-file-reads.ts).
 *
 * The same holds when the fds ran out before the shared engine was made (its eventfd and ring
 * need fds): the calls are then node:fs/promises's, and none throws synchronously (before, each
 * threw `EMFILE ... eventfd2` from the call itself, which a `.catch()` does not catch).
 *
 * Near the limit, with two fds free — too few for a cachemiss thread to start (it needs five) —
 * every call succeeds on both: Node's pool threads exist already, and a syslet-aio/fs chain that
 * needs a thread none can start (the threads engine's ftruncate, a write, copy_file_range on
 * either engine) is made by Node (before, it answered EMFILE: truncate's `ftruncate`, writeFile's
 * `open`, readdir's `scandir`, copyFile's `copyfile`).
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
import { STILL_LOADER_ENV } from './helpers/child.js';
import { END_THREADS_AND_TAKE_THEIR_FDS } from './helpers/fd-limit-child.js';

const FS_MODULE = fileURLToPath(new URL('../fs.ts', import.meta.url));

const CHILD = `
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const root = process.env.DIR;
const sides = [{ name: 'node', fs: nodeFs, dir: root + '/node' }, { name: 'syslet', fs: sysletFs, dir: root + '/syslet' }];
// Start the shared engine (its ring, eventfd and threads) before the fds run out, or not: then
// it cannot be made, and every call must still answer as Node's (and never throw). With it, the
// fd the library holds for life beside the engine's (realpath's /proc/self/fd directory) is
// taken too, as in a program that ran a while before it ran out.
if (process.env.WARM === '1') {
  await sysletFs.stat(root);
  await sysletFs.realpath(root);
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
  ['readFile', 'file'], ['writeFile', 'written', 'data'], ['readdir', 'sub2'], ['truncate', 'file', 2], ['copyFile', 'file', 'copy'],
  // Calls that change a file, made by Node when their chain met the limit: made once each.
  ['writeFile', 'rewritten', 'new', { flag: 'r+' }], ['writeFile', 'created', 'data', { flag: 'wx' }], ['appendFile', 'appended', ' more'],
  ['copyFile', 'file', 'copy-excl', 1],
  ['open', 'file'],
];
/** The files the calls wrote, as each side left them. */
const WRITTEN = ['file', 'written', 'rewritten', 'created', 'appended', 'copy', 'copy-excl'];
const shape = (value) => {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && 'isFile' in value) return { isFile: value.isFile(), isLink: value.isSymbolicLink(), size: value.size };
  if (typeof value === 'object' && value !== null && 'fd' in value) return 'a FileHandle';
  return String(value);
};
const outcome = async (side, name, args) => {
  const at = (arg) => (typeof arg === 'string' && name !== 'writeFile' && name !== 'appendFile' ? side.dir + '/' + arg : arg);
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
const fill = () => { try { for (;;) fds.push(openSync(root, 'r')); } catch (error) { full = error.code; } };
fill();
// The engine's cachemiss threads end, as the ones still loading when the fds run out do (the
// threads engine starts two with the engine, which take tens of ms to load): each gives back its
// fds as it exits, at a moment nothing here decided (Node's own readFile then succeeded in some
// runs). They are ended here, and the fds they give back taken, until none is left (or none gave
// one back for 3 s), so that the limit holds through every call below and the engine has no
// thread and can start none (a thread needs 5 fds).
if (process.env.WARM === '1') {${END_THREADS_AND_TAKE_THEIR_FDS}}
const threads = process.env.WARM === '1' ? sysletFs.sharedEngine().threads : null;
// Near the limit: a few fds free, fewer than a cachemiss thread needs to start (5).
for (let i = 0; i < Number(process.env.FREE); i++) closeSync(fds.pop());
const results = [];
for (const [name, ...args] of calls) {
  const [node, syslet] = [await outcome(sides[0], name, args), await outcome(sides[1], name, args)];
  results.push({ call: name + '(' + args.join(', ') + ')', node, syslet });
}
const opened = fds.length;
for (const fd of fds) closeSync(fd);
const read = (dir, name) => { try { return readFileSync(dir + '/' + name, 'utf8'); } catch (error) { return error.code; } };
const contents = WRITTEN.map((name) => ({ name, node: read(sides[0].dir, name), syslet: read(sides[1].dir, name) }));
process.stdout.write(JSON.stringify({ full, opened, threads, results, contents }));
process.exit(0);
`;

function twinTree(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'file'), 'twelve bytes');
  symlinkSync('file', join(dir, 'link'));
  symlinkSync('loop', join(dir, 'loop'));
  for (const name of ['to-rename', 'to-unlink', 'to-rm']) writeFileSync(join(dir, name), name);
  writeFileSync(join(dir, 'rewritten'), 'old data');
  writeFileSync(join(dir, 'appended'), 'some');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'inner'), 'x');
  mkdirSync(join(dir, 'sub2'));
}

const CASES = [
  { warm: true, free: 0, when: 'with the shared engine made before: path calls succeed, fd calls fail with EMFILE on both' },
  { warm: true, free: 2, when: 'with the shared engine made before and two fds free, too few for a cachemiss thread: every call succeeds on both' },
  { warm: false, free: 0, when: 'before the shared engine could be made (none is): path calls succeed, fd calls fail with EMFILE on both' },
];

for (const { warm, free, when } of CASES) {
  test(`every fs call answers as Node at the fd limit, ${when}`, { timeout: 120_000 }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-fd-limit-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    twinTree(join(dir, 'node'));
    twinTree(join(dir, 'syslet'));
    const script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
    const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], {
      encoding: 'utf8', timeout: 90_000, env: { ...process.env, ...STILL_LOADER_ENV, FS_MODULE, DIR: dir, WARM: warm ? '1' : '0', FREE: String(free) },
    });
    assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
    const report = JSON.parse(child.stdout) as {
      full: string | null; opened: number; threads: number | null; results: { call: string; node: { ok: boolean; code?: string }; syslet: unknown }[];
      contents: { name: string; node: string; syslet: string }[];
    };
    assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
    if (warm) assert.equal(report.threads, 0, 'no cachemiss thread was left to take a chain');
    // readFile on the io_uring engine opens a direct descriptor (a slot of the ring's own file
    // table, no process fd): it reads the file where Node's open meets the limit.
    const ringRead = (call: string, node: { ok: boolean; code?: string }, syslet: unknown): boolean =>
      call === 'readFile(file)' && node.code === 'EMFILE' && isDeepStrictEqual(syslet, { ok: true, value: 'twelve bytes' });
    assert.deepEqual(report.results.filter(({ call, node, syslet }) => !isDeepStrictEqual(node, syslet) && !ringRead(call, node, syslet)), []);
    // And left the same files (a call made again by Node wrote nothing twice).
    assert.deepEqual(report.contents.filter(({ node, syslet }) => node !== syslet), []);
    const node = (call: string): { ok: boolean; code?: string } | undefined => report.results.find((r) => r.call === call)?.node;
    if (free === 0) {
      // The limit was in the way (Node's own readFile failed with it) and the path calls got past it.
      assert.equal(node('readFile(file)')?.code, 'EMFILE');
    } else {
      // Node's fd calls had the fds they needed (so syslet-aio/fs's must succeed too).
      const fdCalls = report.results.map(({ call }) => call).filter((call) => /^(readFile|writeFile|appendFile|readdir|truncate|copyFile|open)\(/.test(call));
      assert.equal(fdCalls.length, 10);
      for (const call of fdCalls) assert.equal(node(call)?.ok, true, call);
    }
    assert.equal(node('stat(file)')?.ok, true);
  });
}
