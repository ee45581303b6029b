/**
 * FileHandles a program leaves unclosed (the DEP0137 situation: an error path that forgets
 * `close()`) are closed by garbage collection soon enough that a loop of opens under the usual
 * 1,024-fd soft limit keeps working, as with node:fs/promises.
 *
 * Node's FileHandle is a native object behind a weak handle, which V8's minor GCs (scavenges)
 * already collect: its loop never holds more than ~190 fds. syslet-aio/fs registers its handles in
 * a FinalizationRegistry (fs/file-handle.ts), whose targets V8 clears only in a full GC.
 *
 * hunt25 (session 25), from the packed package under `prlimit --nofile=1024`: 30,000 opens, each
 * with one 64-byte read and no close, one at a time: node:fs/promises 30,000 ok (peak 162-188
 * fds); syslet-aio/fs 2,005 ok and 27,995 EMFILE (io_uring), 1,004 and 28,996 (threads). 900
 * leaked handles stayed open through event-loop turns and a minor GC; a full gc() closed them. A
 * static file server leaking one request in five: 18,908 of 113,420 responses EMFILE (Node: 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STILL_LOADER_ENV } from './helpers/child.js';

const OPENS = 5_000;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

const child = (implementation: string, file: string): string => `
const fs = ${implementation === 'node' ? `await import('node:fs/promises')` : `await import(${JSON.stringify(new URL('../fs.ts', import.meta.url).href)})`};
// Node's and this package's warnings for each collected handle: thousands of lines, not the point here.
process.removeAllListeners('warning');
process.on('warning', () => {});
let ok = 0;
let emfile = 0;
let other = '';
for (let i = 0; i < ${OPENS}; i++) {
  try {
    const handle = await fs.open(${JSON.stringify(file)}, 'r');
    await handle.read(Buffer.alloc(64), 0, 64, 0);
    ok++;
  } catch (error) {
    if (error.code === 'EMFILE') emfile++;
    else other = String(error);
  }
}
process.stdout.write(JSON.stringify({ ok, emfile, other }));
process.exit(0);
`;

function runUnderFdLimit(source: string, engine: string): Promise<{ stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-leaked-handles-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    execFile('prlimit', ['--nofile=1024', process.execPath, '--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...STILL_LOADER_ENV, SYSLET_AIO_ENGINE: engine }, timeout: 120_000 }, (error, stdout, stderr) => {
      rmSync(dir, { recursive: true, force: true });
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}


test('FileHandles left unclosed are closed before the fd limit stops opens, as node:fs/promises\'s', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-leaked-handles-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  writeFileSync(data, Buffer.alloc(4096, 1));
  const node = JSON.parse((await runUnderFdLimit(child('node', data), 'io_uring')).stdout) as { ok: number; emfile: number; other: string };
  assert.deepEqual(node, { ok: OPENS, emfile: 0, other: '' }, 'node:fs/promises opens them all under 1,024 fds');
  const outcomes: string[] = [];
  for (const engine of ['io_uring', 'threads']) {
    const syslet = JSON.parse((await runUnderFdLimit(child('syslet', data), engine)).stdout) as { ok: number; emfile: number; other: string };
    outcomes.push(`${engine}: ${syslet.ok} ok, ${syslet.emfile} EMFILE${syslet.other === '' ? '' : `, ${syslet.other}`}`);
  }
  assert.deepEqual(outcomes, [`io_uring: ${OPENS} ok, 0 EMFILE`, `threads: ${OPENS} ok, 0 EMFILE`]);
});
