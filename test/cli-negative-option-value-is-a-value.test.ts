// A negative number after an option that takes a value is that value, not a missing one:
// `cp --qd -1` says the value is invalid (exit 2), where it used to say "needs a value". A
// word that looks like an option (`--dir --json`) still counts as a forgotten value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandArgs } from '../cli/args.js';
import { runCli } from './helpers/cli.js';

test('--qd -1 is an invalid value (exit 2), not a missing one', async () => {
  const run = await runCli(['cp', '--qd', '-1', 'a', 'b']);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, "syslet-aio cp: --qd -1: expected a whole number from 1 to 1024; run 'syslet-aio cp --help'\n");
  const options = { qd: { type: 'string', description: 'depth' }, json: { type: 'boolean', description: 'JSON' } } as const;
  assert.equal(parseCommandArgs(['--qd', '-1.5'], options, []).values.qd, '-1.5');
  assert.throws(() => parseCommandArgs(['--qd', '--json'], options, []), /option '--qd' needs a value/);
  assert.throws(() => parseCommandArgs(['--qd', '-x'], options, []), /option '--qd' needs a value/);
});
