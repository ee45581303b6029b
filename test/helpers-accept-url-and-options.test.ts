// The path helpers take their arguments as node:fs does: a file: URL where a path goes, an options
// object (readFileSyslet(engine, path, { maxBytes, signal }), copyFileSyslet(..., { mode })) with
// the older positional forms still working, and bad arguments refused with the TypeError or
// RangeError node:fs/promises gives for the same value (same code, same message).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFileSyslet, Engine, readFileInto, readFileSyslet } from '../index.js';

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  throw new Error('expected a rejection');
}

test('a file: URL is a path; the options object and the positional form both take maxBytes', async (t) => {
  const engine = new Engine();
  const dir = await mkdtemp(path.join(tmpdir(), 'syslet-helper-args-'));
  t.after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'data.bin');
  const content = Buffer.alloc(5000, 7);
  await writeFile(file, content);
  const url = pathToFileURL(file);

  assert.deepEqual(await readFileSyslet(engine, url), content);
  assert.deepEqual(await readFileSyslet(engine, url, { maxBytes: 8192 }), content);
  assert.deepEqual(await readFileSyslet(engine, file, 8192), content, 'the positional form');
  const tooBig = await rejection(readFileSyslet(engine, url, { maxBytes: 4096 }));
  assert.deepEqual([tooBig.code, (tooBig as { path?: string }).path], ['EFBIG', file], 'the error names the path the URL stood for');
  const reason = new Error('stop');
  assert.equal((await rejection(readFileSyslet(engine, url, { signal: AbortSignal.abort(reason) }))).cause, reason);

  const target = Buffer.alloc(100);
  assert.equal(await readFileInto(engine, url, target), 100);

  const copy = path.join(dir, 'copy.bin');
  assert.equal(await copyFileSyslet(engine, url, pathToFileURL(copy), { mode: 0o600 }), content.length);
  assert.deepEqual(await readFile(copy), content);
  assert.equal((await stat(copy)).mode & 0o777, 0o600 & ~process.umask());
});

test('bad arguments: the same TypeError or RangeError as node:fs/promises, naming the argument', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  for (const bad of [42, null, new URL('https://example.com/x'), 'a\0b']) {
    const node = await rejection(readFile(bad as never));
    const ours = await rejection(readFileSyslet(engine, bad as never));
    assert.deepEqual([ours.name, ours.code, ours.message], [node.name, node.code, node.message], `path ${String(bad)}`);
  }
  const src = await rejection(copyFileSyslet(engine, 7 as never, '/tmp/x'));
  assert.equal(src.code, 'ERR_INVALID_ARG_TYPE');
  assert.match(src.message, /^The "src" argument must be/);
  const engineless = await rejection(readFileSyslet({} as never, '/etc/hostname'));
  assert.equal(engineless.code, 'ERR_INVALID_ARG_TYPE');
  assert.match(engineless.message, /^The "engine" argument must be an instance of Engine/);
  const range = await rejection(readFileSyslet(engine, '/etc/hostname', { maxBytes: -1 }));
  assert.deepEqual([range.name, range.code], ['RangeError', 'ERR_OUT_OF_RANGE']);
  assert.match(range.message, /^The value of "options\.maxBytes" is out of range\./);
  const signal = await rejection(readFileSyslet(engine, '/etc/hostname', { signal: 'soon' as never }));
  assert.equal(signal.code, 'ERR_INVALID_ARG_TYPE');
  assert.match(signal.message, /^The "options\.signal" property must be an instance of AbortSignal/);
});
