/**
 * Under Node's permission model (`--experimental-permission` with `--allow-fs-write=<dir>`),
 * syslet-aio/fs touches only what the flags allow, as node:fs/promises: a writeFile outside the
 * allowed directory is ERR_ACCESS_DENIED. The model checks paths in node:fs, and a syslet's own
 * syscalls are not checked (koffi is a native addon, loaded with `--allow-addons`), so
 * syslet-aio/fs's writeFile wrote the file Node's refused (found by hunt19 from the packed package;
 * reads, stats and readdir outside `--allow-fs-read` went through the same way). With the model on,
 * every function is now node:fs/promises's own. The import also no longer stats '/' (which a
 * narrow `--allow-fs-read` refused, failing the import with ERR_ACCESS_DENIED).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratch } from './helpers/fs-implementations.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('under the permission model, syslet-aio/fs writes only where --allow-fs-write allows, as Node', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'permission');
  const allowed = join(dir, 'allowed');
  const denied = join(dir, 'denied');
  mkdirSync(allowed);
  mkdirSync(denied);
  const child = join(dir, 'child.mts');
  writeFileSync(
    child,
    `import * as sfs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
import * as nfs from 'node:fs/promises';
const out = {};
for (const [name, fs] of [['node', nfs], ['syslet', sfs]]) {
  for (const [k, call] of Object.entries({
    writeAllowed: () => fs.writeFile(${JSON.stringify(allowed)} + '/' + name, 'x').then(() => 'ok'),
    writeDenied: () => fs.writeFile(${JSON.stringify(denied)} + '/' + name, 'x').then(() => 'written'),
    readAllowed: () => fs.readFile(${JSON.stringify(allowed)} + '/' + name, 'utf8'),
    statBigint: () => fs.stat(${JSON.stringify(allowed)} + '/' + name, { bigint: true }).then((s) => typeof s.size),
  })) {
    try { out[name + ' ' + k] = String(await call()); } catch (e) { out[name + ' ' + k] = 'ERR ' + e.code; }
  }
}
console.log(JSON.stringify(out));
`,
  );
  const uid = process.getuid?.() ?? 0;
  const flags = ['--experimental-permission', '--allow-fs-read=*', `--allow-fs-write=${allowed}/`, `--allow-fs-write=${join(tmpdir(), `tsx-${uid}`)}/`, '--allow-addons', '--allow-worker', '--allow-child-process'];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [...flags, '--import', 'tsx', child], { cwd: ROOT, timeout: 50_000 }, (error, out, err) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout: out, stderr: err }));
  });
  assert.equal(code, 0, stderr);
  const seen = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
  assert.equal(seen['node writeDenied'], 'ERR ERR_ACCESS_DENIED', 'the model is on');
  const syslet = Object.fromEntries(Object.entries(seen).filter(([key]) => key.startsWith('syslet ')).map(([key, value]) => [key.slice(7), value]));
  const node = Object.fromEntries(Object.entries(seen).filter(([key]) => key.startsWith('node ')).map(([key, value]) => [key.slice(5), value]));
  assert.deepEqual(syslet, node);
  assert.equal(existsSync(join(denied, 'syslet')), false, 'nothing was written where the flags deny it');
});
