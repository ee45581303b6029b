/**
 * The README's plugin example runs as written: its TypeScript block under "### Writing syslet
 * plugins" is read from README.md, pointed at this checkout instead of the installed package,
 * and run with tsx in a directory holding hello.txt. It needs no engine.alloc and prints the
 * file. (The same code is typechecked as part of examples/custom-plugin.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './plugin-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the README plugin example prints the file it reads, without engine.alloc', async (t) => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^### Writing syslet plugins\n([\s\S]*?)^### /m.exec(readme)?.[1];
  assert.ok(section !== undefined, 'README.md has the section');
  const sample = /^```ts\n([\s\S]*?)^```/m.exec(section)?.[1];
  assert.ok(sample !== undefined, 'the section has a ts block');
  assert.ok(!sample.includes('engine.alloc'), 'no manual engine memory');
  const { dir, cleanup } = tempDir('readme-plugin');
  t.after(cleanup);
  writeFileSync(join(dir, 'hello.txt'), 'hello from the README\n');
  writeFileSync(join(dir, 'sample.mts'), sample.replace("from 'syslet-aio'", `from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)}`));
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), 'sample.mts'], { cwd: dir }, (error, out, err) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout: out, stderr: err });
    });
  });
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'hello from the README\n\n');
});
