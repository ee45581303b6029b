/**
 * The README's quick start, step by step, with each step's output checked. The steps are read from
 * README.md itself (the plain sh blocks of "## Quick start"; the `sh clone` block is for a clone),
 * so the README cannot gain, lose or change a step without this test noticing: every line must be
 * one this test knows how to run and check.
 *
 * Each step runs in a fresh directory from source: `npx syslet-aio ARGS` becomes
 * `node --import tsx cli/main.ts ARGS`. That the same lines run from the installed tarball is
 * test/docs-samples-run's part; this one checks what they print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_COMMAND, findCommand } from '../cli/commands/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'cli', 'main.ts');
// Resolved here, because the steps run outside the repository, where `--import tsx` would not find it.
const TSX = import.meta.resolve('tsx');
const TIMEOUT_MS = 60_000;

/** How one CLI step ended. */
interface Run {
  readonly code: number | null;
  readonly pid: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** cli - `syslet-aio ARGS` from source, in `cwd`. */
function cli(cwd: string, args: readonly string[]): Promise<Run> {
  // `syslet-aio` alone copies a 64 MiB sample; 1 MiB exercises the same path in a test's time.
  const env = { ...process.env, SYSLET_AIO_SAMPLE_SIZE: '1m' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, pid: child.pid ?? -1, stdout, stderr }));
  });
}

/** quickStartLines - the command lines of README.md's "## Quick start" sh blocks, comments removed. */
function quickStartLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1];
  assert.ok(section !== undefined, 'README.md has a "## Quick start" section');
  const lines: string[] = [];
  for (const block of section.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    for (const line of (block[1] ?? '').split('\n')) {
      // A comment starts at " #" (none of the commands has a # of its own).
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '' && !command.startsWith('#')) lines.push(command);
    }
  }
  return lines;
}

test('the README quick start: install, copy a file, run an example plugin, inspect a compat32 image', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-readme-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The installed package ships examples/; from source, link them where the step names them.
  symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));

  const lines = quickStartLines();
  // The steps the issue asks a new user to be able to take, each present in the README.
  for (const step of ['npm install syslet-aio', 'cp ', 'run examples/pid.json', 'compat32 sample ', 'compat32 inspect ']) {
    assert.ok(lines.some((line) => line.includes(step)), `README quick start has a '${step.trim()}' step:\n${lines.join('\n')}`);
  }

  for (const line of lines) {
    if (line === 'npm install syslet-aio') {
      // Installing is what this checkout has already done; docs-samples-run installs the tarball.
      await t.test(line, { skip: 'the checkout running this test is installed' }, () => {});
      continue;
    }
    const echo = /^echo '([^']*)' > (\S+)$/.exec(line);
    if (echo !== null) {
      await t.test(line, () => {
        writeFileSync(join(dir, echo[2] as string), `${echo[1]}\n`);
      });
      continue;
    }
    // `npx syslet-aio` with no command runs the default one.
    const args = line === 'npx syslet-aio' ? [] : /^npx syslet-aio (.+)$/.exec(line)?.[1]?.split(/\s+/);
    assert.ok(args !== undefined, `the quick start line '${line}' is one this test can run`);
    const command = args[0] ?? DEFAULT_COMMAND;
    const skip = findCommand(command) === undefined ? `${command} not registered yet` : false;
    await t.test(line, { skip }, async () => {
      const run = await cli(dir, args);
      assert.equal(run.code, 0, `${line}\n${run.stdout}${run.stderr}`);
      checkStep(dir, args, run);
    });
  }
});

/** checkStep - what each kind of step must have done, beyond exiting 0. */
function checkStep(dir: string, args: readonly string[], run: Run): void {
  const [command = DEFAULT_COMMAND, action, file, target] = args;
  switch (args.length === 0 ? 'default' : command) {
    case 'default':
      // The default command with no files copies a built-in sample and checks the copy.
      assert.match(run.stdout, /^copied .*\(\d+ bytes\)/m);
      assert.match(run.stdout, /^ +verify +identical$/m);
      break;
    case 'info':
      assert.match(run.stdout, /^syslet-aio \d+\.\d+\.\d+ on Linux /);
      assert.match(run.stdout, /RWF_NOWAIT reads/);
      break;
    case 'cp': {
      // cp SRC DST: the copy has the source's bytes (the source is the file the echo step wrote).
      const src = join(dir, action as string);
      const dst = join(dir, file as string);
      assert.ok(existsSync(dst), `cp wrote ${dst}`);
      assert.deepEqual(readFileSync(dst), readFileSync(src));
      assert.ok(readFileSync(src).length > 0, 'the copied file is not empty');
      break;
    }
    case 'run':
      assert.equal(action, 'examples/pid.json');
      assert.match(run.stdout, /^example\.selfCheck: stopped \(end\) after atom 1 \(check\), 2 atoms run, (inline|cachemiss),/);
      // getpid ran in the CLI's own process, and kill(pid, 0) on that pid succeeded.
      assert.match(run.stdout, new RegExp(`^ +0 +getpid +${run.pid}$`, 'm'));
      assert.match(run.stdout, /^ +1 +kill +0$/m);
      break;
    case 'compat32': {
      const image = readFileSync(join(dir, file as string));
      assert.equal(target, undefined);
      if (action === 'sample') {
        assert.equal(image.subarray(0, 8).toString('latin1'), 'SYSLET32');
        assert.match(run.stdout, /^wrote \S+: i386 image at 0x90000000, entry 0x90000000, 4096 bytes, 6 atoms$/m);
      } else {
        assert.equal(action, 'inspect');
        // The 32-bit atom table: i386 syscall numbers (getpid 20, openat 295, read 3, write 4).
        assert.match(run.stdout, /^0 +0x90000000 +20 +getpid +STOP_ON_NEGATIVE/m);
        assert.match(run.stdout, /^1 +0x9000002c +295 +openat /m);
        assert.match(run.stdout, /^2 +0x90000058 +3 +read /m);
        assert.match(run.stdout, /^5 +0x900000dc +4 +write .* NULL /m);
      }
      break;
    }
    default:
      assert.fail(`no check for the quick start step '${args.join(' ')}'`);
  }
}
