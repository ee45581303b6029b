// A syslet-aio/fs FileHandle.read waiting on a FIFO takes the data that arrives while the event
// loop's thread is blocked, as node:fs/promises's does (its read runs on libuv's thread pool):
// here the same thread writes 100,000 bytes into the FIFO with fs.writeSync, more than the pipe
// holds (64 KiB), so the write returns only once the waiting read has drained the pipe. hunt26:
// on the io_uring engine the read waits in the ring as a poll (file.pollRead) and its read(2) is
// made by the JavaScript thread when the poll completes — which it cannot while it is blocked
// in writeSync: the process hung (killed at 10 s, 4 of 4 runs; node:fs/promises: the write
// returned after 1-26 ms with 65,536 bytes read; syslet-aio's aio.read, and the threads engine,
// returned too). The same deadlock waits for any program that writes synchronously into a pipe
// whose other end it reads with syslet-aio/fs (a FIFO to itself, a helper process's pipes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runChild } from './helpers/child.js';

const FS_URL = new URL('../fs.ts', import.meta.url).href;

test('a FileHandle.read waiting on a FIFO drains it while the thread is blocked in writeSync, as node:fs/promises does', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hunt26-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const script = `
import fs from 'node:fs';
import { open } from '${FS_URL}';
const keep = fs.openSync(${JSON.stringify(fifo)}, fs.constants.O_RDWR);
const handle = await open(${JSON.stringify(fifo)}, 'r');
const reading = handle.read(Buffer.alloc(100000), 0, 100000, null);
await new Promise((resolve) => setTimeout(resolve, 300));
const started = Date.now();
fs.writeSync(keep, Buffer.alloc(100000, 0x61));
const { bytesRead } = await reading;
console.log(JSON.stringify({ writeMs: Date.now() - started, bytesRead }));
process.exit(0);
`;
  const child = await runChild(script, 10_000);
  assert.equal(child.timedOut, false, 'the child hung: writeSync never returned');
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { bytesRead: number };
  assert.ok(report.bytesRead > 0 && report.bytesRead <= 100000, child.stdout);
});
