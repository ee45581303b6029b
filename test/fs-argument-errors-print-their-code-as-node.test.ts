// Bad arguments throw errors that print as Node's do, with the code after the name —
// `TypeError [ERR_INVALID_ARG_TYPE]: The "options" argument must be ...` — in String(error) and
// on the stack's first line, and that are still instances of their class. (user16, a user's
// trial of the packed tarball: syslet-aio/fs printed `TypeError: The "options" ...`; the code,
// message, class and keys already matched.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch, withHandle, type FsPromises } from './helpers/fs-implementations.js';

/** What each bad call threw, as a user sees it printed. */
async function printed(fs: FsPromises, file: string): Promise<string[]> {
  const shown: string[] = [];
  const record = (error: unknown): void => {
    const err = error as Error & { code?: unknown };
    shown.push(`${String(err)} | ${err.stack?.split('\n')[0] ?? ''} | ${err.constructor.name} ${String(err instanceof TypeError)} ${String(err instanceof RangeError)} | ${Object.keys(err).join(',')}`);
  };
  await withHandle(fs, file, 'r', async (handle) => {
    await handle.read('x' as never, 0, 1, 0).then(() => shown.push('read resolved'), record);
    await handle.read(Buffer.alloc(8), 0, 100, 0).then(() => shown.push('read resolved'), record);
  });
  await fs.readFile({} as never).then(() => shown.push('readFile resolved'), record);
  await fs.open(file, 'zz').then(() => shown.push('open resolved'), record);
  return shown;
}

test('argument errors print their code after the name, as node:fs/promises\'s do', async (t) => {
  const file = join(scratch(t, 'argument-errors'), 'file.txt');
  writeFileSync(file, 'content');
  const [node, syslet] = await Promise.all(IMPLEMENTATIONS.map(({ fs }) => printed(fs, file)));
  assert.ok(node !== undefined && syslet !== undefined);
  assert.equal(node.length, 4);
  assert.ok(node.every((line) => / \[ERR_[A-Z_]+\]: /.test(line)), `Node's print their code: ${node.join('\n')}`);
  assert.deepEqual(syslet, node);
});
