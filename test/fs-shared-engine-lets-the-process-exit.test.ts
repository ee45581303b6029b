/**
 * syslet-aio/fs's shared engine never keeps a process alive: a program that reads a cached file,
 * reads an uncached one (a cachemiss thread starts) and writes one ends by itself when its work
 * is done, as it would with node:fs/promises.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const CHILD = `
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syscall } from '${ROOT}engine/native/index.ts';
import { NR } from '${ROOT}engine/syscalls/nr.ts';
import { readFile, stat, writeFile } from '${ROOT}fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-exit-'));
const file = join(dir, 'f');
writeFileSync(file, 'cold');
syscall(NR.sync);
const fd = openSync(file, 'r');
syscall(NR.fadvise64, fd, 0, 0, 4);
closeSync(fd);
const cold = await readFile(file, 'utf8');
const warm = await readFile(file, 'utf8');
await writeFile(join(dir, 'g'), 'written');
const size = (await stat(join(dir, 'g'))).size;
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ cold, warm, size }));
`;

test('a program using syslet-aio/fs exits on its own when its work is done', async () => {
  const result = await runChild(CHILD, 60_000);
  assert.equal(result.timedOut, false, 'the process ended by itself');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'), { cold: 'cold', warm: 'cold', size: 7 });
});
