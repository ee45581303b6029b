// The POSIX layer's handle on an i386 aiocb in the arena: readAiocb32 returns its fields from
// the gcc-checked offsets, writeAiocb32Status writes __return_value and __error_code, and a
// misplaced aiocb or buffer is a ConversionError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';
import { AIOCB32, Arena32, ConversionError, aiocb32StatusAddresses, readAiocb32, writeAiocb32Status } from '../compat32/index.js';

test('an i386 aiocb in the arena reads back field by field and takes its status', () => {
  const memory = new MemoryRegistry();
  using arena = Arena32.map(memory, 8192);
  const cb = arena.base + 256;
  const buf = arena.base + 4096;
  const F = AIOCB32.fields;
  arena.setU32(cb + F.aio_fildes.offset, 7);
  arena.setU32(cb + F.aio_lio_opcode.offset, 1);
  arena.setU32(cb + F.aio_buf.offset, buf);
  arena.setU32(cb + F.aio_nbytes.offset, 512);
  arena.view.setBigInt64(cb + F.aio_offset.offset - arena.base, 0x1_2345_6789n, true);
  arena.setU32(cb + F.aio_sigevent.offset + 4, 10); // sigev_signo
  arena.setU32(cb + F.__error_code.offset, 115); // EINPROGRESS
  const request = readAiocb32(arena, cb);
  assert.deepEqual(
    [request.fd, request.lioOpcode, request.buf, request.nbytes, request.offset, request.sigevent.signo, request.errorCode],
    [7, 1, buf, 512, 0x1_2345_6789, 10, 115],
  );
  writeAiocb32Status(arena, cb, 0, 512);
  assert.equal(arena.i32(cb + F.__error_code.offset), 0);
  assert.equal(arena.i32(cb + F.__return_value.offset), 512);
  writeAiocb32Status(arena, cb, 9, -1);
  const after = readAiocb32(arena, cb);
  assert.deepEqual([after.errorCode, after.returnValue], [9, -1]);
  assert.deepEqual(aiocb32StatusAddresses(cb), { errorCode: cb + 96, returnValue: cb + 100 });

  assert.throws(() => readAiocb32(arena, cb + 2), (error: unknown) => error instanceof ConversionError && error.code === 'EINVAL' && error.errno === -22);
  assert.throws(() => readAiocb32(arena, arena.end - 64), (error: unknown) => error instanceof ConversionError && error.code === 'EFAULT' && error.errno === -14);
  arena.setU32(cb + F.aio_buf.offset, arena.end - 16);
  assert.throws(() => readAiocb32(arena, cb), (error: unknown) => error instanceof ConversionError && error.field === 'aio_buf');
});
