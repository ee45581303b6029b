/**
 * `syslet-aio cp` end to end: the CLI runs from source in a child process, as a user runs it,
 * and what it leaves on disk is checked byte for byte (SHA-256), along with its summary, its
 * exit codes and its one-line errors. Also the job `syslet-aio` runs with no arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIB = 1024 * 1024;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; uid?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const extra = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT, env: options.env ?? process.env, ...extra }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A fresh folder with a random file of `size` bytes in it. */
function fixture(size: number, mode = 0o644): { dir: string; src: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cli-cp-'));
  const src = join(dir, 'src.bin');
  writeFileSync(src, randomBytes(size));
  chmodSync(src, mode);
  return { dir, src, done: () => rmSync(dir, { recursive: true, force: true }) };
}

function assertOneLine(text: string): void {
  assert.match(text, /^[^\n]+\n$/, JSON.stringify(text));
}

interface Summary {
  src: string;
  dst: string;
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  qd: number;
  bs: number;
  threads: number;
  engine: 'io_uring' | 'threads';
  requests: number;
  reads: number;
  writes: number;
  inline: number;
  cachemiss: number;
  inlineShare: number;
  cachemissShare: number;
  latencyNs: { p50: number; p90: number; p99: number; max: number; mean: number } | null;
  verified: boolean | null;
  fsyncSeconds: number | null;
  sample: boolean;
}

/** The engine a CLI child started with this process's environment picks (io_uring where the kernel allows it). */
const probe = new Engine();
const EXPECTED_ENGINE = probe.asyncEngine.kind;
await probe.close();

/** The summary's numbers agree with each other and with the file copied. */
function assertSaneSummary(summary: Summary, size: number, bs: number): void {
  const blocks = Math.ceil(size / bs);
  assert.equal(summary.bytes, size);
  assert.equal(summary.bs, bs);
  assert.ok(summary.reads >= blocks, `reads ${summary.reads} >= ${blocks}`);
  assert.ok(summary.writes >= blocks, `writes ${summary.writes} >= ${blocks}`);
  assert.equal(summary.requests, summary.reads + summary.writes);
  assert.ok(summary.requests >= size / bs);
  // Every request is accounted for as either inline or cachemiss (Aiocb.lastCompletion).
  assert.equal(summary.inline + summary.cachemiss, summary.requests);
  assert.ok(Math.abs(summary.inlineShare + summary.cachemissShare - 1) < 1e-9);
  // Requests that did not complete inline are named for the engine that took them.
  assert.equal(summary.engine, EXPECTED_ENGINE);
  assert.ok(summary.seconds > 0 && summary.seconds < 60, `seconds ${summary.seconds}`);
  assert.ok(Math.abs(summary.mibPerSecond - size / MIB / summary.seconds) < 1e-6 * Math.max(1, summary.mibPerSecond));
  const latency = summary.latencyNs;
  assert.ok(latency !== null);
  assert.ok(latency.p50 > 0 && latency.p50 <= latency.p90 && latency.p90 <= latency.p99 && latency.p99 <= latency.max, JSON.stringify(latency));
}

test('cp copies a small file and a multi-block file of odd size byte for byte, keeping the mode', async () => {
  const small = fixture(1000, 0o640);
  // 3 MiB + 12345 bytes: 49 blocks of 64 KiB, the last one short, through a ring of 4.
  const large = fixture(3 * MIB + 12345, 0o600);
  try {
    const [a, b] = await Promise.all([
      cli(['cp', '--no-progress', small.src, join(small.dir, 'dst.bin')]),
      cli(['cp', '--no-progress', '--qd', '4', '--bs', '64k', large.src, join(large.dir, 'dst.bin')]),
    ]);
    for (const [run, { dir, src }, mode] of [[a, small, 0o640], [b, large, 0o600]] as const) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.equal(sha256(join(dir, 'dst.bin')), sha256(src));
      assert.equal(statSync(join(dir, 'dst.bin')).mode & 0o777, mode);
      assert.match(run.stdout, /^copied .* \((\d+) bytes\) in [\d.]+ s: [\d.]+ MiB\/s$/m);
      assert.match(run.stdout, EXPECTED_ENGINE === 'io_uring' ? /^ {2}inline +[\d.]+% \(\d+\), async through io_uring [\d.]+% \(\d+\)$/m : /^ {2}inline +[\d.]+% \(\d+\), on cachemiss threads [\d.]+% \(\d+\)$/m);
      assert.match(run.stdout, /^ {2}latency +p50 .+, p90 .+, p99 .+, max .+ per request$/m);
    }
    assert.match(b.stdout, /queue depth 4, block 64\.0 KiB/);
  } finally {
    small.done();
    large.done();
  }
});

