// The i386 layouts in compat32/layouts.ts are what `gcc -m32` says they are, field by field,
// with the real system headers. Locally a missing 32-bit toolchain skips (with the reason); in
// CI it fails, because then the layouts would go unchecked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAYOUTS_I386 } from '../compat32/layouts.js';
import { compilerProblem, expected, measure } from './layout-oracle.js';

test('every i386 struct layout matches gcc -m32 (offsetof and sizeof of every field)', (t) => {
  const problem = compilerProblem(['-m32']);
  if (problem !== null) {
    if (process.env.CI !== undefined && process.env.CI !== '') assert.fail(`CI must check the i386 layouts: ${problem}`);
    t.skip(problem);
    return;
  }
  const measured = measure(LAYOUTS_I386, ['-m32']);
  const wanted = expected(LAYOUTS_I386);
  assert.equal(measured.size, wanted.size, 'the oracle printed one line per field');
  assert.deepEqual(Object.fromEntries(measured), Object.fromEntries(wanted));
  // The headline numbers from the 2007 ABI and glibc, spelled out so a reader sees them.
  assert.deepEqual(measured.get('syslet_uatom'), [0, 44]);
  assert.deepEqual(measured.get('aiocb'), [0, 144]);
  assert.deepEqual(measured.get('aiocb.aio_offset'), [104, 8]);
  assert.deepEqual(measured.get('stat64'), [0, 96]);
});
