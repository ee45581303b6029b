/**
 * A JSON definition's flag names are looked up among the SYSLET_* names only: `"toString"`,
 * `"constructor"`, `"__proto__"`, `"valueOf"`, `["hasOwnProperty"]` or `"isPrototypeOf|STOP_ON_ZERO"`
 * are unknown flags (a PluginDefinitionError at `flags`), as `"STOP_ON_NEGATIV"` is (hunt26).
 * Before: plugins/json.ts flagsValue read `FLAG_NAMES[name]` on an ordinary object, found
 * Object.prototype's member (a function, or the prototype itself), and OR-ed it in as 0: the flag
 * was dropped without a word and the chain ran without the stop the author wrote.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitionFromJson, PluginDefinitionError } from '../plugins/index.js';

const NAMES: unknown[] = ['toString', 'constructor', '__proto__', 'valueOf', 'SYSLET_constructor', ['hasOwnProperty'], 'isPrototypeOf|STOP_ON_ZERO'];

test('flag names that are Object.prototype members are refused as unknown flags', () => {
  for (const flags of NAMES) {
    assert.throws(
      () => definitionFromJson({ name: 't.flags', atoms: [{ call: 'getpid', args: [], flags }] }),
      (error: unknown) => error instanceof PluginDefinitionError && error.field === 'flags',
      `flags ${JSON.stringify(flags)} was accepted`,
    );
  }
});

test('a real flag name is still taken (control)', () => {
  const definition = definitionFromJson({ name: 't.flags', atoms: [{ call: 'getpid', args: [], flags: 'STOP_ON_ZERO' }] });
  assert.equal(definition.atoms[0]?.flags, 0x10);
});
