/**
 * `syslet-aio info` end to end: the CLI runs from source in a child process, as a user would run
 * it, and its JSON report is checked against the table and this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSCALL_TABLE, isDenied } from '../engine/syscalls/table.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

const PROBES = ['rwfNowaitRead', 'rwfNowaitBufferedWrite', 'resolveCached', 'map32bit', 'ioUring', 'signalfd', 'eventfd'] as const;

test('info --json prints one JSON report with every probe and the policy', async () => {
  const run = await cli(['info', '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const report = JSON.parse(run.stdout) as Record<string, unknown> & {
    kernel: { release: string; machine: string };
    policy: { allowedCount: number; allowed: string[]; denied: { name: string; x86_64: number; reason: string }[]; disabledByEnv: boolean };
  };
  assert.equal(report.name, 'syslet-aio');
  assert.equal(report.version, VERSION);
  assert.equal(report.node, process.version);
  assert.equal(report.kernel.release, release());
  assert.equal(report.kernel.machine, 'x86_64');
  assert.equal(report.probeDir, tmpdir());
  assert.equal(typeof report.fileSystem, 'string');
  for (const name of PROBES) {
    const probe = report[name] as { supported: unknown; errno: unknown; detail: unknown };
    assert.equal(typeof probe.supported, 'boolean', name);
    assert.ok(probe.errno === null || typeof probe.errno === 'string', name);
    assert.ok(typeof probe.detail === 'string' && probe.detail.length > 0, name);
  }

  const { policy } = report;
  assert.equal(policy.disabledByEnv, false);
  assert.equal(policy.allowedCount, policy.allowed.length);
  assert.ok(policy.allowed.includes('pread64'));
  const denied = SYSCALL_TABLE.filter(isDenied).map((spec) => spec.name);
  assert.deepEqual(policy.denied.map((entry) => entry.name), denied);
  for (const entry of policy.denied) {
    assert.ok(entry.reason.length > 0, `${entry.name} has a reason`);
    assert.ok(!policy.allowed.includes(entry.name), `${entry.name} is not also allowed`);
  }
});

test('info with no options prints the human report', async () => {
  const [bare, json] = await Promise.all([cli(['info']), cli(['info', '--json'])]);
  assert.equal(bare.code, 0, bare.stderr);
  const report = JSON.parse(json.stdout) as { policy: { allowedCount: number; denied: unknown[] } };
  assert.ok(bare.stdout.startsWith(`syslet-aio ${VERSION} on Linux ${release()}`), bare.stdout.split('\n')[0]);
  assert.match(bare.stdout, /^Kernel features \(file probes in /m);
  assert.match(bare.stdout, /^ {2}RWF_NOWAIT reads +(yes|no) /m);
  assert.match(bare.stdout, new RegExp(`^  allowed: ${report.policy.allowedCount} calls$`, 'm'));
  assert.match(bare.stdout, new RegExp(`^  hard-denied: ${report.policy.denied.length} calls`, 'm'));
  assert.match(bare.stdout, /^ {4}fork +would duplicate the process/m);
});

test('info --dir probes there and leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cli-info-'));
  try {
    const run = await cli(['info', '--json', '--dir', dir]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { probeDir: string; rwfNowaitRead: { errno: string | null } };
    assert.equal(report.probeDir, dir);
    // The probe file could be made there, so a failure would be the kernel's, never ENOENT/EACCES.
    assert.ok(report.rwfNowaitRead.errno !== 'ENOENT' && report.rwfNowaitRead.errno !== 'EACCES');
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('info reports SYSLET_AIO_DISABLED=1 as a policy that allows nothing', async () => {
  const run = await cli(['info', '--json'], { ...process.env, SYSLET_AIO_DISABLED: '1' });
  assert.equal(run.code, 0, run.stderr);
  const { policy } = JSON.parse(run.stdout) as { policy: { allowedCount: number; disabledByEnv: boolean; denied: unknown[] } };
  assert.equal(policy.disabledByEnv, true);
  assert.equal(policy.allowedCount, 0);
  assert.ok(policy.denied.length > 0, 'the hard deny-list is reported regardless');
});
