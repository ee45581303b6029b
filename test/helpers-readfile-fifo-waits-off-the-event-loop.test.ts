/**
 * Reading a FIFO that has no writer yet must not block the caller's thread. A read-only open is
 * tried inline (openat2 RESOLVE_CACHED), and opening a FIFO waits for a writer: the reader opens
 * O_NONBLOCK, sees from fstat that the file is a FIFO, clears the flag and polls before each
 * read on a cachemiss thread (a FIFO opened O_NONBLOCK reads as empty until a writer connects).
 * Meanwhile timers keep firing; when a writer comes, the bytes arrive.
 *
 * A blocked event loop would hang the test itself, so the scenario runs in a child process with
 * a time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const CHILD = `
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '${ROOT}engine/engine.ts';
import { readFileSyslet } from '${ROOT}plugins/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fifo-'));
const fifo = join(dir, 'pipe');
execFileSync('mkfifo', [fifo]);
const engine = new Engine();
const reading = readFileSyslet(engine, fifo);
// If the open (or a read) blocked this thread, these timers could not fire before the writer.
let ticks = 0;
await new Promise((resolve) => {
  const timer = setInterval(() => { if (++ticks === 5) { clearInterval(timer); resolve(); } }, 10);
});
const writer = await open(fifo, 'w');
await writer.write(Buffer.from('through the pipe'));
await writer.close();
const text = (await reading).toString();
await engine.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ ticks, text }));
`;

test('readFileSyslet on a FIFO without a writer leaves the event loop running and returns what a writer sends', async () => {
  const result = await runChild(CHILD, 30_000);
  assert.equal(result.timedOut, false, 'the child did not hang');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'), { ticks: 5, text: 'through the pipe' });
});
