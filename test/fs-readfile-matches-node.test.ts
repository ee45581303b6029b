/**
 * readFile, on node:fs/promises and on syslet-aio/fs: the same bytes, strings and errors, field
 * by field. Behaviours ported from Node's test/parallel/test-fs-promises-readfile.js (a large
 * file, /proc, an abort before and during the call, a signal of the wrong type) and
 * test-fs-promises-readfile-empty.js, plus the sizes around syslet-aio/fs's 64 KiB slot, the
 * encodings, flags and path forms readFile takes, and the errors of a bad path or argument.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMPLEMENTATIONS, sameOnBoth, scratch } from './helpers/fs-implementations.js';

const SIZES = [0, 1, 4096, 65535, 65536, 65537, 1024 ** 2 + 19];

test('every size, from empty to past one slot, reads back byte for byte, as Node reads it', async (t) => {
  const dir = scratch(t);
  for (const size of SIZES) {
    const file = join(dir, `size-${size}`);
    const bytes = randomBytes(size);
    writeFileSync(file, bytes);
    for (const { name, fs } of IMPLEMENTATIONS) {
      const got = await fs.readFile(file);
      assert.ok(Buffer.isBuffer(got), `${name}: a Buffer`);
      assert.ok(got.equals(bytes), `${name}: ${size} bytes`);
    }
    await sameOnBoth((fs) => fs.readFile(file), undefined, `${size} bytes`);
  }
});

test('encodings, given as a string or in options, decode as Node decodes', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'text');
  writeFileSync(file, Buffer.from('héllo wörld ✓ \u{1f600}', 'utf8'));
  for (const options of ['utf8', 'utf-8', 'latin1', 'hex', 'base64', 'base64url', 'ucs2', { encoding: 'ascii' }, { encoding: null }, {}, null, undefined]) {
    await sameOnBoth((fs) => fs.readFile(file, options as never), undefined, JSON.stringify(options));
  }
});

test('flags: r+ and a+ open for reading too; a+ creates the file; an unknown flag is Node\'s ERR_INVALID_ARG_VALUE', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'contents');
  await sameOnBoth((fs) => fs.readFile(file, { flag: 'r+' }));
  await sameOnBoth((fs) => fs.readFile(file, { flag: 0 }));
  const created = join(dir, 'created');
  await sameOnBoth((fs) => fs.readFile(created, { flag: 'a+' }), () => rmSync(created, { force: true }));
  assert.ok(existsSync(created));
  await sameOnBoth((fs) => fs.readFile(file, { flag: 'rw' }));
  await sameOnBoth((fs) => fs.readFile(join(dir, 'missing'), { flag: 'r' }));
});

test('paths: a Buffer, a file: URL and a relative path read the same file; a NUL, a number, a non-file URL are Node\'s argument errors', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'p');
  writeFileSync(file, 'path forms');
  await sameOnBoth((fs) => fs.readFile(Buffer.from(file)));
  await sameOnBoth((fs) => fs.readFile(pathToFileURL(file)));
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await sameOnBoth((fs) => fs.readFile('p', 'utf8'));
  } finally {
    process.chdir(cwd);
  }
  await sameOnBoth((fs) => fs.readFile(`${file}\0x`));
  await sameOnBoth((fs) => fs.readFile(42 as never));
  await sameOnBoth((fs) => fs.readFile(new URL('http://example.com/x')));
  await sameOnBoth((fs) => fs.readFile(`/${'a'.repeat(5000)}`));
});

test('a missing file, a directory and a file used as a directory fail with Node\'s errno, code, syscall, path and message', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  mkdirSync(join(dir, 'sub'));
  const enoent = await sameOnBoth((fs) => fs.readFile(join(dir, 'missing')));
  assert.equal(enoent.ok, false);
  await sameOnBoth((fs) => fs.readFile(join(dir, 'sub')));
  await sameOnBoth((fs) => fs.readFile(join(file, 'below')));
  await sameOnBoth((fs) => fs.readFile(join(dir, 'sub'), 'utf8'));
});

test('procfs files (st_size 0) are read to their end', async () => {
  for (const file of ['/proc/version', '/proc/sys/kernel/hostname', '/proc/self/cmdline']) {
    for (const { name, fs } of IMPLEMENTATIONS) {
      const got = await fs.readFile(file);
      assert.ok(got.length > 0, `${name}: ${file} is not empty`);
    }
    if (!file.includes('self')) await sameOnBoth((fs) => fs.readFile(file, 'utf8'));
  }
});

test('sysfs files (st_size 4096, a few bytes of content) end at the read that returns 0', async (t) => {
  const file = '/sys/devices/system/cpu/online';
  if (!existsSync(file)) {
    t.skip(`${file} is missing: sysfs is not mounted`);
    return;
  }
  await sameOnBoth((fs) => fs.readFile(file, 'utf8'));
});

test('an AbortSignal: aborted before the call, or aborted on the next tick, rejects with Node\'s AbortError and the reason as cause', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'large');
  writeFileSync(file, randomBytes(1024 ** 2 + 19));
  const reason = new Error('enough');
  await sameOnBoth((fs) => fs.readFile(file, { signal: AbortSignal.abort(reason) }));
  await sameOnBoth((fs) => {
    const controller = new AbortController();
    process.nextTick(() => controller.abort(reason));
    return fs.readFile(file, { signal: controller.signal });
  });
  await sameOnBoth((fs) => fs.readFile(file, { signal: 'hello' } as never));
  await sameOnBoth((fs) => fs.readFile(file, 42 as never));
  await sameOnBoth((fs) => fs.readFile(file, { encoding: 'no-such-encoding' } as never));
  await sameOnBoth((fs) => fs.readFile(file, { encoding: 'buffer' } as never));
});

test('a FileHandle argument reads from the handle\'s position', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'handle');
  writeFileSync(file, 'abcdefghij');
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r');
    try {
      await handle.read(Buffer.alloc(3), 0, 3, null);
      return [await fs.readFile(handle, 'utf8'), await handle.readFile('utf8')];
    } finally {
      await handle.close();
    }
  });
});
