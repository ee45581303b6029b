/**
 * `syslet-aio help help` (and `help --help`, `--help help`) asks what help does: it prints the
 * program's help and exits 0, as `git help help` answers, instead of "unknown command 'help'"
 * and exit 2. Checked in-process through runCli, the code the binary runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';

async function inProcess(args: readonly string[]) {
  const io = bufferIo();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('help about help prints the program help and exits 0', async () => {
  const programHelp = await inProcess(['--help']);
  assert.equal(programHelp.code, 0);
  for (const args of [['help', 'help'], ['help', '--help'], ['--help', 'help'], ['-h', '-h']]) {
    const run = await inProcess(args);
    assert.deepEqual(run, programHelp, args.join(' '));
  }
});
