/**
 * Switching is one import, types included: code typed against node:fs/promises, such as
 *
 *   import { open, type FileHandle } from 'node:fs/promises';
 *   const handle: FileHandle = await open(path);
 *
 * must type-check unchanged with 'syslet-aio/fs' in the import. open() is typed as Node's (it
 * answers Node's own FileHandle when it hands the call to node:fs/promises), so the type this
 * module exports as `FileHandle` must be Node's too. It was the syslet class, whose private
 * members Node's interface lacks: TS2740, "Type 'FileHandle' is missing the following properties
 * from type 'FileHandle': #private, [kSysletHandle], addListener, on, and 13 more" (user16, from
 * the installed tarball). The value `FileHandle` stays the class, for `instanceof`. The other
 * types node:fs/promises exports (FileReadResult, FlagAndOpenMode...) were missing (TS2614).
 *
 * Checked with the repository's compiler against the sources (dist/fs.d.ts is emitted from them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

test("a file typed against node:fs/promises's FileHandle type-checks with syslet-aio/fs in the import", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fh-type-'));
  try {
    const fsEntry = JSON.stringify(join(ROOT, 'fs.js'));
    writeFileSync(
      join(dir, 'switched.ts'),
      `import { open, FileHandle, type FileHandle as Handle } from ${fsEntry}; // was: from 'node:fs/promises'
import type { FileHandle as NodeFileHandle } from 'node:fs/promises';
export async function first(path: string): Promise<number> {
  const handle: Handle = await open(path, 'r');
  const node: NodeFileHandle = handle;
  const back: Handle = node;
  try {
    return (await back.read(Buffer.alloc(1), 0, 1, 0)).bytesRead;
  } finally {
    await handle.close();
  }
}
// The other types node:fs/promises exports, so that an import list of them switches too.
import type { CreateReadStreamOptions, CreateWriteStreamOptions, FileChangeInfo, FileReadOptions, FileReadResult, FlagAndOpenMode, ReadableWebStreamOptions } from ${fsEntry};
import type * as nodeFsp from 'node:fs/promises';
export type Same = [
  nodeFsp.CreateReadStreamOptions extends CreateReadStreamOptions ? true : never, nodeFsp.CreateWriteStreamOptions extends CreateWriteStreamOptions ? true : never,
  nodeFsp.FileChangeInfo<string> extends FileChangeInfo<string> ? true : never, nodeFsp.FileReadOptions extends FileReadOptions ? true : never,
  nodeFsp.FileReadResult<Buffer> extends FileReadResult<Buffer> ? true : never, nodeFsp.FlagAndOpenMode extends FlagAndOpenMode ? true : never,
  nodeFsp.ReadableWebStreamOptions extends ReadableWebStreamOptions ? true : never,
];
export async function kept(path: string): Promise<FileHandle | undefined> {
  const handle = await open(path);
  return handle instanceof FileHandle ? handle : undefined;
}
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023', lib: ['es2023', 'esnext.disposable'], module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true,
          skipLibCheck: true, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['switched.ts'],
      }),
    );
    const out = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, text: `${stdout}${stderr}` });
      });
    });
    assert.equal(out.code, 0, `tsc refused the switched file:\n${out.text}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
