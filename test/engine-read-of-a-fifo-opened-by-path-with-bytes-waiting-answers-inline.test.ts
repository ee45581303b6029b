// A FIFO opened by its path (mkfifo's, or a pipe reached through /dev/stdin) refuses preadv2
// RWF_NOWAIT with EOPNOTSUPP — only pipe(2)'s own ends accept it — so the probe of a read took
// every read of one for a read that would block: handed to the ring or a thread even with bytes
// waiting (readFile of 64 MB from `cat file |` through /dev/stdin: ~1,000 trips through the ring
// and the event loop, 370-1,500 ms where Node took 140-280). Now a zero-timeout poll decides: with
// bytes waiting, or the writer gone (end of file), the read is made inline and answers as the
// syscall does; on an empty FIFO with a writer it still goes asynchronous and gets the bytes
// written later. Checked against read(2) made directly on the same kind of descriptor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL, F_SETFL, O_NONBLOCK, O_RDONLY, O_WRONLY } from '../engine/syscalls/constants.generated.js';

/** A FIFO's blocking read end and its write end, both opened by the path. */
function fifoPair(dir: string): { reader: number; writer: number } {
  const path = join(dir, `fifo-${String(Math.random()).slice(2)}`);
  execFileSync('mkfifo', [path]);
  // O_NONBLOCK so that the open does not wait for a writer; cleared once the writer is there.
  const reader = openSync(path, O_RDONLY | O_NONBLOCK);
  const writer = openSync(path, O_WRONLY);
  const flags = syscall(NR.fcntl, reader, F_GETFL);
  assert.equal(syscall(NR.fcntl, reader, F_SETFL, flags & ~O_NONBLOCK), 0);
  return { reader, writer };
}

/** The probe the engine makes, made directly: a FIFO opened by path refuses RWF_NOWAIT. */
function refusesNowait(fd: number): boolean {
  const iov = Buffer.alloc(16);
  const byte = Buffer.alloc(1);
  iov.writeBigUInt64LE(BigInt(addressOf(byte)), 0);
  iov.writeBigUInt64LE(1n, 8);
  // RWF_NOWAIT = 8; position -1: the file position.
  return syscall(NR.preadv2, fd, addressOf(iov), 1, -1, 0, 8) === -95;
}

for (const engineName of ['io_uring', 'threads'] as const) {
  test(`${engineName}: a read of a FIFO opened by its path with bytes waiting, or at end of file, answers inline as read(2)`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-fifo-inline-'));
    const engine = new Engine({ engine: engineName });
    try {
      const { reader, writer } = fifoPair(dir);
      if (!refusesNowait(reader)) t.diagnostic('this kernel accepts RWF_NOWAIT on a FIFO opened by path: the probe answers by itself');
      using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
      const bytes = chain.buffer(64);
      const read = chain.atom('read', [reader, bytes, 64]);
      writeSync(writer, 'hello fifo');
      assert.ok(engine.submit(chain.first, null) > 0, 'bytes waiting: the read completed inline');
      assert.equal(Number(read.result.value), 10);
      assert.equal(Buffer.from(bytes.bytes.subarray(0, 10)).toString(), 'hello fifo');
      // The writer gone: read(2) answers 0 at once, and so does the inline read.
      closeSync(writer);
      assert.ok(engine.submit(chain.first, null) > 0, 'end of file: the read completed inline');
      assert.equal(Number(read.result.value), 0);
      closeSync(reader);
      // Made directly, read(2) of the same kind of descriptor gives the same answers.
      const direct = fifoPair(dir);
      writeSync(direct.writer, 'hello fifo');
      const into = Buffer.alloc(64);
      assert.equal(syscall(NR.read, direct.reader, addressOf(into), 64), 10);
      closeSync(direct.writer);
      assert.equal(syscall(NR.read, direct.reader, addressOf(into), 64), 0);
      closeSync(direct.reader);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${engineName}: a read of an empty FIFO opened by its path still waits off the event loop and gets the bytes written later`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-fifo-inline-'));
    const engine = new Engine({ engine: engineName });
    try {
      const { reader, writer } = fifoPair(dir);
      using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
      const bytes = chain.buffer(64);
      chain.atom('read', [reader, bytes, 64]);
      const ended = engine.runChain(chain.first);
      // Written by this thread's event loop: only reached if the read did not wait on it.
      setImmediate(() => writeSync(writer, 'later'));
      const end = await ended;
      assert.equal(Number(end.result), 5);
      assert.equal(Buffer.from(bytes.bytes.subarray(0, 5)).toString(), 'later');
      closeSync(writer);
      closeSync(reader);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
