/**
 * A view whose own `byteLength` / `byteOffset` / `buffer` properties lie (an own property, as a
 * program may define) is registered by what it really holds: the Promise twins read exactly its
 * bytes, every time. Before, a view was registered from its properties: the first aio.read went
 * through a bounce slot (intrinsic length, 16 bytes), and the second read 4,096 bytes from the file
 * over the Buffers after a 16-byte subarray whose own byteLength said 4096.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aio, Aiocb, aio_read, aio_error, aio_return, aio_suspend, EINPROGRESS } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'aio-lying-view-'));
const path = join(dir, 'data');
writeFileSync(path, Buffer.alloc(8192, 0x5a));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A 16-byte view at offset 16 of an 8 KiB store of 0x11s, its properties made to lie. */
function lyingView(kind: 'Buffer' | 'DataView'): { store: Uint8Array; view: ArrayBufferView } {
  const store = new Uint8Array(8192).fill(0x11);
  const view = kind === 'Buffer' ? Buffer.from(store.buffer, 16, 16) : new DataView(store.buffer, 16, 16);
  Object.defineProperty(view, 'byteLength', { value: 4096 });
  Object.defineProperty(view, 'byteOffset', { value: 0 });
  Object.defineProperty(view, 'buffer', { value: new ArrayBuffer(8192) });
  return { store, view };
}

function assertOnlyItsBytes(store: Uint8Array, label: string): void {
  assert.ok(store.subarray(16, 32).every((b) => b === 0x5a), `${label}: the view's 16 bytes were read`);
  assert.ok(store.subarray(0, 16).every((b) => b === 0x11), `${label}: nothing before the view was written`);
  assert.ok(store.subarray(32).every((b) => b === 0x11), `${label}: nothing after the view was written`);
}

for (const kind of ['Buffer', 'DataView'] as const) {
  test(`aio.read of a ${kind} whose properties lie reads its own 16 bytes, first time and after`, async () => {
    const fd = openSync(path, 'r');
    try {
      const { store, view } = lyingView(kind);
      for (let round = 0; round < 4; round++) {
        assert.equal(await aio.read(fd, view, 0), 16, `round ${round}`);
        assertOnlyItsBytes(store, `round ${round}`);
        store.fill(0x11);
      }
    } finally {
      closeSync(fd);
    }
  });
}

test('aio_read of an Aiocb whose aio_buf is a Buffer with lying properties reads its own bytes', () => {
  const fd = openSync(path, 'r');
  try {
    const { store, view } = lyingView('Buffer');
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: view, aio_nbytes: 16, aio_offset: 0 });
    for (let round = 0; round < 3; round++) {
      assert.equal(aio_read(cb), 0);
      while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
      assert.equal(aio_error(cb), 0);
      assert.equal(aio_return(cb), 16);
      assertOnlyItsBytes(store, `round ${round}`);
      store.fill(0x11);
    }
  } finally {
    closeSync(fd);
  }
});
