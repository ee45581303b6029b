/**
 * writeFile and appendFile into a FIFO deliver every byte, in order, as node:fs/promises does.
 * syslet-aio/fs writes a file's chunks with pwrite64 (a positional write is what io_uring makes
 * on a regular file), and a FIFO has no position: pwrite64 answers ESPIPE there, and the chain
 * makes each chunk with write(2) instead. 200 KiB is more than a pipe holds (64 KiB), so the
 * writes are partial and the loop runs several times. A reader (`cat`) drains the FIFO into a
 * file. Run in a child process with a time limit: a writer that never finishes would hang it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const CHILD = `
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sysletFs from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-fifo-write-'));
const data = Buffer.alloc(200 * 1024);
for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 9)) & 0xff;
const digest = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Write into a fresh FIFO with \`write\` while cat copies it to a file; the bytes cat saw. */
async function throughFifo(name, write) {
  const fifo = join(dir, name);
  const out = join(dir, name + '.out');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, out], { stdio: 'ignore' });
  const exited = new Promise((resolve) => reader.on('exit', resolve));
  await write(fifo);
  await exited;
  return readFileSync(out);
}

const results = {};
for (const [name, fs] of [['node', nodeFs], ['syslet', sysletFs]]) {
  const written = await throughFifo(name + '-write', (fifo) => fs.writeFile(fifo, data));
  const text = await throughFifo(name + '-text', (fifo) => fs.writeFile(fifo, 'a line\\n'));
  const appended = await throughFifo(name + '-append', (fifo) => fs.appendFile(fifo, data));
  results[name] = { written: [written.length, digest(written)], text: text.toString(), appended: [appended.length, digest(appended)] };
}
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ results, expected: [data.length, digest(data)] }));
`;

test('writeFile and appendFile into a FIFO deliver every byte in order, as Node does', async () => {
  const result = await runChild(CHILD, 60_000);
  assert.equal(result.timedOut, false, 'the child did not hang');
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { results: Record<string, unknown>; expected: unknown };
  assert.deepEqual(report.results.syslet, report.results.node);
  assert.deepEqual(report.results.node, { written: report.expected, text: 'a line\n', appended: report.expected });
});
