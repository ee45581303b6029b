/**
 * An Engine the program no longer references while one of its chains is in flight is not given
 * back under it: the chain completes and its promise settles with the data, however many
 * collections run meanwhile. (Since session 26 a dropped engine is reclaimed by the GC,
 * engine/engine-dropped.ts; the wake-up holds the engine strongly while chains are in flight.)
 * The chain reads a FIFO nobody writes yet, so it waits for certain; the bytes are written only
 * after five full collections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const child = `
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, readFileSyslet } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const fifo = join(mkdtempSync(join(tmpdir(), 'syslet-dropped-')), 'fifo');
execFileSync('mkfifo', [fifo]);
let collected = false;
const watch = new FinalizationRegistry(() => { collected = true; });
// The engine only in this function's frame: once it returns, only the chain in flight holds it.
const start = () => { const engine = new Engine(); watch.register(engine, 0); return readFileSyslet(engine, fifo); };
const reading = start();
let settled = false;
reading.then(() => { settled = true; }, () => { settled = true; });
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 50)); }
const settledEarly = settled;
const writer = openSync(fifo, 'w');
writeSync(writer, 'still here');
closeSync(writer);
const data = await Promise.race([reading, new Promise((resolve) => setTimeout(() => resolve('timed out'), 10_000))]);
process.stdout.write(JSON.stringify({ settledEarly, collectedWhileInFlight: collected, data: Buffer.isBuffer(data) ? data.toString() : String(data) }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`an Engine dropped with a chain in flight still delivers it (${engine})`, { timeout: 60_000 }, async () => {
    const result = await runChild(child, 45_000, { nodeFlags: ['--expose-gc'], env: { SYSLET_AIO_ENGINE: engine } });
    assert.equal(result.code, 0, result.stderr.slice(0, 400));
    assert.deepEqual(JSON.parse(result.stdout), { settledEarly: false, collectedWhileInFlight: false, data: 'still here' });
  });
}
