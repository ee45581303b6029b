/**
 * syslet-aio/fs calls in flight when their engine closes: a readFile of a FIFO with no writer
 * and a FileHandle read of another, both blocked on a cachemiss thread, reject with ESHUTDOWN —
 * the code a call made after the close gets — not the EINTR of the interrupted read(2), which
 * Node never shows. The fds the library opened for them are given back: the readFile's, and the
 * handles' when they are closed after their engine (through Node's close). In a child process
 * with a time limit, so that a read left blocked fails the test instead of hanging it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const CHILD = `
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '${ROOT}index.ts';
import { createFs } from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-close-'));
// The fds open on files of the test's directory.
const openHere = () => readdirSync('/proc/self/fd').filter((fd) => {
  try { return readlinkSync('/proc/self/fd/' + fd).startsWith(dir); } catch { return false; }
}).length;
const outcome = (promise) => promise.then(() => 'fulfilled', (error) => ({ code: error.code, errno: error.errno, syscall: error.syscall }));

const engine = new Engine();
const fs = createFs(engine);
const fifo = join(dir, 'no-writer');
execFileSync('mkfifo', [fifo]);
const reading = outcome(fs.readFile(fifo));
const other = join(dir, 'no-writer-either');
execFileSync('mkfifo', [other]);
const handle = await fs.open(other, 'r+');
const handleReading = outcome(handle.read(Buffer.alloc(16), 0, 16, null));
const plain = await fs.open(join(dir, 'plain'), 'w');
// Let both reads reach their cachemiss thread and block there.
await new Promise((resolve) => setTimeout(resolve, 100));
const openBefore = openHere();
await engine.close();
const results = { readFile: await reading, handleRead: await handleReading };
results.handleClose = await outcome(handle.close());
results.plainClose = await outcome(plain.close());
results.openBefore = openBefore;
results.openAfter = openHere();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(results));
`;

test('fs calls in flight when the engine closes reject with ESHUTDOWN, and their fds are closed', async () => {
  const result = await runChild(CHILD, 60_000);
  assert.equal(result.timedOut, false, 'the child did not hang');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(report.readFile, { code: 'ESHUTDOWN', errno: -108, syscall: 'read' });
  assert.deepEqual(report.handleRead, { code: 'ESHUTDOWN', errno: -108, syscall: 'read' });
  assert.equal(report.handleClose, 'fulfilled', 'a handle closed after its engine closes its fd');
  assert.equal(report.plainClose, 'fulfilled');
  // On the io_uring engine the readFile's batch found nothing to read and gave its descriptor to
  // the chain readers as an fd (engine/uring-file-reads.ts): the same three.
  assert.equal(report.openBefore, 3, "the readFile's fd and the two handles' were open");
  assert.equal(report.openAfter, 0, 'no fd of the calls is left open');
});
