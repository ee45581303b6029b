/**
 * Definitions written as JSON: flag names (with or without SYSLET_, `|`-joined or as an array)
 * become numbers, numbers pass through, and a malformed document — an unknown key included — is
 * a PluginDefinitionError naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import {
  definePlugin, definitionFromJson, PluginDefinitionError, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE,
} from '../plugins/index.js';

test('JSON definitions accept flag names and run like any other plugin', async (t) => {
  const document: unknown = JSON.parse(`{
    "name": "json.pids",
    "params": {},
    "atoms": [
      { "call": "getpid", "args": [], "flags": "STOP_ON_NEGATIVE|SYSLET_SKIP_TO_NEXT_ON_STOP", "next": 2 },
      { "call": "getppid", "args": [], "flags": ["STOP_ON_NEGATIVE"], "next": null },
      { "call": "kill", "args": [{ "result": 0 }, 0], "flags": 32 }
    ]
  }`);
  const definition = definitionFromJson(document);
  assert.deepEqual(definition.atoms.map((atom) => atom.flags), [SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, 32]);
  const engine = new Engine();
  t.after(() => engine.close());
  const outcome = await definePlugin(definition).run(engine, {});
  assert.deepEqual(outcome.atoms.map((atom) => atom.result), [process.pid, undefined, 0]);
});

test('malformed JSON definitions name the field at fault', () => {
  const cases: [document: unknown, atomIndex: number, field: string][] = [
    [[], -1, 'definition'],
    [{ name: 7, atoms: [] }, -1, 'name'],
    [{ name: 'j.x', atoms: {} }, -1, 'atoms'],
    [{ name: 'j.x', params: [], atoms: [] }, -1, 'params'],
    [{ name: 'j.x', atoms: ['getpid'] }, 0, 'atom'],
    [{ name: 'j.x', atoms: [{ call: 'getpid', args: [], flgs: 32 }] }, 0, 'flgs'],
    [{ name: 'j.x', atoms: [{ call: 'getpid', args: [] }, { call: 'getpid' }] }, 1, 'args'],
    [{ name: 'j.x', atoms: [{ call: 'getpid', args: [], flags: 'STOP_ON_MAYBE' }] }, 0, 'flags'],
  ];
  for (const [document, atomIndex, field] of cases) {
    assert.throws(() => definitionFromJson(document), (error: unknown) => error instanceof PluginDefinitionError && error.atomIndex === atomIndex && error.field === field, JSON.stringify(document));
  }
});
