/**
 * syslet-aio/fs's readFile with an AbortSignal starts, on the io_uring engine, as a linked ring
 * batch (engine/uring-file-reads.ts) that the signal cannot stop; the signal is looked at when the
 * batch answers, as Node looks at it between its steps. Aborted while the batch is in flight, the
 * call rejects with Node's AbortError (the reason as cause), the batch's descriptor is closed, and
 * a call whose signal did not abort reads the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile as nodeReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { tempDir } from './plugin-fixture.js';
import { fdsUnder } from './helpers/ring-reads.js';
import { readFirstOnTheRing } from '../plugins/reader.js';


const shape = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    return { value: String(await promise) };
  } catch (error) {
    const { name, code, cause, message } = error as { name: string; code?: string; cause?: unknown; message: string };
    return { name, code, cause, message };
  }
};

test('readFile aborted while its ring batch is in flight rejects with AbortError as Node and leaves no fd', async (t) => {
  const { dir, cleanup } = tempDir('ring-abort');
  const engine = new Engine();
  // Its files are cached: the batch for them too (otherwise only opens the dcache cannot answer take it).
  readFirstOnTheRing(engine);
  t.after(async () => {
    await engine.close();
    cleanup();
  });
  const fs = createFs(engine);
  const paths = Array.from({ length: 16 }, (_, i) => {
    const path = join(dir, `f${i}`);
    writeFileSync(path, `file ${i}`);
    return path;
  });
  for (const path of paths) {
    const reason = new Error(`stop ${path}`);
    const mine = new AbortController();
    const theirs = new AbortController();
    const syslet = shape(fs.readFile(path, { signal: mine.signal }));
    const node = shape(nodeReadFile(path, { signal: theirs.signal }));
    // Within the call's turn: the batch is written, not yet answered.
    mine.abort(reason);
    theirs.abort(reason);
    assert.deepEqual(await syslet, await node, path);
  }
  const kept = new AbortController();
  assert.deepEqual(await shape(fs.readFile(paths[0] as string, { signal: kept.signal, encoding: 'utf8' })), { value: 'file 0' });
  assert.deepEqual(fdsUnder(dir), [], 'no fd left open');
  if (engine.fileReads === null) t.diagnostic(`this engine (${engine.asyncEngine.kind}) reads without ring batches: the chain path was compared`);
});
