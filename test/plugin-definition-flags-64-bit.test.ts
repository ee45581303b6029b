/**
 * Atom flags are checked as whole 64-bit values (issue 14 item 8): 2^32 used to pass definePlugin
 * (a 32-bit `&` sees 0) and fail at run time with EINVAL. Every value outside 0..0xff, and every
 * non-integer, is a PluginDefinitionError on `flags`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, PluginDefinitionError } from '../plugins/index.js';

for (const flags of [2 ** 32, 2 ** 32 + 0x20, 2 ** 40, 2 ** 53 - 1, -1, 0x100, 1.5, Number.NaN, '32', 32n]) {
  test(`flags ${typeof flags === 'bigint' ? `${flags}n` : JSON.stringify(flags) ?? String(flags)} is refused at definition`, () => {
    assert.throws(
      () => definePlugin({ name: 'test.flags', params: {}, atoms: [{ call: 'getpid', args: [], flags: flags as number }] }),
      (error: unknown) => error instanceof PluginDefinitionError && error.atomIndex === 0 && error.field === 'flags' && /invalid flags/.test(error.message),
    );
  });
}

test('every defined flag value passes', () => {
  for (let flags = 0; flags <= 0xff; flags++) {
    // SKIP_TO_NEXT_ON_STOP needs an atom after this one.
    definePlugin({ name: 'test.flagsOk', params: {}, atoms: [{ call: 'getpid', args: [], flags }, { call: 'getpid', args: [] }] });
  }
});
