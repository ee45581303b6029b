// SYSLET_NO_COMPLETE on a chain's final atom keeps that chain out of the completion ring; the
// flag is read from the atom the chain ended on, so on an earlier atom it changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC, SYSLET_NO_COMPLETE } from '../engine/atom.js';
import { untilIdle } from './helpers/engine.js';

function withRing(engine: Engine, reportInline = false): void {
  const ring = engine.alloc(8 * 8);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 8 * 8, reportInline }), 0);
}

test('an asynchronous chain ending on a NO_COMPLETE atom is not posted', (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  withRing(engine);
  using silent = new ChainBuilder(engine.memory);
  const quiet = silent.atom('getpid', [], { flags: SYSLET_ASYNC | SYSLET_NO_COMPLETE });
  using loud = new ChainBuilder(engine.memory);
  const posted = loud.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(silent.first), 0n);
  assert.equal(engine.async_exec(loud.first), 0n);
  untilIdle(engine);
  assert.equal(quiet.result.value, process.pid, 'the silent chain did run');
  assert.deepEqual(engine.reap(), { atom: BigInt(posted.at) });
  assert.equal(engine.reap(), null, 'only the chain without NO_COMPLETE was posted');
});

test('NO_COMPLETE on an earlier atom does not silence the chain', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  withRing(engine);
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', [], { flags: SYSLET_ASYNC | SYSLET_NO_COMPLETE });
  const last = chain.atom('getpid', []);
  assert.equal(engine.async_exec(chain.first), 0n);
  untilIdle(engine);
  assert.deepEqual(engine.reap(), { atom: BigInt(last.at) });
});

test('with reportInline, an inline chain ending on a NO_COMPLETE atom is not posted either', () => {
  const engine = new Engine();
  withRing(engine, true);
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_NO_COMPLETE });
  assert.equal(engine.async_exec(chain.first), BigInt(atom.at));
  assert.equal(engine.reap(), null);
  using control = new ChainBuilder(engine.memory);
  const reported = control.atom('getpid', []);
  engine.async_exec(control.first);
  assert.deepEqual(engine.reap(), { atom: BigInt(reported.at) }, 'reportInline itself works');
});
