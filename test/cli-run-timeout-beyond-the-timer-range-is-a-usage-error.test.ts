/**
 * `syslet-aio run --timeout <ms>` past the longest timer (2^31-1 ms, about 24.8 days) is a bad
 * command line: exit 2 with the option named, before any plugin is loaded. It was accepted by the
 * option check and refused later by the run itself, so `--timeout 2147483648` exited 1 ("an atom
 * failed") with the library's "timeout must be a number of milliseconds from 1 to 2147483647, got
 * 2147483648", naming no option (found by hunt19 with 120 odd command lines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';

async function run(args: readonly string[]) {
  const io = bufferIo();
  const code = await runCli(['run', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const PLUGIN = ['file.readAll', '--param', 'path=@/etc/hostname', '--param', 'buf=buf:64', '--param', 'chunk=64', '--param', 'chunks=64'];

test('run --timeout beyond 2147483647 ms is a usage error naming the option', async () => {
  for (const value of ['2147483648', '1e10', '9007199254740993']) {
    const result = await run([...PLUGIN, '--timeout', value]);
    assert.equal(result.code, EXIT.usage, `--timeout ${value}: ${result.stderr}`);
    assert.equal(result.stdout, '', `--timeout ${value}: nothing runs`);
    assert.match(result.stderr, new RegExp(`^syslet-aio run: --timeout ${value}: expected a positive number of milliseconds[^\\n]*2147483647[^\\n]*\\n$`));
  }
});

test('run --timeout 2147483647, the longest timer, is taken', async () => {
  const result = await run([...PLUGIN, '--timeout', '2147483647']);
  assert.notEqual(result.code, EXIT.usage, result.stderr);
  assert.match(result.stdout, /openat/, 'the chain ran and its atoms were printed');
});
