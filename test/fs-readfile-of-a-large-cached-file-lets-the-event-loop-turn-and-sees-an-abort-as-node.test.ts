// readFile of a large, fully cached file lets the event loop turn while it reads, and an abort
// during the read rejects it with AbortError — on both implementations. Before, syslet-aio/fs
// read a cached file inline in one copy however large: 200 MB held the event loop for 184-198 ms
// (Node's longest stall 15-19 ms), and an abort made during the read was not even run until the
// read had ended, so the call resolved with the whole file where Node's rejected. Reads past
// the engine's inline limit (engine/probe.ts INLINE_COPY_BYTES) now go to the cachemiss engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

const SIZE = 64 << 20;

for (const { name, fs } of IMPLEMENTATIONS) {
  test(`${name}: readFile of a 64 MiB cached file lets the event loop turn and rejects on an abort made during it`, async (t) => {
    const file = join(scratch(t, 'large-readfile'), 'large.bin');
    const content = randomBytes(SIZE);
    writeFileSync(file, content);
    readFileSync(file); // every page cached

    let turned = false;
    setImmediate(() => (turned = true));
    const data = await fs.readFile(file);
    assert.ok(turned, 'an immediate scheduled before the call ran before it resolved');
    assert.ok(data.equals(content), 'the bytes of the file');

    const controller = new AbortController();
    setImmediate(() => controller.abort());
    await assert.rejects(fs.readFile(file, { signal: controller.signal }), { name: 'AbortError', code: 'ABORT_ERR' });
  });
}
