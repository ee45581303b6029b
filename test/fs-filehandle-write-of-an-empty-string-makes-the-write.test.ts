/**
 * FileHandle.write('') makes the write(2) of 0 bytes, as node:fs/promises's does: it answers
 * { bytesWritten: 0 } on a handle open for writing and EBADF on one open read-only (Node's
 * shortcut to 0 is for an empty Buffer or TypedArray only, which both answer without a call).
 * Found by the fs differential fuzz (test/fuzz/fs-api.ts, seed 1 case 265).
 */
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('write of an empty string: 0 on a writable handle, EBADF on a read-only one; an empty Buffer: 0 on both', async (t) => {
  const file = join(scratch(t), 'f');
  const reset = (): void => writeFileSync(file, 'abcdef');
  for (const flags of ['r', 'r+', 'a']) {
    for (const [label, data, position, encoding] of [
      ['empty string', '', undefined, undefined],
      ['empty string at 2, hex', '', 2, 'hex'],
      ['empty Buffer', Buffer.alloc(0), undefined, undefined],
    ] as const) {
      await sameOnBoth(async (fs) => {
        const handle = await fs.open(file, flags);
        try {
          return await handle.write(data as string, position, encoding);
        } finally {
          await handle.close();
        }
      }, reset, `${label} on a handle opened '${flags}'`);
    }
  }
});
