/**
 * readFileInto copies a file's first min(size, target.length) bytes into the caller's view —
 * wherever the view lies in its backing store, and whether the file fits in one 64 KiB slot (the
 * bytes are copied straight from the slot into the view) or is read on past it (a Buffer of its
 * own, then copied) — and leaves the bytes around the view untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileInto } from '../plugins/index.js';
import { engineWithTempDir } from './plugin-fixture.js';

test('readFileInto fills a view at an offset of its store, for a file within one slot and one past it', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readfileinto-views');
  const small = randomBytes(5000);
  const large = randomBytes(200_000);
  writeFileSync(join(dir, 'small'), small);
  writeFileSync(join(dir, 'large'), large);
  for (const [name, content] of [['small', small], ['large', large]] as const) {
    const store = Buffer.alloc(content.length + 300, 0xee);
    const view = store.subarray(100, 100 + content.length + 100);
    assert.equal(await readFileInto(engine, join(dir, name), view), content.length, name);
    assert.deepEqual(view.subarray(0, content.length), content, `${name}: the bytes, at the view's start`);
    assert.ok(store.subarray(0, 100).every((byte) => byte === 0xee), `${name}: nothing before the view is written`);
    assert.ok(view.subarray(content.length).every((byte) => byte === 0xee), `${name}: nothing past the file's bytes is written`);
    const short = new Uint8Array(store.buffer, store.byteOffset + 7, 3000);
    assert.equal(await readFileInto(engine, join(dir, name), short), 3000, `${name}: a shorter view is filled`);
    assert.deepEqual(Buffer.from(short), content.subarray(0, 3000));
  }
});
