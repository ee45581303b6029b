/**
 * The private call read_size(want, st, done, chunk), atom by atom: it asks for what is left of
 * st_size, clamped to `chunk`; it returns 0 once `done` reaches a non-zero st_size or when
 * `chunk` is 0; st_size 0 (unknown) asks for a whole chunk. Values past 2^53 take the BigInt
 * path with the same rule, and the table confines both pointers like any other call's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { EFAULT, type Word } from '../engine/native/index.js';
import { STAT_BYTES, STAT_SIZE_OFFSET } from '../plugins/builtin/file.js';
import { STRUCT_SIZES, SYSLET_NR, syscallByName } from '../engine/syscalls/table.js';

test('read_size is private call 1027, x86-64 only, on the struct stat the plugins use', () => {
  const spec = syscallByName('read_size');
  // The engine reads st_size at its own copy of the offset: the table cannot import the plugins.
  assert.equal(STAT_SIZE_OFFSET, 48);
  assert.equal(STRUCT_SIZES.stat, STAT_BYTES);
  assert.equal(spec?.x86_64, SYSLET_NR.read_size);
  assert.equal(spec?.x86_64, 1027);
  assert.equal(spec?.i386, -1);
  assert.equal(spec?.private, true);
});

test('read_size clamps what is left of st_size to the chunk, and says 0 when nothing is left', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const stat = chain.buffer(STAT_BYTES);
  const want = chain.cell(-1);
  const done = chain.cell(0);
  const chunk = chain.cell(0);
  const atom = chain.atom('read_size', [want.ref, stat, done, chunk]);
  const view = new DataView(stat.bytes.buffer, stat.bytes.byteOffset, STAT_BYTES);
  const call = (size: bigint, at: Word, most: Word): { result: Word; want: Word } => {
    view.setBigInt64(STAT_SIZE_OFFSET, size, true);
    done.value = at;
    chunk.value = most;
    want.value = -1;
    engine.runChainSync(chain.first);
    return { result: atom.result.value, want: want.value };
  };

  assert.deepEqual(call(10_000n, 0, 4096), { result: 4096, want: 4096 }, 'more than a chunk left: one chunk');
  assert.deepEqual(call(10_000n, 8192, 4096), { result: 1808, want: 1808 }, 'less than a chunk left: the rest');
  assert.deepEqual(call(10_000n, 10_000, 4096), { result: 0, want: 0 }, 'all of st_size read');
  assert.deepEqual(call(10_000n, 12_000, 4096), { result: 0, want: 0 }, 'more than st_size read (the file grew)');
  assert.deepEqual(call(0n, 0, 4096), { result: 4096, want: 4096 }, 'st_size 0 (procfs): a whole chunk');
  assert.deepEqual(call(0n, 5000, 4096), { result: 4096, want: 4096 }, 'st_size 0 after some bytes: still a chunk');
  assert.deepEqual(call(10_000n, 0, 0), { result: 0, want: 0 }, 'chunk 0: nothing to ask for');
  assert.deepEqual(call(-5n, 0, 4096), { result: 4096, want: 4096 }, 'a negative st_size is no size');

  // Past 2^53: the BigInt path, same rule. `done` and `chunk` are unsigned (-1 is 2^64 - 1).
  const huge = 2n ** 60n;
  assert.deepEqual(call(huge, 0, 1 << 20), { result: 1 << 20, want: 1 << 20 });
  assert.deepEqual(call(huge, huge - 5n, 1 << 20), { result: 5, want: 5 });
  assert.deepEqual(call(huge, huge, 1 << 20), { result: 0, want: 0 });
  assert.deepEqual(call(10_000n, -1, 4096), { result: 0, want: 0 }, 'done 2^64 - 1 is past st_size');
  assert.deepEqual(call(10_000n, 0, -1), { result: 10_000, want: 10_000 }, 'chunk 2^64 - 1 clamps to st_size');
  assert.deepEqual(call(huge, 0, 2n ** 55n), { result: 2n ** 55n, want: 2n ** 55n });
});

test('read_size\'s pointers are confined: outside engine memory is -EFAULT and nothing is written', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 2 });
  const stat = chain.buffer(STAT_BYTES);
  const want = chain.cell(7);
  const badWant = chain.atom('read_size', [{ address: 0xdead_beef_000 }, stat, 0, 4096]);
  const badStat = chain.atom('read_size', [want.ref, { address: 0xdead_beef_000 }, 0, 4096]);
  engine.runChainSync(chain.first);
  assert.equal(badWant.result.value, -EFAULT);
  assert.equal(badStat.result.value, -EFAULT);
  assert.equal(want.value, 7);
});
