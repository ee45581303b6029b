/**
 * A WriteStream over a syslet-aio/fs FileHandle (`handle.createWriteStream()`) whose write comes
 * back short or with EAGAIN ends as Node's: Node's stream writes the rest from the buffers its fs
 * callback passes back (lib/internal/fs/streams.js writeAll/writevAll, which also retries EAGAIN
 * up to 5 times and then fails with ERR_SYSTEM_ERROR). The handle's stream callbacks passed no
 * buffers, so the stream's `buffer.slice(...)` / `Buffer.concat(buffers)` threw a TypeError from
 * a promise callback and the process died (found by hunt19: a corked stream of 5,000 chunks, then
 * a non-blocking FIFO; both engines). Here: 100,000 bytes into a FIFO open O_NONBLOCK with an
 * idle reader, one write and two corked writes: the pipe takes 65,536, then EAGAIN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

test('a write stream whose write is short then EAGAIN ends with the error, as Node', { timeout: 60_000 }, async (t) => {
  const fifo = join(scratch(t, 'short-stream'), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const outcomes: Record<string, string[]> = {};
  for (const { name, fs } of IMPLEMENTATIONS) {
    const seen: string[] = (outcomes[name] = []);
    for (const corked of [false, true]) {
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const handle = await fs.open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        const stream = handle.createWriteStream();
        const ended = await new Promise<string>((resolve) => {
          stream.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.name}`));
          stream.on('finish', () => resolve('finish'));
          if (corked) {
            stream.cork();
            stream.write(Buffer.alloc(50_000, 1));
            stream.write(Buffer.alloc(50_000, 2));
            stream.uncork();
          } else {
            stream.write(Buffer.alloc(100_000, 1));
          }
          stream.end();
        });
        const drained = Buffer.alloc(200_000);
        let bytes = 0;
        try {
          bytes = readSync(reader, drained);
        } catch {
          bytes = -1;
        }
        seen.push(`${corked ? 'corked' : 'one write'}: ${ended}, ${bytes} bytes in the pipe`);
      } finally {
        closeSync(reader);
        await handle.close().catch(() => undefined);
      }
    }
  }
  assert.deepEqual(outcomes['syslet-aio/fs'], outcomes['node:fs/promises']);
  assert.equal(outcomes['node:fs/promises']?.length, 2);
});
