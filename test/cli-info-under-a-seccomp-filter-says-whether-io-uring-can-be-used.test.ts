// `syslet-aio info` in a process under a REAL seccomp filter (test/fixtures/refuse-and-limit.c):
// its io_uring row must say whether this process can use io_uring, and its engine row which engine
// a new Engine takes and why. With io_uring_setup refused (EPERM, ENOSYS) both say so. With a filter
// that lets io_uring_setup make a ring and refuses io_uring_enter and io_uring_register (or only
// register), the row says "yes: io_uring_setup(1) returned a ring" although no request can be
// submitted on it, nor its opcodes probed (engine/features.ts probed setup alone; the engine's
// own selection, engine/uring-select.ts, does enter and probe). Fixed in session 21 (coord21):
// the probe also enters the ring and registers a probe, and names the call refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cliArgv, ROOT } from './helpers/cli.js';
import { buildLauncher } from './helpers/limits-run.js';

const launcher = buildLauncher();

interface Info {
  readonly ioUring: { readonly supported: boolean; readonly errno: string | null; readonly detail: string };
  readonly asyncEngine: { readonly kind: string; readonly reason?: string };
}

function info(mode: string): Info {
  const env = { ...process.env };
  delete env.SYSLET_AIO_ENGINE;
  const run = spawnSync(launcher.path as string, [`--seccomp=${mode}`, '--', process.execPath, ...cliArgv(['info', '--json'])], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout) as Info;
}

for (const [mode, errno] of [['setup-eperm', 'EPERM'], ['setup-enosys', 'ENOSYS']] as const) {
  test(`io_uring_setup refused with ${errno}: the io_uring row says no with ${errno}, the engine row threads because of the filter`, (t) => {
    if (launcher.path === null) return t.skip(launcher.missing);
    const report = info(mode);
    assert.deepEqual([report.ioUring.supported, report.ioUring.errno], [false, errno]);
    assert.equal(report.asyncEngine.kind, 'threads');
    assert.match(report.asyncEngine.reason ?? '', /seccomp filter/);
  });
}

for (const [mode, call] of [['after-setup', 'io_uring_enter'], ['register', 'io_uring_register']] as const) {
  test(`a ring that can be set up but whose ${call} is refused: the io_uring row says no, naming ${call}`, (t) => {
    if (launcher.path === null) return t.skip(launcher.missing);
    const report = info(mode);
    assert.equal(report.ioUring.supported, false, report.ioUring.detail);
    assert.equal(report.ioUring.errno, 'EPERM');
    assert.match(report.ioUring.detail, mode === 'after-setup' ? /io_uring_enter/ : /io_uring_register|IORING_REGISTER_PROBE/);
  });
}
