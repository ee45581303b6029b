/**
 * Importing syslet-aio/fs must leave the engine's work to the first call: no io_uring, no eventfd
 * or signalfd, no cachemiss thread. A short-lived program (a CLI, a test run, the fresh-process row
 * of `npm run bench:fs`) pays all the work done at import, and one that imports the module without
 * calling it should pay none of the engine's (import29: the import costs ~50 ms of CPU over a bare
 * `node`; making the shared engine, 5-10 ms more, is the first call's). The first call then makes
 * the shared engine: the positive control that the counts below can see one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = `
import { readdirSync, readlinkSync } from 'node:fs';
// What the process holds that an engine makes: anon-inode fds (io_uring, eventfd, signalfd) and threads.
const held = () => ({
  anon: readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync('/proc/self/fd/' + fd); } catch { return ''; } })
    .filter((link) => link.startsWith('anon_inode:')).sort(),
  threads: readdirSync('/proc/self/task').length,
});
const before = held();
const fs = await import('./fs.ts');
const atImport = held();
await fs.readFile('package.json');
const afterCall = held();
console.log(JSON.stringify({ before, atImport, afterCall }));
`;

test('importing syslet-aio/fs opens no engine file and starts no thread until the first call', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: root }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  type Held = { anon: string[]; threads: number };
  const { before, atImport, afterCall } = JSON.parse(out) as { before: Held; atImport: Held; afterCall: Held };
  assert.deepEqual(atImport.anon, before.anon, 'the import opened no io_uring, eventfd or signalfd');
  assert.equal(atImport.threads, before.threads, 'the import started no thread');
  // Either engine makes something the first call can be seen by: a ring, or eventfds and threads.
  const made = afterCall.anon.length > before.anon.length || afterCall.threads > before.threads;
  assert.ok(made, `the first call made the shared engine (anon fds ${before.anon.length} -> ${afterCall.anon.length}, threads ${before.threads} -> ${afterCall.threads})`);
});
