/**
 * Every program in examples/ runs as its user would run it (`node --import tsx examples/x.ts`,
 * in a child process, from the repository root) and prints what it claims to: the POSIX AIO port
 * reads every byte of a file the test made, the compat32 round trip runs the i386 chain in its own
 * process and refuses a broken image, the custom plugin appends through its chain. A last check
 * makes sure no example is added without a run here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// A child that hangs (an event loop kept alive by a leaked handle) fails the test instead of stalling it.
const TIMEOUT_MS = 60_000;

/** How one example run ended; `pid` is the child's, to compare with what the chain reports. */
interface Run {
  readonly code: number | null;
  readonly pid: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runExample - `node --import tsx examples/<name> ...args` from the repository root. */
function runExample(name: string, args: readonly string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', name), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, pid: child.pid ?? -1, stdout, stderr }));
  });
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-examples-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const TESTED = new Set<string>();

test('posix-aio-port.ts: the ported aio_read/aio_suspend loop reads every byte of a given file', async (t) => {
  TESTED.add('posix-aio-port.ts');
  const dir = tempDir(t);
  const file = join(dir, 'data.bin');
  // Seven blocks, the last one short: fewer than QD (8), so each aiocb is submitted once, one gets
  // the short read and one reads at EOF (0 bytes). The file below has more blocks than QD.
  writeFileSync(file, Buffer.alloc(6 * 4096 + 1000, 7));
  const small = await runExample('posix-aio-port.ts', [file]);
  assert.equal(small.code, 0, small.stderr);
  assert.equal(small.stderr, '');
  assert.deepEqual(small.stdout.trimEnd().split('\n'), [
    `${6 * 4096 + 1000} bytes`,
    'aio.read: 4096 bytes',
    'aio.read on a closed fd: EBADF (errno 9)',
  ]);

  // 20 blocks: each of the 8 aiocbs is resubmitted at a later offset, the loop's other half.
  const big = join(dir, 'big.bin');
  writeFileSync(big, Buffer.alloc(20 * 4096 + 5, 1));
  const large = await runExample('posix-aio-port.ts', [big]);
  assert.equal(large.code, 0, large.stderr);
  assert.equal(large.stdout.split('\n')[0], `${20 * 4096 + 5} bytes`);
});

test('posix-aio-port.ts: without an argument it reads the file it writes itself', async () => {
  const run = await runExample('posix-aio-port.ts');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.split('\n')[0], `${5 * 4096 + 123} bytes`);
});

test('compat32-roundtrip.ts: the i386 image is saved, inspected, converted, run in the process, and a broken one refused', async (t) => {
  TESTED.add('compat32-roundtrip.ts');
  const dir = tempDir(t);
  const image = join(dir, 'sample.img');
  const run = await runExample('compat32-roundtrip.ts', [image]);
  assert.equal(run.code, 0, run.stderr);
  // The file it left is a headed image (magic SYSLET32) at the sample's base.
  const bytes = readFileSync(image);
  assert.equal(bytes.subarray(0, 8).toString('latin1'), 'SYSLET32');
  assert.equal(bytes.readUInt32LE(12), 0x90000000);

  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines[0], 'image: base 0x90000000, entry 0x90000000, 4096 bytes');
  assert.equal(lines[1], 'i386 atoms: getpid openat read close write write');
  // i386 numbers in the inspect table (getpid 20, openat 295), x86-64 ones after conversion (39,
  // and 1041: an i386 openat becomes openat_nonlfs, which answers EOVERFLOW as i386 does).
  assert.match(run.stdout, /^0 {2}0x90000000 {2}20 {3}getpid/m);
  assert.match(run.stdout, /^converted: 6 atoms, 44 → 88 bytes each$/m);
  assert.match(run.stdout, /295 openat +0x[0-9a-f]+ +1041 openat_nonlfs +sign-extend: 0xffffff9c → -100$/m);
  assert.match(run.stdout, /^run: stopped end after 6 atoms \((inline|cachemiss)\), wrote back 6 words$/m);
  // The chain ran in the example's own process: getpid's 32-bit result word is the child's pid.
  assert.match(run.stdout, new RegExp(`^ {2}#0 getpid = ${run.pid}$`, 'm'));
  assert.match(run.stdout, /^ {2}#2 read = 5$/m); // "node\n" from /proc/self/comm
  assert.match(run.stdout, /^ {2}#5 write = 5$/m);
  assert.match(run.stdout, /^getpid matches process\.pid: true$/m);
  assert.equal(lines.at(-1), 'refused: atom 0, next, EFAULT (errno 14)');
  // The chain's own writes went to fd 2, straight from the converted atoms.
  assert.equal(run.stderr, 'compat32 sample: an i386 syslet chain, converted to x86-64, running in process node\n');
});

test('custom-plugin.ts: appends two lines through its chain and shows a template refused at definition', async () => {
  TESTED.add('custom-plugin.ts');
  const run = await runExample('custom-plugin.ts');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
  const lines = run.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5, run.stdout);
  assert.match(lines[0] ?? '', /^log\.append \((inline|cachemiss), stop end after close, 4 atoms\): open=\d+ write=11 closeAfterError=- sync=0 close=0$/);
  assert.match(lines[1] ?? '', /^log\.append \((inline|cachemiss), stop end after close, 4 atoms\): open=\d+ write=12 closeAfterError=- sync=0 close=0$/);
  assert.equal(lines[2], 'log: "first line\\nsecond line\\n"');
  assert.equal(lines[3], "rejected: plugin 'log.broken' atom 0 args[0]: refers to atom 1 ('pid'), which does not run before atom 0 on every path");
  assert.equal(lines[4], "rejected: plugin 'log.typo' atom 0 call: unknown syscall 'opneat'");
});

test('every TypeScript example has a run above', () => {
  // node:test runs top-level tests in order, so the ones above have registered their names.
  const examples = readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.ts')).sort();
  assert.deepEqual(examples, [...TESTED].sort());
});
