// `cp --sample` shows progress from its first moment (the sample is being written) and, on
// SIGTERM or SIGINT, stops, removes its temporary folder and exits 143 or 130 with one line. It
// used to show nothing while writing the sample and to die on a signal leaving the folder (a
// gigabyte sample: two gigabytes) behind. Each signal is sent to a child process at a different
// stage: SIGTERM while the sample is written, SIGINT while it is copied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './helpers/cli.js';

function sampleFolders(parent: string): string[] {
  return readdirSync(parent).filter((name) => name.startsWith('syslet-aio-sample-'));
}

async function untilStderr(output: () => { stderr: string }, pattern: RegExp, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!pattern.test(output().stderr)) {
    if (done) throw new Error(`exited before ${String(pattern)}: ${output().stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const { signal, stage, wait, size, code } of [
  { signal: 'SIGTERM', stage: 'writing the sample', wait: /^sample: 0%/m, size: '512m', code: 143 },
  { signal: 'SIGINT', stage: 'copying the sample', wait: /^copy: /m, size: '64m', code: 130 },
] as const) {
  test(`${signal} while ${stage}: the folder is removed, exit ${code}`, async (t) => {
    const parent = mkdtempSync(join(tmpdir(), 'syslet-aio-sample-signal-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    // One request of 4 KiB at a time makes the copy of 64 MiB last long enough to be interrupted.
    const { child, output, exited } = spawnCli(['cp', '--sample', size, '--qd', '1', '--bs', '4k'], { env: { ...process.env, TMPDIR: parent } });
    await untilStderr(output, wait, exited);
    assert.equal(sampleFolders(parent).length, 1, 'the sample folder exists while it runs');
    child.kill(signal);
    const end = await exited;
    assert.deepEqual(end, { code, signal: null }, output().stderr);
    assert.match(output().stderr, new RegExp(`syslet-aio cp: interrupted by ${signal}\\n$`));
    assert.deepEqual(sampleFolders(parent), [], 'no sample folder is left behind');
  });
}
