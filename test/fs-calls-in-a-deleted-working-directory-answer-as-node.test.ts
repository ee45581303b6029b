/**
 * From a working directory that has been removed (a program that chdir'd into a temporary
 * directory and deleted it), syslet-aio/fs's calls on absolute paths and on FileHandles answer as
 * node:fs/promises's do. No cachemiss thread can start there: a Worker's bootstrap calls uv_cwd,
 * which fails with ENOENT, and the pool answers each chain that needs a thread -ENOENT (stop
 * `died`), where Node's own thread pool exists and works. Before, on the packed package:
 * readdir rejected ENOENT 'scandir' (both engines); copyFile resolved with dest empty (io_uring)
 * or rejected ENOENT (threads); writeFile rejected ENOENT 'open' and FileHandle.sync() ENOENT
 * 'fsync' (threads). Now a chain no thread took is node:fs/promises's (core.ts unserved).
 * (readFile of a directory there never settles: the todo test of the deeper-than-PATH_MAX cwd.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FS_MODULE = fileURLToPath(new URL('../fs.ts', import.meta.url));

const CHILD = `
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const out = {};
for (const [side, fs] of [['node', nodeFs], ['syslet', sysletFs]]) {
  const base = mkdtempSync('/tmp/syslet-deleted-cwd-');
  writeFileSync(base + '/data', '0123456789');
  writeFileSync(base + '/src', 'source bytes');
  mkdirSync(base + '/dir');
  writeFileSync(base + '/dir/a', 'a');
  mkdirSync(base + '/cwd');
  process.chdir(base + '/cwd');
  rmSync(base + '/cwd', { recursive: true });
  const seen = [];
  const step = async (name, work) => {
    const timer = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref());
    try {
      const value = await Promise.race([work(), timer]);
      seen.push([name, 'ok', value === undefined ? 'undefined' : JSON.stringify(value)]);
    } catch (error) {
      seen.push([name, error.constructor.name, error.code, error.syscall, error.code === undefined ? error.message : '']);
    }
  };
  await step('readdir', () => fs.readdir(base + '/dir'));
  await step('copyFile', async () => { await fs.copyFile(base + '/src', base + '/copy'); return nodeFs.readFile(base + '/copy', 'utf8'); });
  await step('writeFile', async () => { await fs.writeFile(base + '/written', 'w'); return nodeFs.readFile(base + '/written', 'utf8'); });
  await step('appendFile', async () => { await fs.appendFile(base + '/written', '+a'); return nodeFs.readFile(base + '/written', 'utf8'); });
  await step('truncate', async () => { await fs.truncate(base + '/src', 3); return nodeFs.readFile(base + '/src', 'utf8'); });
  const handle = await fs.open(base + '/data', 'r+');
  await step('read', async () => { const r = await handle.read(Buffer.alloc(4), 0, 4, 2); return [r.bytesRead, r.buffer.toString()]; });
  await step('write', async () => (await handle.write('AB', 0)).bytesWritten);
  await step('readv', async () => (await handle.readv([Buffer.alloc(3), Buffer.alloc(3)], 0)).bytesRead);
  await step('writev', async () => (await handle.writev([Buffer.from('C'), Buffer.from('D')], 4)).bytesWritten);
  await step('sync', () => handle.sync());
  await step('datasync', () => handle.datasync());
  await step('truncate (handle)', () => handle.truncate(8));
  await step('stat (handle)', async () => (await handle.stat()).size);
  await step('writeFile (handle)', () => handle.writeFile('EF'));
  await step('close', () => handle.close());
  await step('contents', () => nodeFs.readFile(base + '/data', 'utf8'));
  process.chdir('/');
  rmSync(base, { recursive: true });
  out[side] = seen;
}
process.stdout.write(JSON.stringify(out), () => process.exit(0));
`;

for (const engine of ['auto', 'threads']) {
  test(`calls from a deleted cwd answer as node:fs/promises's (${engine} engine)`, () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      env: { ...process.env, FS_MODULE, SYSLET_AIO_ENGINE: engine },
      encoding: 'utf8',
      timeout: 90_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const { node, syslet } = JSON.parse(child.stdout) as { node: unknown[]; syslet: unknown[] };
    assert.deepEqual(syslet, node);
    assert.deepEqual(node.at(-1), ['contents', 'ok', JSON.stringify('EF23CD67')]);
  });
}