test('cp --json prints one JSON document whose numbers add up', async () => {
  const size = 2 * MIB + 777;
  const { dir, src, done } = fixture(size);
  try {
    const run = await cli(['cp', '--json', '--no-progress', '--bs', '128k', src, join(dir, 'dst.bin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const summary = JSON.parse(run.stdout) as Summary;
    assertSaneSummary(summary, size, 128 * 1024);
    assert.equal(summary.src, src);
    assert.equal(summary.dst, join(dir, 'dst.bin'));
    assert.equal(summary.qd, 32);
    assert.ok(Number.isInteger(summary.threads) && summary.threads >= 1);
    assert.equal(summary.verified, null);
    assert.equal(summary.fsyncSeconds, null);
    assert.equal(summary.sample, false);
    assert.equal(sha256(join(dir, 'dst.bin')), sha256(src));
  } finally {
    done();
  }
});

test('cp --verify and --fsync report both, and a directory as <dst> receives the file', async () => {
  const size = MIB + 1;
  const { dir, src, done } = fixture(size);
  mkdirSync(join(dir, 'into'));
  try {
    const [json, text] = await Promise.all([
      cli(['cp', '--json', '--verify', '--fsync', '--qd', '2', '--bs', '4k', src, join(dir, 'dst.bin')]),
      cli(['cp', '--verify', '--no-progress', src, join(dir, 'into')]),
    ]);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as Summary;
    assertSaneSummary(summary, size, 4096);
    assert.equal(summary.verified, true);
    assert.ok(typeof summary.fsyncSeconds === 'number' && summary.fsyncSeconds >= 0);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}verify +identical$/m);
    assert.match(text.stdout, new RegExp(`^ {2}to +${join(dir, 'into', 'src.bin').replace(/[.]/g, '\\.')}$`, 'm'));
    assert.equal(sha256(join(dir, 'into', 'src.bin')), sha256(src));
  } finally {
    done();
  }
});

test('cp fails with exit 1 and one line: missing source, same file, unwritable destination', async () => {
  const { dir, src, done } = fixture(10_000);
  const before = sha256(src);
  linkSync(src, join(dir, 'hardlink.bin'));
  // An unwritable folder stops everyone but root, so as root the CLI runs as nobody.
  chmodSync(dir, 0o755);
  const readOnly = join(dir, 'read-only');
  mkdirSync(readOnly, 0o555);
  const asUser = process.getuid?.() === 0 ? { uid: 65534 } : {};
  try {
    const [missing, same, linked, unwritable] = await Promise.all([
      cli(['cp', join(dir, 'nope.bin'), join(dir, 'out.bin')]),
      cli(['cp', src, src]),
      cli(['cp', src, join(dir, 'hardlink.bin')]),
      cli(['cp', src, join(readOnly, 'out.bin')], asUser),
    ]);
    for (const run of [missing, same, linked, unwritable]) {
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      assertOneLine(run.stderr);
      assert.match(run.stderr, /^syslet-aio cp: /);
    }
    assert.match(missing.stderr.trimEnd(), /cannot open '.*nope\.bin': No such file or directory \(ENOENT\)$/);
    assert.match(same.stderr.trimEnd(), /are the same file$/);
    assert.match(linked.stderr.trimEnd(), /are the same file$/);
    assert.match(unwritable.stderr.trimEnd(), /cannot create '.*read-only\/out\.bin': Permission denied \(EACCES\)$/);
    // The refusal came before any truncation.
    assert.equal(sha256(src), before);
    assert.ok(!existsSync(join(dir, 'out.bin')));
  } finally {
    done();
  }
});

test('cp exits 2 with one line for a bad --qd, --bs or --threads, or a missing <dst>', async () => {
  const cases: [args: string[], message: RegExp][] = [
    [['--qd', '0', 'a', 'b'], /--qd 0: expected a whole number from 1 to 1024/],
    [['--qd', 'many', 'a', 'b'], /--qd many: expected a whole number/],
    [['--qd', '1025', 'a', 'b'], /--qd 1025: expected/],
    [['--bs', '0', 'a', 'b'], /--bs 0: expected a size from 1 to 64m/],
    [['--bs', '12q', 'a', 'b'], /--bs 12q: expected a size/],
    [['--bs', '65m', 'a', 'b'], /--bs 65m: expected a size/],
    [['--bs', '1.1k', 'a', 'b'], /--bs 1\.1k: expected a size/], // 1126.4 bytes
    [['--qd', '1024', '--bs', '64m', 'a', 'b'], /keep it within 1 GiB/],
    [['--threads', '0', 'a', 'b'], /--threads 0: expected a whole number/],
    [['--bs'], /option '--bs' needs a value/],
    [['a'], /missing argument <dst>/],
    [['a', 'b', 'c'], /unexpected argument 'c'/],
    [['--sample', '1m', 'x'], /unexpected argument 'x'/],
    [['--sample', 'lots'], /sample size 'lots': expected a size/],
  ];
  const runs = await Promise.all(cases.map(([args]) => cli(['cp', ...args])));
  cases.forEach(([args, message], i) => {
    const run = runs[i] as Run;
    assert.equal(run.code, 2, args.join(' '));
    assert.equal(run.stdout, '', args.join(' '));
    assertOneLine(run.stderr);
    assert.match(run.stderr, message, args.join(' '));
    assert.match(run.stderr, /; run 'syslet-aio cp --help'\n$/);
  });
});

test('syslet-aio with no arguments copies a built-in sample, verifies it, prints the summary and cleans up', async () => {
  const env = { ...process.env, SYSLET_AIO_SAMPLE_SIZE: '3m' };
  const [bare, explicit] = await Promise.all([cli([], { env }), cli(['cp', '--sample', '1m', '--json'])]);
  assert.equal(bare.code, 0, bare.stderr);
  const folder = /^sample: 3\.00 MiB of pseudo-random data in (\S+) \(removed afterwards\)$/m.exec(bare.stdout);
  assert.ok(folder !== null, bare.stdout);
  assert.match(bare.stdout, /^copied 3\.00 MiB \(3145728 bytes\) in /m);
  assert.match(bare.stdout, /^ {2}verify +identical$/m);
  assert.ok(!existsSync(folder[1] as string), 'the sample folder is removed');

  assert.equal(explicit.code, 0, explicit.stderr);
  const summary = JSON.parse(explicit.stdout) as Summary;
  assertSaneSummary(summary, MIB, 128 * 1024);
  assert.equal(summary.sample, true);
  assert.equal(summary.verified, true);
  assert.ok(!existsSync(summary.src) && !existsSync(summary.dst));
});

test('README: a new user copies a file with `syslet-aio cp <src> <dst>`', async () => {
  // The README's steps, literally, in a folder of their own: relative names, default options.
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cli-cp-readme-'));
  try {
    writeFileSync(join(dir, 'hello.txt'), 'hello, syslets\n');
    const run = await new Promise<Run>((resolve) => {
      const args = ['--import', import.meta.resolve('tsx'), join(ROOT, 'cli/main.ts'), 'cp', 'hello.txt', 'hello-copy.txt'];
      execFile(process.execPath, args, { cwd: dir }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^copied 15 B \(15 bytes\) in [\d.]+ s: [\d.]+ MiB\/s$/m);
    assert.match(run.stdout, /^ {2}to +hello-copy\.txt$/m);
    assert.equal(readFileSync(join(dir, 'hello-copy.txt'), 'utf8'), 'hello, syslets\n');
    // Progress goes to stderr (plain lines off a terminal), never into stdout.
    assert.doesNotMatch(run.stdout, /ETA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cp --help exits 0 and shows every option, and the program help marks cp as the default', async () => {
  const [own, program] = await Promise.all([cli(['cp', '--help']), cli(['--help'])]);
  assert.equal(own.code, 0);
  assert.match(own.stdout, /^Usage: syslet-aio cp \[options\] \[<src>\] \[<dst>\]$/m);
  for (const option of ['--qd <n>', '--bs <size>', '--threads <n>', '--verify', '--fsync', '--json', '--no-progress', '--sample']) {
    assert.ok(own.stdout.includes(option), option);
  }
  assert.equal(program.code, 0);
  assert.match(program.stdout, /^ {2}cp +Copy a file with POSIX AIO.*\(default\)$/m);
  assert.match(program.stdout, /^ {2}info +Report kernel features/m);
});
