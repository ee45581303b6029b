/**
 * file.readAll on a cached 4 KiB file makes four calls: openat (as openat2 RESOLVE_CACHED, with
 * the probe's O_NONBLOCK, its statx of the file type and its F_SETFL — engine/open-probe.ts: a FIFO's or a
 * device's open must not wait inline), fstat, one read (as preadv2 RWF_NOWAIT) and close.
 * read_size asks for exactly st_size bytes, so the read is full (the RWF_NOWAIT probe adds no
 * completion read) and no read is needed to see end of file. strace watches a child process; the chain's calls are the ones the main
 * thread makes between two marker opens.
 *
 * On a machine with a FUSE, NFS, 9p... mount anywhere (engine/remote-mounts.ts; CI's machine has
 * one) the inline calls that reach the file system are first asked whether the file is on such a
 * mount: the open is made with RESOLVE_NO_XDEV after a statx of "/" showed the root's mount
 * local (openat2OffRemote), and only when that walk crossed a mount (a tmpdir on its own mount),
 * the full check: an O_PATH RESOLVE_CACHED openat2, its statx and close. The fstat and
 * close need no check of their own: the open probe's statx of the fd (its file type) also read
 * its st_dev, and the run remembers the fd local until it closes it or the run ends (a statx
 * before each cost 11 calls where 9 do). The read needs none (RWF_NOWAIT: a remote file system
 * refuses it and the read hands off). The test expects those checks exactly when the child's
 * mount namespace has such a mount.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineUrl } from './helpers/child.js';
import { remoteDevicesIn } from '../engine/remote-mounts.js';

const TRACED = 'openat,openat2,fstat,newfstatat,statx,fcntl,pread64,preadv2,read,close';
const pluginsUrl = new URL('../plugins/index.ts', import.meta.url).href;

// A 64 KiB chunk is what made the old chain ask for more than the file and pay for a second read.
const CHILD = `
import { openSync, writeFileSync } from 'node:fs';
import { Engine } from '${engineUrl('engine')}';
import { fileReadAll, READ_ALL } from '${pluginsUrl}';
const dir = process.argv[2];
writeFileSync(dir + '/data', Buffer.alloc(4096, 7));
const engine = new Engine();
const path = engine.alloc(4096);
path.bytes.set(Buffer.from(dir + '/data\\0'));
const buf = engine.alloc(2 * 65536);
const params = { path: path.start, buf: buf.start, chunk: 65536, chunks: 2 };
const mark = (name) => {
  try { openSync(dir + '/' + name, 'r'); } catch { /* ENOENT: only its line in the trace matters */ }
};
await fileReadAll.run(engine, params); // warm the dentry and page cache
mark('begin');
// The chain runs inline inside run() on a cached file, so it sits between the two markers.
const pending = fileReadAll.run(engine, params);
mark('end');
const done = await pending;
console.log(JSON.stringify({ pid: process.pid, mode: done.mode, total: Number(done.atoms[READ_ALL.total]?.result) }));
await engine.close();
`;

/** The mount point (from this process's mountinfo) of the mount `path` (no symlinks) is on: the longest one that contains it. */
function mountPointOf(path: string): string {
  let best = '/';
  for (const line of readFileSync('/proc/self/mountinfo', 'latin1').split('\n')) {
    const point = line.split(' ')[4]?.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    if (point !== undefined && point.length > best.length && (path === point || path.startsWith(point + '/'))) best = point;
  }
  return best;
}

function straceWorks(): string | null {
  const probe = spawnSync('strace', ['-qq', '-e', 'trace=close', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `strace is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `strace cannot trace here: ${probe.stderr.trim()}`;
  return null;
}

