/**
 * writeFile of small data (the size that, on the io_uring engine, is an OPENAT and a WRITE at the
 * file position written straight into the ring: fs/write-ring.ts) to files that are not regular
 * answers as node:fs/promises's, field by field: /dev/full (ENOSPC from write), /dev/null (all of
 * 64 KiB), a Unix socket's path (ENXIO from open), /proc/version (its write fails), a FIFO whose
 * reader takes every byte (60,000: a pipe takes a write of that size in parts). Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';

type Fs = typeof nodeFs;

async function outcome(work: Promise<unknown>, dir: string): Promise<unknown> {
  try {
    return { ok: await work };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path?.replace(dir, '<dir>'), message: e.message.replace(dir, '<dir>') };
  }
}

/** What each call answered, and how many bytes the FIFO's reader got. */
async function run(fs: Fs, dir: string): Promise<unknown> {
  const answers: Record<string, unknown> = {};
  answers.full = await outcome(fs.writeFile('/dev/full', 'x'), dir);
  answers.null = await outcome(fs.writeFile('/dev/null', Buffer.alloc(65536, 1)), dir);
  answers.socket = await outcome(fs.writeFile(join(dir, 'sock'), 'x'), dir);
  answers.procVersion = await outcome(fs.writeFile('/proc/version', 'x'), dir);
  const chunks: Buffer[] = [];
  const reader = createReadStream(join(dir, 'fifo'));
  reader.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => reader.on('end', () => resolve()));
  answers.fifo = await outcome(fs.writeFile(join(dir, 'fifo'), Buffer.alloc(60_000, 7)), dir);
  await ended;
  answers.fifoBytes = Buffer.concat(chunks).length;
  return answers;
}

test('small writeFiles to devices, a socket, procfs and a FIFO answer as node:fs/promises', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-writefile-special-'));
  const server = net.createServer().listen(join(dir, 'sock'));
  await new Promise<void>((resolve) => server.on('listening', () => resolve()));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  t.after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const node = await run(nodeFs, dir);
  const syslet = await run(sysletFs, dir);
  assert.deepEqual(syslet, node);
  assert.equal((node as { fifoBytes: number }).fifoBytes, 60_000);
});
