/**
 * FileHandle.readableWebStream as Node's: `{ type: 'bytes' }` gives a byte stream that a BYOB
 * reader reads into its own views; one stream per handle (a second is ERR_INVALID_STATE "The
 * FileHandle is locked", even after the first ended or was cancelled); after close
 * ERR_INVALID_STATE "The FileHandle is closed"; a `type` that is not a string ERR_INVALID_ARG_TYPE.
 * syslet-aio/fs ignored the options: `getReader({ mode: 'byob' })` threw "The argument 'stream'
 * must be a byte stream", a second stream and one after close were made (the latter failing
 * later with EBADF) (found by hunt19 comparing 10 uses with node:fs/promises).
 */
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, type FsPromises } from './helpers/fs-implementations.js';

async function drain(stream: ReadableStream<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
  return bytes;
}

test('readableWebStream: byte streams, one per handle, and its state errors, as Node', { timeout: 60_000 }, async (t) => {
  const file = join(scratch(t, 'web-stream'), 'data');
  writeFileSync(file, Buffer.alloc(40_000, 3));
  const cases: Record<string, (fs: FsPromises) => Promise<unknown>> = {
    'a default stream reads the file': async (fs) => {
      await using handle = await fs.open(file);
      return await drain(handle.readableWebStream() as ReadableStream<Uint8Array>);
    },
    'a byte stream through a default reader': async (fs) => {
      await using handle = await fs.open(file);
      return await drain(handle.readableWebStream({ type: 'bytes' }) as ReadableStream<Uint8Array>);
    },
    'a byte stream through a BYOB reader': async (fs) => {
      await using handle = await fs.open(file);
      const reader = (handle.readableWebStream({ type: 'bytes' }) as ReadableStream<Uint8Array>).getReader({ mode: 'byob' });
      const sizes: number[] = [];
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(7000));
        if (done) break;
        sizes.push(value.byteLength);
      }
      return sizes;
    },
    'a second stream': async (fs) => {
      await using handle = await fs.open(file);
      handle.readableWebStream();
      return handle.readableWebStream();
    },
    'a second stream after the first ended': async (fs) => {
      await using handle = await fs.open(file);
      await drain(handle.readableWebStream() as ReadableStream<Uint8Array>);
      return handle.readableWebStream();
    },
    'a stream after close': async (fs) => {
      const handle = await fs.open(file);
      await handle.close();
      return handle.readableWebStream();
    },
    'a type that is not a string': async (fs) => {
      await using handle = await fs.open(file);
      return handle.readableWebStream({ type: 1 as unknown as 'bytes' });
    },
    'reads after a stream': async (fs) => {
      await using handle = await fs.open(file);
      const streamed = await drain(handle.readableWebStream() as ReadableStream<Uint8Array>);
      return [streamed, (await handle.read(Buffer.alloc(10), 0, 10, 0)).bytesRead];
    },
  };
  for (const [name, call] of Object.entries(cases)) {
    await sameOnBoth(async (fs) => {
      const value = await call(fs);
      // A stream is compared by its being one (its class is the same on both sides).
      return value instanceof ReadableStream ? 'a ReadableStream' : value;
    }, undefined, name);
  }
});
