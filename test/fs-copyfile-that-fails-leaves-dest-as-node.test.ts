/**
 * A copyFile that fails once dest is open leaves dest as node:fs/promises's does (libuv's
 * uv_fs_copyfile truncates dest and gives it src's mode before it copies, and unlinks dest's path
 * when the copy fails): copying a directory onto a new name leaves no file, onto an existing file
 * removes that file, and through a symlink removes the link and leaves its target empty with the
 * directory's mode. Found by the fs differential fuzz (test/fuzz/fs-api.ts, seed 1 cases 55 and
 * 282, seed 2 case 0).
 */
import { test } from 'node:test';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:fs';
import { outcomeShape, sameOnBoth, scratch, settle } from './helpers/fs-implementations.js';

/** Every entry of `dir`: name, type, mode, and bytes or link target. */
function snapshot(dir: string): string[] {
  return readdirSync(dir).sort().map((name) => {
    const st = lstatSync(join(dir, name));
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(join(dir, name))}` : st.isFile() ? readFileSync(join(dir, name), 'latin1') : 'dir';
    return `${name} ${st.mode.toString(8)} ${what}`;
  });
}

test('copyFile of a directory: onto a new name, an existing file, a link to a file, a dangling link', async (t) => {
  const root = scratch(t);
  const dir = join(root, 'tree');
  const reset = (): void => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'd'), { recursive: true, mode: 0o750 });
    writeFileSync(join(dir, 'file'), 'contents', { mode: 0o640 });
    writeFileSync(join(dir, 'target'), 'target bytes', { mode: 0o600 });
    symlinkSync('target', join(dir, 'link'));
    symlinkSync('nowhere', join(dir, 'dangling'));
  };
  for (const dest of ['new', 'file', 'link', 'dangling']) {
    for (const mode of [0, constants.COPYFILE_EXCL]) {
      await sameOnBoth(async (fs) => {
        const outcome = await settle(() => fs.copyFile(join(dir, 'd'), join(dir, dest), mode));
        return [outcomeShape(outcome), snapshot(dir)];
      }, reset, `copyFile(d, ${dest}, ${mode})`);
    }
  }
});