test('a cached 4 KiB file costs openat (with its probe\'s statx and F_SETFL), fstat, one read and close', (t) => {
  const unavailable = straceWorks();
  if (unavailable !== null) {
    t.skip(unavailable);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'syslet-readall-strace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'child.mts');
  const trace = join(dir, 'trace');
  writeFileSync(script, CHILD);
  const child = spawnSync('strace', ['-f', '-qq', '-e', `trace=${TRACED}`, '-o', trace, process.execPath, '--import', 'tsx', script, dir], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as { pid: number; mode: string; total: number };
  assert.equal(report.mode, 'inline');
  assert.equal(report.total, 4096);

  // Lines look like `1234 preadv2(20, [...], 1, 0, RWF_NOWAIT) = 4096`; other threads are ignored.
  // When another thread of the process makes a call at the same moment, strace splits this one in
  // two: `1234 close(19 <unfinished ...>`, then `1234 <... close resumed>) = 0`: joined back here.
  const lines: string[] = [];
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    if (!line.startsWith(`${report.pid} `)) continue;
    const resumed = /^\d+ +<\.\.\. \w+ resumed>(.*)$/.exec(line);
    const previous = lines.at(-1);
    if (resumed !== null && previous?.endsWith(' <unfinished ...>') === true) lines[lines.length - 1] = previous.slice(0, -' <unfinished ...>'.length) + (resumed[1] ?? '');
    else lines.push(line);
  }
  const begin = lines.findIndex((line) => line.includes(`${dir}/begin`));
  const end = lines.findIndex((line) => line.includes(`${dir}/end`));
  assert.ok(begin >= 0 && end > begin, 'both markers are in the trace');
  const calls = lines.slice(begin + 1, end);
  const checked = remoteDevicesIn(readFileSync('/proc/self/mountinfo', 'latin1')).size > 0;
  // With a remote mount, the open is made with RESOLVE_NO_XDEV after a statx of "/" (the mount an
  // absolute walk starts on) — and succeeds when no mount point lies between "/" and the file.
  const sameMount = realpathSync(dir) === dir && mountPointOf(dir) === '/';
  const isRootCheck = (line: string): boolean => /^\d+ +statx\(AT_FDCWD, "\/", AT_STATX_DONT_SYNC, 0, /.test(line);
  const isCrossed = (line: string): boolean => /^\d+ +openat2\(.*RESOLVE_NO_XDEV.* = -1 EAGAIN/.test(line);
  // A statx of an fd with an empty mask: the full remote-mount check (its st_dev); its O_PATH open
  // before it, its close after it.
  const isCheck = (line: string): boolean => /^\d+ +statx\(\d+, "", AT_STATX_DONT_SYNC\|AT_EMPTY_PATH, 0, /.test(line);
  const chain = calls.filter((line, at) => !isRootCheck(line) && !isCrossed(line) && !isCheck(line) && !/O_PATH/.test(line) && !(at > 0 && isCheck(calls[at - 1] as string)));
  const chainNames = chain.map((line) => /^\d+ +(\w+)\(/.exec(line)?.[1] ?? line);
  assert.equal(chainNames.length, 6, `the chain made ${chainNames.length} syscalls besides remote-mount checks:\n${calls.join('\n')}`);
  assert.match(chainNames[0] as string, /^openat2?$/);
  // The open probe's file type (statx AT_STATX_DONT_SYNC since session 29: it asks no FUSE/NFS
  // server): a regular file, so O_NONBLOCK is cleared and the open answers inline.
  assert.match(chainNames[1] as string, /^(fstat|newfstatat|statx)$/);
  assert.match(chain[2] as string, /^\d+ +fcntl\(\d+, F_SETFL, /);
  assert.match(chainNames[3] as string, /^(fstat|newfstatat)$/);
  assert.match(chainNames[4] as string, /^(preadv2|pread64)$/);
  assert.equal(chainNames[5], 'close');
  assert.match(chain[4] as string, /= 4096$/, 'the one read returned the whole file');
  // The checks: none without a remote mount; with one, the statx of "/" and the open's own
  // RESOLVE_NO_XDEV — the full check (O_PATH open, statx, close) only after a walk that crossed a
  // mount — and nothing else (no statx of the fd before fstat or close).
  const expected = !checked ? 6 : sameMount ? 7 : 11;
  assert.equal(calls.length, expected, `${checked ? 'with' : 'without'} a remote mount the chain made ${calls.length} syscalls:\n${calls.join('\n')}`);
  assert.equal(calls.filter(isCheck).length, checked && !sameMount ? 1 : 0, `the full check only after a crossing:\n${calls.join('\n')}`);
  if (checked) {
    assert.ok(isRootCheck(calls[0] as string), calls[0]);
    assert.match(calls[1] as string, /^\d+ +openat2\(.*RESOLVE_NO_XDEV\|RESOLVE_CACHED/);
    if (!sameMount) {
      assert.ok(isCrossed(calls[1] as string), calls[1]);
      assert.match(calls[2] as string, /^\d+ +openat2\(.*O_PATH.*RESOLVE_CACHED/);
      assert.ok(isCheck(calls[3] as string), calls[3]);
      assert.match(calls[4] as string, /^\d+ +close\(/);
    }
  }
});
