/**
 * A call with an AbortSignal whose own removeEventListener throws (a subclass's, a polyfill's).
 * The library takes its 'abort' listener back when the call ends — often from a completion the
 * event loop delivers — and the exception escaped there as an uncaught exception that ended the
 * process (hunt28), where node:fs/promises's readFile resolves. The call's outcome now stands,
 * whatever the signal's method does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratch } from './helpers/fs-implementations.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('a signal whose removeEventListener throws leaves each call its outcome and the process alive', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'throwing-remove');
  const file = join(dir, 'data.bin');
  writeFileSync(file, Buffer.alloc(1 << 20, 7));
  const child = join(dir, 'child.mts');
  writeFileSync(
    child,
    `import * as sfs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
import * as nfs from 'node:fs/promises';
import { openSync } from 'node:fs';
import { aio } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
function throwingSignal() {
  const signal = new AbortController().signal;
  signal.removeEventListener = () => { throw new Error('removeEventListener threw'); };
  return signal;
}
const out = {};
for (const [name, fs] of [['node', nfs], ['syslet', sfs]]) {
  try { out[name + ' readFile'] = (await fs.readFile(${JSON.stringify(file)}, { signal: throwingSignal() })).length; } catch (e) { out[name + ' readFile'] = 'ERR ' + e.message; }
}
const fd = openSync(${JSON.stringify(file)}, 'r');
try { out['aio.read'] = await aio.read(fd, Buffer.alloc(65536), 0, { signal: throwingSignal() }); } catch (e) { out['aio.read'] = 'ERR ' + e.message; }
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify(out));
`,
  );
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', child], { cwd: ROOT, timeout: 50_000 }, (error, out, err) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout: out, stderr: err }));
  });
  assert.equal(code, 0, stderr);
  const seen = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(seen, { 'node readFile': 1 << 20, 'syslet readFile': 1 << 20, 'aio.read': 65536 });
});
