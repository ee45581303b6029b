/**
 * With SYSLET_AIO_DISABLED=1 (the kill switch: the policy allows no call) every POSIX request
 * still ends, and promptly: aio_error EPERM and aio_return -1 — for reads and writes of a file,
 * a pipe read, an fsync, a signalled request, lio_listio entries — aio_suspend returns 0 because
 * the request is done (not because it is lost), the Promise twins reject with EPERM, and
 * `syslet-aio cp` fails at once with one line and exit status 1 (issue 14 item 5). Each in a
 * child process, with a time limit: the defect was a hang.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';
import { runCli } from './helpers/cli.js';

const INDEX = new URL('../index.ts', import.meta.url).href;
const KILL_SWITCH = { SYSLET_AIO_DISABLED: '1' };

test('every request ends with EPERM / -1, aio_suspend returns because it ended, the Promise rejects with EPERM', async () => {
  const child = await runChild(
    `
import { openSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Aiocb, aio_read, aio_write, aio_fsync, aio_error, aio_return, aio_suspend, lio_listio, aio, errnoName, receiveSignals,
  EINPROGRESS, LIO_READ, LIO_WRITE, LIO_WAIT, O_SYNC, SIGEV_SIGNAL, SIGRTMIN } from ${JSON.stringify(INDEX)};
const dir = mkdtempSync(join(tmpdir(), 'syslet-killswitch-'));
writeFileSync(join(dir, 'data'), 'hello, world');
const fd = openSync(join(dir, 'data'), 'r+');
execFileSync('mkfifo', [join(dir, 'fifo')]);
const fifo = openSync(join(dir, 'fifo'), 'r+');
receiveSignals(SIGRTMIN, () => {});
const outcome = {};
const settle = (name, cb, submitted) => {
  let suspends = 0;
  while (submitted === 0 && aio_error(cb) === EINPROGRESS && suspends < 1000) { aio_suspend([cb], { tv_sec: 5, tv_nsec: 0 }); suspends++; }
  outcome[name] = { submitted, error: errnoName(aio_error(cb)), returned: aio_return(cb), suspends };
};
const cb = () => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8) });
let c = cb(); settle('aio_read', c, aio_read(c));
c = cb(); settle('aio_write', c, aio_write(c));
c = cb(); settle('aio_fsync', c, aio_fsync(O_SYNC, c));
c = new Aiocb({ aio_fildes: fifo, aio_buf: Buffer.alloc(8) }); settle('aio_read of a FIFO', c, aio_read(c));
c = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN } }); settle('signalled aio_read', c, aio_read(c));
const r = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ });
const w = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_WRITE });
outcome.lio_listio = { result: lio_listio(LIO_WAIT, [r, w], null), entries: [errnoName(aio_error(r)), aio_return(r), errnoName(aio_error(w)), aio_return(w)] };
for (const [name, call] of [['aio.read', () => aio.read(fd, Buffer.alloc(8), 0)], ['aio.write', () => aio.write(fd, Buffer.alloc(8), 0)], ['aio.fsync', () => aio.fsync(fd)]]) {
  try { await call(); outcome[name] = 'resolved'; } catch (error) { outcome[name] = error.code; }
}
console.log(JSON.stringify(outcome));
process.exit(0);
`,
    60_000,
    { env: KILL_SWITCH },
  );
  assert.equal(child.timedOut, false, `the child hung:\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  for (const name of ['aio_read', 'aio_write', 'aio_fsync', 'aio_read of a FIFO', 'signalled aio_read']) {
    assert.deepEqual(outcome[name], { submitted: 0, error: 'EPERM', returned: -1, suspends: 0 }, name);
  }
  assert.deepEqual(outcome.lio_listio, { result: -1, entries: ['EPERM', -1, 'EPERM', -1] });
  for (const name of ['aio.read', 'aio.write', 'aio.fsync']) assert.equal(outcome[name], 'EPERM', name);
});

test('syslet-aio cp fails at once: one line, exit status 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-killswitch-cp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'from'), Buffer.alloc(100_000, 7));
  const run = await runCli(['cp', join(dir, 'from'), join(dir, 'to')], { env: { ...process.env, ...KILL_SWITCH }, timeoutMs: 60_000 });
  assert.equal(run.timedOut, false, 'cp hung');
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0] as string, /^syslet-aio cp: .*(EPERM|not permitted)/);
  assert.equal(run.stdout, '');
});
