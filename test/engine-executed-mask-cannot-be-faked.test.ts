// Which atoms ran is a fact the engine records (ExecOutcome.executed, the chainDone argument,
// lastSubmit.executed), not a value in a result cell: an atom whose real result is -2^63 (the
// value the plugin layer resets result cells to) is still reported as run, and an atom skipped
// by a stop flag is reported as not run, inline and on a cachemiss thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';

const MIN = -(2n ** 63n);

for (const [where, flags] of [['inline', 0], ['cachemiss', SYSLET_ASYNC]] as const) {
  test(`${where}: a result of -2^63 is still "executed"; a skipped atom is not`, (t) => {
    const engine = new Engine({ threads: 1 });
    t.after(() => engine.close());
    using chain = new ChainBuilder(engine.memory);
    const counter = chain.cell(2n ** 62n);
    // 2^62 + 2^62 = 2^63, which is -2^63 read as a signed word.
    const add = chain.atom('umem_add', [{ address: counter.at }, 2n ** 62n], { flags: flags | SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP });
    const onStop = chain.atom('getpid', []);
    const skipped = chain.atom('getppid', []);
    chain.link(onStop, null);
    void skipped;
    let executed = -1;
    const submitted = engine.submit(chain.first, { chainDone: (_last, _result, _atoms, _stop, _ns, mask) => (executed = mask) });
    if (submitted > 0) executed = engine.lastSubmit.executed;
    else engine.waitUntil(() => executed !== -1, 10_000);
    assert.equal(add.result.value, MIN, 'the real result is the sentinel value');
    assert.equal(executed, 0b011, 'umem_add and getpid ran, getppid did not');
    assert.equal(submitted > 0 ? 'inline' : 'cachemiss', where);
  });
}
