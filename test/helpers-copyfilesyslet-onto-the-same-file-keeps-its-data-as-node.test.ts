/**
 * copyFileSyslet(engine, f, f) must leave f as it was, as node:fs's copyFile does (libuv compares
 * the two files' st_dev/st_ino and copies nothing when they are one file), and so must a copy
 * onto the same file through another name (a symlink, a hard link, `dir/../dir/f`).
 *
 * Found by hunt19 from the packed package: copyFileSyslet resolved with 0 and left the file
 * EMPTY, on both engines, for all four names: its file.copy chain opens dst with
 * O_WRONLY|O_CREAT|O_TRUNC before the copy_file_range loop, so the truncation empties the source
 * it then copies from. (syslet-aio/fs's copyFile keeps the data: fs/chains-copy.ts compares the
 * stats first.)
 *
 * Fixed by the coordinator: file.copy opens dst without O_TRUNC and cuts it to the bytes copied
 * after the loop (copy_file_range refuses one file's overlapping ranges with EINVAL, which skips
 * the cut), and copyFileSyslet resolves 0 for that EINVAL when both names have one st_dev/st_ino.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { copyFileSyslet } from '../plugins/copy-file-syslet.js';
import { scratch } from './helpers/fs-implementations.js';

const DATA = 'precious data, not to be lost\n';

test('copyFileSyslet onto the same file, by any name, keeps its data as node:fs copyFile', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'copy-same');
  const engine = new Engine();
  t.after(() => engine.close());
  const names: Record<string, (file: string) => string> = {
    'the same path': (file) => file,
    'a symlink to it': (file) => {
      symlinkSync(file, `${file}.symlink`);
      return `${file}.symlink`;
    },
    'a hard link to it': (file) => {
      linkSync(file, `${file}.link`);
      return `${file}.link`;
    },
    'dir/../dir/name': (file) => join(dir, '..', dir.split('/').pop() ?? '', file.split('/').pop() ?? ''),
  };
  const got: Record<string, string> = {};
  const want: Record<string, string> = {};
  for (const [kind, other] of Object.entries(names)) {
    for (const side of ['node', 'syslet'] as const) {
      const file = join(dir, `${side}-${kind.replace(/\W+/g, '-')}`);
      writeFileSync(file, DATA);
      const src = other(file);
      if (side === 'node') {
        await copyFile(src, file);
        want[kind] = readFileSync(file, 'utf8');
      } else {
        await copyFileSyslet(engine, src, file).catch(() => undefined); // refusing is fine; emptying is not
        got[kind] = readFileSync(file, 'utf8');
      }
    }
  }
  assert.deepEqual(want, Object.fromEntries(Object.keys(names).map((kind) => [kind, DATA])), 'node:fs keeps the data');
  assert.deepEqual(got, want);
});
