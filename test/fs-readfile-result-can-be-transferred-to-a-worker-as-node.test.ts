/**
 * The Buffer syslet-aio/fs's readFile resolves with can be moved to a worker thread
 * (`worker.postMessage(buffer, [buffer.buffer])`), as node:fs/promises's can: the transfer detaches
 * it here and the worker gets the bytes, with no copy.
 *
 * hunt25 (session 25), from the packed package: results of 100 KB and 3 MB (1,000 B was fine) are
 * marked untransferable (engine/memory.ts keepAttached marks every ArrayBuffer the engine
 * registers, and the result's store is the library's own, registered for the read). On Node 22
 * postMessage threw `DataCloneError: Cannot transfer object of unsupported type.`; on Node 20 it
 * cloned the bytes and left the sender's Buffer attached — a copy of every file meant to be moved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { readFile as nodeReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFile } from '../fs.js';
import { tempDir } from './plugin-fixture.js';

const SIZES = [100_000, 3_000_000];

/** Post `buffer` to `worker` with its store in the transfer list: what happened, and the worker's byte count. */
async function moveTo(worker: Worker, buffer: Buffer): Promise<string> {
  try {
    worker.postMessage(buffer, [buffer.buffer as ArrayBuffer]);
  } catch (error) {
    return `postMessage threw ${(error as Error).name}: ${(error as Error).message}`;
  }
  const received = await new Promise<number>((resolve) => worker.once('message', resolve));
  return `worker got ${received} bytes, detached here: ${String(buffer.buffer.byteLength === 0)}`;
}

test('a readFile result can be transferred to a worker, as node:fs/promises\'s can', async (t) => {
  const { dir, cleanup } = tempDir('readfile-transfer');
  t.after(cleanup);
  const worker = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (bytes) => parentPort.postMessage(bytes.byteLength));', { eval: true });
  t.after(() => worker.terminate());
  const outcomes: string[] = [];
  for (const size of SIZES) {
    const file = join(dir, `f${size}`);
    writeFileSync(file, Buffer.alloc(size, 7));
    // node:fs/promises: the behaviour to match.
    assert.equal(await moveTo(worker, await nodeReadFile(file)), `worker got ${size} bytes, detached here: true`);
    outcomes.push(`${size} B: ${await moveTo(worker, await readFile(file))}`);
  }
  assert.deepEqual(outcomes, SIZES.map((size) => `${size} B: worker got ${size} bytes, detached here: true`));
});
