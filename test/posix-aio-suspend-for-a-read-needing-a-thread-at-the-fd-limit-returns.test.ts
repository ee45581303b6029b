/**
 * On the threads engine, aio_suspend (no timeout) for an aio_read that needs a cachemiss thread
 * returns when the fds ran out while the engine's threads were loading: the read completes (a
 * thread started once the failed ones gave their fds back) or ends with EMFILE or EAGAIN (none
 * could), as glibc ends a request whose thread cannot start. Before, it never returned: the
 * failed threads replaced each other for ever, and a synchronous wait never runs the Worker
 * 'exit' events that report a failed start (the pool now asks the OS whether a loading thread
 * still lives).
 *
 * Runs in a child whose RLIMIT_NOFILE is lowered (`ulimit -n`) and which fills its fd table right
 * after its first aio_read has made the engine (and started its kept threads). The pipe's byte
 * comes from a shell started before, 2 s later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EAGAIN, EMFILE } from '../engine/native/index.js';
import { STILL_LOADER_ENV, helperUrl } from './helpers/child.js';

const PACKAGE = new URL('../index.ts', import.meta.url).href;
const ENTRY = new URL('../engine/cachemiss-entry.ts', import.meta.url).href;

const CHILD = `
import { openSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Aiocb, aio_read, aio_error, aio_return, aio_suspend, LIO_READ, SIGEV_NONE, EINPROGRESS } from ${JSON.stringify(PACKAGE)};
import { cachemissWorkerEntry } from ${JSON.stringify(ENTRY)};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};

// The threads' script, on disk before the fds run out, as the built package ships it.
cachemissWorkerEntry();
const pipe = openPipe();
spawn('sh', ['-c', 'sleep 2; printf x'], { stdio: ['ignore', pipe.writer, 'ignore'] });
const buffer = Buffer.alloc(8);
const cb = (fd) => new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_nbytes: 1, aio_offset: 0, aio_lio_opcode: LIO_READ, aio_sigevent: { sigev_notify: SIGEV_NONE } });
// Makes the engine, which starts its kept threads; the read itself completes inline.
const zero = cb(openSync('/dev/zero', 'r'));
if (aio_read(zero) !== 0) throw new Error('aio_read of /dev/zero');
while (aio_error(zero) === EINPROGRESS) aio_suspend([zero], 1, null);
const read = cb(pipe.reader);
const fds = [];
let full = null;
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (error) { full = error.code; }
const submitted = aio_read(read);
while (aio_error(read) === EINPROGRESS) aio_suspend([read], 1, null);
process.stdout.write(JSON.stringify({ full, submitted, status: aio_error(read), returned: aio_return(read) }));
process.exit(0);
`;

test('aio_suspend for a read needing a cachemiss thread at the fd limit returns (threads engine)', { timeout: 90_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-fd-limit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'child.mts');
  writeFileSync(script, CHILD);
  const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], {
    encoding: 'utf8', timeout: 60_000, cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, ...STILL_LOADER_ENV, SYSLET_AIO_ENGINE: 'threads' },
  });
  assert.notEqual(child.signal, 'SIGTERM', `aio_suspend never returned (killed at 60 s)\n${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout) as { full: string | null; submitted: number; status: number; returned: number };
  assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
  assert.equal(report.submitted, 0);
  const outcome = `${report.status}/${report.returned}`;
  assert.ok([`0/1`, `${EMFILE}/-1`, `${EAGAIN}/-1`].includes(outcome), `status/return: ${outcome}`);
});
