/**
 * `handle.createWriteStream({ flush: true })` (Node 20.10+: fsync before the stream closes) works
 * on a syslet-aio/fs FileHandle as on Node's. Node's WriteStream checks that its `fs` has an
 * `fsync` when `flush` is set, and the handle's stream operations had none: the call threw
 * ERR_INVALID_ARG_TYPE 'The "options.fs.fsync" property must be of type function' (found by
 * hunt19 comparing 9 write-stream and 22 read-stream option sets with node:fs/promises).
 */
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('a write stream with flush: true writes, fsyncs and ends, as Node', { timeout: 60_000 }, async (t) => {
  const file = join(scratch(t, 'flush-stream'), 'f');
  await sameOnBoth(
    async (fs) => {
      const handle = await fs.open(file, 'r+');
      const stream = handle.createWriteStream({ flush: true });
      const ended = await new Promise<string>((resolve) => {
        stream.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.name}`));
        stream.write('12');
        stream.end('3', () => resolve('finished'));
      });
      await new Promise<void>((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
      return { ended, file: readFileSync(file, 'utf8'), bytesWritten: stream.bytesWritten };
    },
    () => writeFileSync(file, 'abcdefghij'),
  );
});
