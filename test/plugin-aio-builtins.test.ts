/**
 * The aio.* built-ins on real files and a real pipe: each makes its call and publishes POSIX
 * AIO's (error, return) pair into the status words, 8 bytes wide for x86-64 aiocbs and 4 for
 * i386 ones; a failing call publishes its errno and -1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { syscall } from '../engine/native/index.js';
import { aioFdatasync, aioFsync, aioRead, aioReadStream, aioWrite, aioWriteStream, type Plugin } from '../plugins/index.js';
import { tempDir } from './plugin-fixture.js';
import { NR } from '../engine/syscalls/nr.js';

const SYS_pipe2 = NR.pipe2;

test('aio.read/write/fsync/fdatasync and the stream forms publish (error, return) for each call', async (t) => {
  const { dir, cleanup } = tempDir('aio');
  const engine = new Engine();
  const path = join(dir, 'f');
  writeFileSync(path, '0123456789');
  const fd = openSync(path, 'r+');
  const memory = engine.alloc(8192);
  const ERROR = 4096;
  const RETURN = 4104;
  const pipe = memory.start + 4200;
  assert.equal(syscall(SYS_pipe2, pipe, 0o2000000), 0);
  const [readEnd, writeEnd] = [memory.view.getInt32(4200, true), memory.view.getInt32(4204, true)];
  t.after(async () => {
    for (const open of [fd, readEnd, writeEnd]) closeSync(open);
    await engine.close();
    cleanup();
  });
  const status = { error_code: memory.start + ERROR, return_value: memory.start + RETURN };
  const run = async (plugin: Plugin, params: Record<string, number>, width = 8) => {
    memory.view.setInt32(ERROR, 115, true);
    memory.view.setBigInt64(RETURN, -99n, true);
    const outcome = await plugin.run(engine, { ...params, ...status, width });
    const returned = width === 8 ? Number(memory.view.getBigInt64(RETURN, true)) : memory.view.getInt32(RETURN, true);
    return { outcome, error: memory.view.getInt32(ERROR, true), returned };
  };

  const read = await run(aioRead, { fd, buf: memory.start, nbytes: 4, offset: 3 });
  assert.deepEqual([read.error, read.returned], [0, 4]);
  assert.equal(Buffer.from(memory.bytes.subarray(0, 4)).toString(), '3456');

  memory.bytes.set(Buffer.from('ABCD'));
  const write = await run(aioWrite, { fd, buf: memory.start, nbytes: 4, offset: 8 }, 4);
  assert.deepEqual([write.error, write.returned], [0, 4], 'a 4-byte (i386) status');
  assert.equal(readFileSync(path, 'utf8'), '01234567ABCD');

  for (const plugin of [aioFsync, aioFdatasync]) {
    const synced = await run(plugin, { fd });
    assert.deepEqual([synced.error, synced.returned], [0, 0], plugin.name);
    assert.equal(synced.outcome.mode, 'cachemiss', `${plugin.name} may block: it runs on a cachemiss thread`);
  }

  memory.bytes.set(Buffer.from('pipe!'));
  const sent = await run(aioWriteStream, { fd: writeEnd, buf: memory.start, nbytes: 5 });
  assert.deepEqual([sent.error, sent.returned], [0, 5]);
  memory.bytes.fill(0, 0, 8);
  const got = await run(aioReadStream, { fd: readEnd, buf: memory.start, nbytes: 8 });
  assert.deepEqual([got.error, got.returned], [0, 5]);
  assert.equal(Buffer.from(memory.bytes.subarray(0, 5)).toString(), 'pipe!');

  const spipe = await run(aioRead, { fd: readEnd, buf: memory.start, nbytes: 1, offset: 0 });
  assert.deepEqual([spipe.error, spipe.returned], [29, -1], 'pread64 on a pipe: ESPIPE, -1');
  assert.equal(spipe.outcome.atoms[0]?.errno, 'ESPIPE');
  const badFd = await run(aioFsync, { fd: 9999 });
  assert.deepEqual([badFd.error, badFd.returned], [9, -1], 'EBADF');
});
