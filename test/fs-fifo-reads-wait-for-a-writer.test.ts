/**
 * A FIFO through syslet-aio/fs behaves as through node:fs/promises, without ever blocking the
 * event loop: readFile of a FIFO with no writer yet waits for one and returns what it wrote;
 * open(fifo, 'r') returns a handle whose reads wait for the writer and end at 0 when it leaves.
 * Node waits in open() on its thread pool; syslet-aio/fs opens O_NONBLOCK and polls before each
 * read on a cachemiss thread. Run in a child process with a time limit, since a blocked event
 * loop would hang the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const CHILD = `
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sysletFs from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-fifo-'));
// Three timer ticks while the read waits: impossible if the open or a read blocked this thread
// (the writer only comes afterwards).
const ticksWhile = () => new Promise((resolve) => {
  let ticks = 0;
  const timer = setInterval(() => {
    if (++ticks === 3) {
      clearInterval(timer);
      resolve(ticks);
    }
  }, 5);
});
const results = {};
for (const [name, fs] of [['node', nodeFs], ['syslet', sysletFs]]) {
  const fifo = join(dir, name + '-a');
  execFileSync('mkfifo', [fifo]);
  const reading = fs.readFile(fifo, 'utf8');
  const ticks = await ticksWhile();
  const writer = await nodeFs.open(fifo, 'w');
  await writer.write('from the writer');
  await writer.close();
  const text = await reading;

  const fifo2 = join(dir, name + '-b');
  execFileSync('mkfifo', [fifo2]);
  const opening = fs.open(fifo2, 'r');
  const writing = nodeFs.open(fifo2, 'w');
  const handle = await opening;
  const writer2 = await writing;
  const pending = handle.read(Buffer.alloc(16), 0, 16, null);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await writer2.write('second');
  const first = await pending;
  await writer2.close();
  const end = await handle.read(Buffer.alloc(16), 0, 16, null);
  await handle.close();
  results[name] = { timersRan: ticks === 3, text, first: first.buffer.subarray(0, first.bytesRead).toString(), end: end.bytesRead };
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(results));
`;

test('FIFOs: readFile and a FileHandle wait for the writer, as Node does, and the event loop keeps running', async () => {
  const result = await runChild(CHILD, 60_000);
  assert.equal(result.timedOut, false, 'the child did not hang');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(report.syslet, report.node);
  assert.deepEqual(report.node, { timersRan: true, text: 'from the writer', first: 'second', end: 0 });
});
