/**
 * Engine.killCachemissThread (fault injection: end a thread as if it crashed) waits until a
 * thread that is still loading is ready before it ends it. Terminating a thread while koffi's
 * addon initialises can abort the whole process (koffi throws into the terminating isolate: the
 * fd-limit tests, which end threads while the pool starts new ones, aborted once under load),
 * and each such end counted as a failed start, so that after three the pool stopped starting
 * threads for a second: 40 rounds of "start a thread, end it 0-4 ms later" ended 4 threads before
 * (the other 36 found none), 40 after.
 *
 * In a child process, so that an abort would fail this test rather than end the test runner.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 40;

const CHILD = `
const { Engine } = await import('./index.ts');
const engine = new Engine({ engine: 'threads' });
let ended = 0;
for (let round = 0; round < ${ROUNDS}; round++) {
  void engine.warm(1, 5000).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, round % 5));
  if (await engine.killCachemissThread(0)) ended++;
}
await engine.close();
console.log(JSON.stringify({ ended }));
`;

test('ending cachemiss threads as they start ends each once it is ready, and the process lives', async () => {
  const run = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, signal: error?.signal ?? null, stdout, stderr });
    });
  });
  assert.deepEqual([run.code, run.signal], [0, null], run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { ended: ROUNDS });
});
