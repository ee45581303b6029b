/**
 * An aio_read whose `aio_buf` is transferred away while the request waits (structuredClone or
 * postMessage with `transfer`), and whose new owner is then collected, must not write into the
 * memory that backed it: by then the allocator has handed that memory to another buffer (or back
 * to the C heap's free lists). Session 21 (workers21): a FIFO read of 4 KiB or 64 KiB into such a
 * buffer, 200 fresh buffers of the same size allocated after the collection, then the writer's
 * bytes: in 10 of 12 runs (both engines) the bytes landed in one of the fresh buffers, or the
 * process died in glibc's malloc ("corrupted double-linked list", "malloc(): unaligned tcache
 * chunk detected"; SIGABRT/SIGSEGV). The Promise twins (aio.read) and syslet-aio/fs's
 * FileHandle.read read into a bounce slot and copy only into a view still attached: 0 of 12.
 *
 * Node's own FileHandle.read of a FIFO does the same as aio_read here (6 of 6: a foreign buffer
 * written, one abort): libuv writes into the pointer it was given. docs/reliability.md "Not done"
 * says not to transfer a registered buffer; the outcome is memory corruption, not just a write
 * into the memory the store moved to. A fix in shim/: bounce an aiocb's buffer for a request
 * that waits (stream fds, or any request once it leaves the inline path), as the twins do, or
 * keep the backing store's owner alive while registered.
 *
 * Fixed (session 21, coord21): the engine marks every ArrayBuffer it registers untransferable
 * (engine/memory.ts keepAttached), so the transfer clones it and the request's buffer stays
 * attached and alive (Node does the same for its Buffer pool).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

function child(size: number): string {
  return `
import { execFileSync } from 'node:child_process';
import { openSync, writeSync, closeSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aiocb, aio_read, aio_error, aio_return, EINPROGRESS } from '${ROOT}index.ts';
const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-transfer-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const SIZE = ${size};
const reader = openSync(fifo, constants.O_RDWR);
let store = new ArrayBuffer(SIZE);
const cb = new Aiocb({ aio_fildes: reader, aio_buf: new Uint8Array(store), aio_offset: 0 });
if (aio_read(cb) !== 0) throw new Error('aio_read refused');
await new Promise((resolve) => setTimeout(resolve, 150));
structuredClone(store, { transfer: [store] });
store = null;
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise(setImmediate); }
const others = [];
for (let i = 0; i < 200; i++) others.push(new Uint8Array(new ArrayBuffer(SIZE)));
const writer = openSync(fifo, 'w');
writeSync(writer, Buffer.alloc(Math.min(SIZE, 60000), 0x41));
for (let i = 0; i < 300 && aio_error(cb) === EINPROGRESS; i++) await new Promise((resolve) => setTimeout(resolve, 10));
const written = others.filter((other) => other.indexOf(0x41) !== -1).length;
console.log(JSON.stringify({ status: aio_error(cb), written }));
closeSync(writer);
closeSync(reader);
rmSync(dir, { recursive: true, force: true });
`;
}

test('an aio_read into a buffer transferred away and collected writes no other buffer and corrupts no heap', async () => {
  const outcomes: unknown[] = [];
  for (const engine of ['io_uring', 'threads']) {
    for (const size of [4096, 65536]) {
      for (let run = 0; run < 2; run++) {
        const result = await runChild(child(size), 60_000, { nodeFlags: ['--expose-gc'], env: { SYSLET_AIO_ENGINE: engine } });
        const last = result.stdout.trim().split('\n').pop() ?? '';
        const written = last.startsWith('{') ? (JSON.parse(last) as { written: number }).written : null;
        outcomes.push({ engine, size, code: result.code, signal: result.signal, written, crash: /corrupt|malloc|double free/.exec(result.stderr)?.[0] ?? null });
      }
    }
  }
  assert.deepEqual(
    outcomes.filter((outcome) => (outcome as { code: number | null; written: number | null }).code !== 0 || (outcome as { written: number | null }).written !== 0),
    [],
    'runs that crashed or wrote into another buffer',
  );
});
