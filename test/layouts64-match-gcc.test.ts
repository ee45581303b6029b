// The x86-64 counterparts the compat32 converter writes (stat, timespec, iovec, siginfo, msghdr,
// the 88-byte atom) are what plain gcc says, field by field; the atom agrees with engine/atom.ts,
// and the struct stat offsets the engine's compat stat calls read agree with the checked layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUTS_X86_64, STAT64, UATOM64 } from '../compat32/layouts.js';
import { STAT_X86_64 } from '../engine/syscalls/stat-layouts.js';
import { ATOM } from '../engine/atom.js';
import { compilerProblem, expected, measure } from './layout-oracle.js';

test('every x86-64 struct layout matches gcc (offsetof and sizeof of every field)', (t) => {
  const problem = compilerProblem([]);
  if (problem !== null) {
    if (process.env.CI !== undefined && process.env.CI !== '') assert.fail(`CI must check the x86-64 layouts: ${problem}`);
    t.skip(problem);
    return;
  }
  const measured = measure(LAYOUTS_X86_64, []);
  assert.deepEqual(Object.fromEntries(measured), Object.fromEntries(expected(LAYOUTS_X86_64)));
  assert.deepEqual(measured.get('stat'), [0, 144]);
  assert.deepEqual(measured.get('msghdr'), [0, 56]);
});

test('the 64-bit atom layout is the one the executor uses', () => {
  const fields = UATOM64.fields;
  assert.deepEqual(
    [fields.flags.offset, fields.nr.offset, fields.ret_ptr.offset, fields.next.offset, fields.arg_ptr.offset, fields.private.offset, UATOM64.size],
    [ATOM.flags, ATOM.nr, ATOM.ret_ptr, ATOM.next, ATOM.arg_ptr, ATOM.private, ATOM.size],
  );
});

test('the x86-64 struct stat offsets the compat stat calls read are the checked ones', () => {
  const fields = STAT64.fields;
  assert.deepEqual(STAT_X86_64, Object.fromEntries(Object.keys(STAT_X86_64).map((name) => [name, fields[name as keyof typeof fields].offset])));
});
