// readAiocb32 gives an i386 aiocb's 64-bit aio_offset exactly: a number up to 2^53 − 1, a bigint
// beyond. Session 20 (posix20): it was always a number, so 2^63 − 100 became 2^63 (a read there
// that i386 glibc answers with 0 bytes ended EINVAL; a write, EINVAL for EFBIG) and 2^53 + 1
// became 2^53 (a request at the wrong offset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';
import { AIOCB32, Arena32, readAiocb32 } from '../compat32/index.js';

test('an i386 aio_offset past 2^53 is read exactly, as a bigint', () => {
  const memory = new MemoryRegistry();
  using arena = Arena32.map(memory, 4096);
  const cb = arena.base + 256;
  const at = cb + AIOCB32.fields.aio_offset.offset - arena.base;
  const cases: [bigint, number | bigint][] = [
    [0n, 0],
    [2n ** 53n - 1n, Number.MAX_SAFE_INTEGER],
    [2n ** 53n + 1n, 2n ** 53n + 1n],
    [2n ** 63n - 100n, 2n ** 63n - 100n],
    [2n ** 63n - 1n, 2n ** 63n - 1n],
  ];
  for (const [written, expected] of cases) {
    arena.view.setBigInt64(at, written, true);
    assert.strictEqual(readAiocb32(arena, cb).offset, expected, `aio_offset ${written}`);
  }
});
