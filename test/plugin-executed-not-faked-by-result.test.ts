/**
 * "Executed" is a fact the engine records, not a value in the result cell (issue 14 item 8): an
 * atom whose real result is -2^63 — the value result cells are reset to — is reported as
 * executed with that result, and an atom a stop flag skipped is reported as not executed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { definePlugin, SYSLET_STOP_ON_NEGATIVE } from '../plugins/index.js';

const wrap = definePlugin({
  name: 'test.wrap',
  params: {},
  cells: { n: 2n ** 62n },
  atoms: [
    // 2^62 + 2^62 is 2^63: -2^63 as a signed word. The stop flag then ends the chain.
    { call: 'umem_add', args: [{ ref: 'n' }, 2n ** 62n], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'getpid', args: [] },
  ],
});

test('a result of -2^63 is executed; the atom after the stop is not', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const result = await wrap.run(engine, {});
  assert.deepEqual(result.atoms.map((atom) => [atom.call, atom.executed, atom.result]), [
    ['umem_add', true, -(2n ** 63n)],
    ['getpid', false, undefined],
  ]);
  assert.equal(result.stop, 'flag');
});
