/**
 * Issue 18: switching to syslet-aio/fs is one import, from the package as a user installs it.
 * The tarball (test/helpers/tarball.ts builds, packs and installs it) is used from an ESM project
 * (`import ... from 'syslet-aio/fs'`, the default export too), from a CommonJS project
 * (`require('syslet-aio/fs')`: Node 20.19+ can require an ES module without top-level await),
 * and from TypeScript, whose types must be node:fs/promises's own.
 *
 * Needs the npm registry or a warm npm cache, as the package test does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consumerTsconfig, installPackedTarball, ROOT, run, type InstalledPackage } from './helpers/tarball.js';

let installed: InstalledPackage | undefined;

before(async () => {
  installed = await installPackedTarball();
});

after(() => {
  if (installed !== undefined) rmSync(installed.work, { recursive: true, force: true });
});

function consumer(): string {
  assert.ok(installed !== undefined, 'the package is installed');
  return installed.consumer;
}

test('an ESM project imports syslet-aio/fs from the install: named and default exports, FileHandle, readdir', async () => {
  writeFileSync(
    join(consumer(), 'fs-esm.mjs'),
    `import { readFile, stat, open, readdir } from 'syslet-aio/fs';
import fs from 'syslet-aio/fs';
const text = await readFile('package.json', 'utf8');
const handle = await open('package.json');
const { bytesRead } = await handle.read(Buffer.alloc(8), 0, 8, 0);
await handle.close();
const missing = await readFile('no-such-file').catch((error) => [error.code, error.errno, error.syscall, error.path]);
console.log(JSON.stringify({
  resolved: import.meta.resolve('syslet-aio/fs'),
  name: JSON.parse(text).name,
  isFile: (await stat('package.json')).isFile(),
  bytesRead,
  listed: (await readdir('.')).includes('package.json'),
  sameObject: fs.readFile === readFile,
  missing,
}));
`,
  );
  const esm = JSON.parse((await run(process.execPath, ['fs-esm.mjs'], consumer())).stdout) as Record<string, unknown>;
  const home = pathToFileURL(join(realpathSync(consumer()), 'node_modules', 'syslet-aio')).href;
  assert.ok(String(esm.resolved).startsWith(home), `resolved from the install: ${String(esm.resolved)}`);
  assert.deepEqual(
    { ...esm, resolved: undefined },
    { resolved: undefined, name: 'syslet-aio-consumer', isFile: true, bytesRead: 8, listed: true, sameObject: true, missing: ['ENOENT', -2, 'open', 'no-such-file'] },
  );
});

test('a CommonJS project requires syslet-aio/fs from the install', async () => {
  assert.ok(installed !== undefined);
  const cjs = join(installed.work, 'cjs-consumer');
  mkdirSync(cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), JSON.stringify({ name: 'syslet-aio-cjs-consumer', version: '1.0.0', private: true, type: 'commonjs' }));
  await run('npm', ['install', installed.tarball, '--prefer-offline', '--no-audit', '--no-fund'], cjs, 120_000);
  writeFileSync(
    join(cjs, 'main.js'),
    `const { readFile, stat } = require('syslet-aio/fs');
(async () => {
  const text = await readFile('package.json', 'utf8');
  console.log(JSON.stringify({ resolved: require.resolve('syslet-aio/fs'), name: JSON.parse(text).name, size: (await stat('package.json')).size === Buffer.byteLength(text) }));
})();
`,
  );
  const out = await run(process.execPath, ['main.js'], cjs);
  const report = JSON.parse(out.stdout) as { resolved: string; name: string; size: boolean };
  assert.ok(report.resolved.startsWith(join(realpathSync(cjs), 'node_modules', 'syslet-aio')), report.resolved);
  assert.deepEqual([report.name, report.size], ['syslet-aio-cjs-consumer', true]);
  assert.doesNotMatch(out.stderr, /Error/, 'no error on stderr');
});

test('TypeScript sees node:fs/promises types through syslet-aio/fs and rejects wrong calls', async () => {
  writeFileSync(
    join(consumer(), 'check-fs.ts'),
    `import { readFile, stat, open, createFs, type SysletFs } from 'syslet-aio/fs';
import type { FileHandle as NodeFileHandle } from 'node:fs/promises';
import type { Stats, BigIntStats } from 'node:fs';
import { Engine } from 'syslet-aio';
export const text: Promise<string> = readFile('x', 'utf8');
export const bytes: Promise<Buffer> = readFile('x');
export const big: Promise<BigIntStats> = stat('x', { bigint: true });
export const small: Promise<Stats> = stat('x');
export const handle: Promise<NodeFileHandle> = open('x', 'r');
export const own: SysletFs = createFs(new Engine());
// @ts-expect-error readFile takes a path, not a number of bytes
void readFile(42, 'utf8', 3);
`,
  );
  writeFileSync(join(consumer(), 'tsconfig.json'), consumerTsconfig(['check-fs.ts']));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  assert.ok(existsSync(tsc), 'the repository has TypeScript installed');
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer());
});
