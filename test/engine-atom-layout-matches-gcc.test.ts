// The 64-bit struct syslet_uatom and the v2 ring entry, as gcc lays them out: a tiny C program
// compiled at test time prints offsetof/sizeof of every field, and the engine's offsets must
// match — then an atom written by the ChainBuilder, and a v2 entry written by the engine, are read
// back at gcc's offsets. Without gcc the test skips locally and fails in CI.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, SYSLET_ASYNC, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { negotiateRing } from '../engine/ring.js';
import { skipOrFail, tempDir, untilIdle } from './helpers/engine.js';

const C_SOURCE = `
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
struct syslet_uatom {
  unsigned long flags;
  unsigned long nr;
  long *ret_ptr;
  struct syslet_uatom *next;
  unsigned long *arg_ptr[6];
  void *private;
};
struct syslet_ring_entry_v2 {
  uint64_t atom; int64_t result; uint64_t latency_ns;
  uint32_t atoms; uint32_t mode; uint32_t stop; uint32_t valid;
  uint64_t private;
};
#define F(s, m) printf(#s "." #m " %zu %zu\\n", offsetof(struct s, m), sizeof(((struct s *)0)->m))
int main(void) {
  printf("syslet_uatom %zu\\n", sizeof(struct syslet_uatom));
  F(syslet_uatom, flags); F(syslet_uatom, nr); F(syslet_uatom, ret_ptr); F(syslet_uatom, next);
  F(syslet_uatom, arg_ptr); F(syslet_uatom, private);
  printf("arg_ptr[1] %zu\\n", offsetof(struct syslet_uatom, arg_ptr[1]));
  printf("syslet_ring_entry_v2 %zu\\n", sizeof(struct syslet_ring_entry_v2));
  F(syslet_ring_entry_v2, atom); F(syslet_ring_entry_v2, result); F(syslet_ring_entry_v2, latency_ns);
  F(syslet_ring_entry_v2, atoms); F(syslet_ring_entry_v2, mode); F(syslet_ring_entry_v2, stop);
  F(syslet_ring_entry_v2, valid); F(syslet_ring_entry_v2, private);
  return 0;
}
`;

/** Compiles and runs the C program; returns label → numbers, or null after skipping. */
function measure(t: TestContext): Map<string, number[]> | null {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'layout.c'), C_SOURCE);
  const built = spawnSync('gcc', ['-m64', '-O0', '-Wall', '-Werror', join(dir, 'layout.c'), '-o', join(dir, 'layout')], { encoding: 'utf8' });
  if (built.error !== undefined) {
    skipOrFail(t, `gcc not found: ${built.error.message}`);
    return null;
  }
  assert.equal(built.status, 0, `gcc failed: ${built.stderr}`);
  const ran = spawnSync(join(dir, 'layout'), { encoding: 'utf8' });
  assert.equal(ran.status, 0);
  const measured = new Map<string, number[]>();
  for (const line of ran.stdout.trim().split('\n')) {
    const [label, ...numbers] = line.split(' ');
    measured.set(label ?? '', numbers.map(Number));
  }
  return measured;
}

test('struct syslet_uatom: the engine\'s offsets are gcc\'s', (t) => {
  const gcc = measure(t);
  if (gcc === null) return;
  assert.deepEqual(gcc.get('syslet_uatom'), [ATOM.size]);
  assert.deepEqual(gcc.get('syslet_uatom.flags'), [ATOM.flags, 8]);
  assert.deepEqual(gcc.get('syslet_uatom.nr'), [ATOM.nr, 8]);
  assert.deepEqual(gcc.get('syslet_uatom.ret_ptr'), [ATOM.ret_ptr, 8]);
  assert.deepEqual(gcc.get('syslet_uatom.next'), [ATOM.next, 8]);
  assert.deepEqual(gcc.get('syslet_uatom.arg_ptr'), [ATOM.arg_ptr, 48]);
  assert.deepEqual(gcc.get('arg_ptr[1]'), [ATOM.arg_ptr + 8]);
  assert.deepEqual(gcc.get('syslet_uatom.private'), [ATOM.private, 8]);
});

test('an atom the builder lays out reads back correctly at gcc\'s offsets', (t) => {
  const gcc = measure(t);
  if (gcc === null) return;
  const at = (field: string): number => gcc.get(`syslet_uatom.${field}`)?.[0] ?? -1;
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const first = chain.atom('umem_add', [counter.ref, 5], { flags: SYSLET_STOP_ON_NEGATIVE, private: 0x1234_5678_9abcn });
  const second = chain.atom('getpid', []);
  const view = chain.region.view;
  const base = first.at - chain.region.start;
  assert.equal(view.getBigUint64(base + at('flags'), true), BigInt(SYSLET_STOP_ON_NEGATIVE));
  assert.equal(view.getBigUint64(base + at('nr'), true), 1024n, 'umem_add is private syscall 1024');
  assert.equal(view.getBigUint64(base + at('ret_ptr'), true), BigInt(first.result.at));
  assert.equal(view.getBigUint64(base + at('next'), true), BigInt(second.at));
  assert.equal(second.at - first.at, gcc.get('syslet_uatom')?.[0], 'atoms are laid out contiguously, sizeof apart');
  const arg0 = Number(view.getBigUint64(base + at('arg_ptr'), true));
  assert.equal(view.getBigUint64(arg0 - chain.region.start, true), BigInt(counter.at), 'arg_ptr[0] points at a cell holding &counter');
  assert.equal(view.getBigUint64(base + at('private'), true), 0x1234_5678_9abcn);
  engine.runChainSync(chain.first);
  assert.equal(counter.value, 5);
});

test('the v2 ring entry: the engine writes each attribute at gcc\'s offset', (t) => {
  const gcc = measure(t);
  if (gcc === null) return;
  assert.deepEqual(gcc.get('syslet_ring_entry_v2'), [negotiateRing({ version: 2 }).entrySize]);
  const at = (field: string): number => gcc.get(`syslet_ring_entry_v2.${field}`)?.[0] ?? -1;
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const ring = engine.alloc(48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 48, capabilities: negotiateRing({ version: 2 }) }), 0);
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  chain.atom('umem_add', [counter.ref, 2], { flags: SYSLET_ASYNC });
  const last = chain.atom('umem_add', [counter.ref, -7], { flags: SYSLET_STOP_ON_NEGATIVE, private: 0xfeedn });
  assert.equal(engine.async_exec(chain.first), 0n);
  untilIdle(engine);
  const view = ring.view;
  assert.equal(view.getBigUint64(at('atom'), true), BigInt(last.at));
  assert.equal(view.getBigInt64(at('result'), true), -5n);
  assert.ok(view.getBigUint64(at('latency_ns'), true) > 0n);
  assert.equal(view.getUint32(at('atoms'), true), 2);
  assert.equal(view.getUint32(at('mode'), true), 1, 'cachemiss');
  assert.equal(view.getUint32(at('stop'), true), 1, 'flag');
  assert.equal(view.getUint32(at('valid'), true), 0b111111);
  assert.equal(view.getBigUint64(at('private'), true), 0xfeedn);
});
