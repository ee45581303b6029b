/**
 * The CLI's contract for mistakes: a usage error is one line on stderr and exit 2, a failure one
 * line and exit 1, help and version exit 0 on stdout. The exit codes are checked on a real child
 * process; the option-parsing cases run in-process through runCli, which is the same code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../cli/command.js';
import { COMMANDS } from '../cli/commands/index.js';
import { CliError, EXIT, UsageError } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli, type Registry } from '../cli/program.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

async function inProcess(args: readonly string[], registry?: Registry) {
  const io = bufferIo();
  const code = await runCli(args, io, registry);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** Exactly one non-empty line, newline-terminated. */
function assertOneLine(text: string): void {
  assert.match(text, /^[^\n]+\n$/, JSON.stringify(text));
}

test('an unknown command exits 2 with one line on stderr and nothing on stdout', async () => {
  const run = await cli(['frobnicate']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assertOneLine(run.stderr);
  assert.match(run.stderr, /^syslet-aio: unknown command 'frobnicate'; run 'syslet-aio --help'/);
});

test('--help exits 0 and lists every registered command', async () => {
  const run = await cli(['--help']);
  assert.equal(run.code, 0);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^Usage: syslet-aio \[<command>\] \[options\]$/m);
  // Summaries are prose (parentheses, dots): match them literally.
  const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const entry of COMMANDS) assert.match(run.stdout, new RegExp(`^  ${literal(entry.name)} +${literal(entry.summary)}`, 'm'));
});

test('--version prints the package version', async () => {
  const run = await cli(['--version']);
  assert.deepEqual(run, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

test('a command\'s --help, -h and help <command> exit 0 with its options', async () => {
  for (const args of [['info', '--help'], ['info', '-h'], ['help', 'info'], ['--help', 'info']]) {
    const run = await inProcess(args);
    assert.equal(run.code, EXIT.ok, args.join(' '));
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^Usage: syslet-aio info \[options\]$/m, args.join(' '));
    assert.match(run.stdout, /--json/);
  }
});

test('bad command lines exit 2 with one line naming the problem', async () => {
  const cases: [args: string[], message: RegExp][] = [
    [['info', '--bogus'], /^syslet-aio info: unknown option '--bogus'; run 'syslet-aio info --help'$/],
    [['info', '-q'], /unknown option '-q'/],
    [['info', '--dir'], /option '--dir' needs a value/],
    [['info', '--dir', '--json'], /option '--dir' needs a value/],
    [['info', '--json=yes'], /option '--json' takes no value/],
    [['info', 'extra'], /unexpected argument 'extra'/],
    [['--json'], /^syslet-aio: unknown option '--json' \(options go after the command/],
    [['help', 'frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const run = await inProcess(args);
    assert.equal(run.code, EXIT.usage, args.join(' '));
    assert.equal(run.stdout, '', args.join(' '));
    assertOneLine(run.stderr);
    assert.match(run.stderr.trimEnd(), message, args.join(' '));
  }
});

test('a failing command exits 1 with one line, whatever it threw', async () => {
  const failing = (error: unknown) => ({
    name: 'boom',
    summary: 'Fails on purpose',
    load: () => Promise.resolve({
      default: defineCommand({
        description: 'Throws.',
        options: {},
        positionals: [],
        examples: [],
        run() {
          throw error;
        },
      }),
    }),
  });
  const cases: [thrown: unknown, code: number, line: string][] = [
    [new CliError('cannot copy: ENOSPC'), EXIT.failure, 'syslet-aio boom: cannot copy: ENOSPC\n'],
    [new Error('first line\n  second line'), EXIT.failure, 'syslet-aio boom: first line second line\n'],
    [new UsageError('--count must be positive'), EXIT.usage, "syslet-aio boom: --count must be positive; run 'syslet-aio boom --help'\n"],
  ];
  for (const [thrown, code, line] of cases) {
    const run = await inProcess(['boom'], { commands: [failing(thrown)], defaultCommand: 'boom' });
    assert.deepEqual(run, { code, stdout: '', stderr: line });
  }
});

test('--dir that does not exist is a failure (exit 1), not a usage error', async () => {
  const run = await cli(['info', '--dir', '/nonexistent/syslet-aio']);
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assertOneLine(run.stderr);
  assert.match(run.stderr, /--dir \/nonexistent\/syslet-aio: no such directory \(ENOENT\)/);
});
