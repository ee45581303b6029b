// Issue #8, policy: every hard-denied syscall, tried through 64-bit atoms (inline and on a
// cachemiss thread), plugins and compat32 images, yields -EPERM and a trace record naming its
// rule; unknown numbers are -ENOSYS; narrowing is per engine and one-way; signals go to this
// process only; SYSLET_AIO_DISABLED=1 turns everything off.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { SYSCALL_TABLE, isDenied, syscallByName } from '../engine/syscalls/table.js';
import type { TraceRecord } from '../engine/policy.js';
import { definePlugin } from '../plugins/plugin.js';
import { isPluginDefinitionError } from '../plugins/errors.js';
import type { AtomCall } from '../plugins/types.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { closeQuietly } from './fuzz/corpus.js';
import { runScenario } from './fuzz/child.js';

const DENIED = SYSCALL_TABLE.filter(isDenied);
const EPERM = -1;

test('the hard deny-list is documented: every entry has a reason', () => {
  assert.ok(DENIED.length >= 40);
  for (const spec of DENIED) assert.ok(spec.policy.deny.length > 10, `${spec.name} has no reason`);
  for (const name of ['io_uring_setup', 'io_uring_enter', 'io_uring_register', 'execve', 'fork', 'clone3', 'mmap', 'mprotect', 'ptrace', 'seccomp', 'bpf']) {
    const spec = syscallByName(name);
    assert.ok(spec !== undefined && isDenied(spec), `${name} must be hard-denied`);
  }
});

test('docs/reliability.md lists exactly the table\'s hard deny-list, with the same numbers and reasons', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'reliability.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `(\w+)` \| (\S+) \| (\S+) \| (.+) \|$/gm)) rows.set(match[1] as string, `${match[2]} ${match[3]} ${match[4]}`);
  const number = (n: number): string => (n < 0 ? '—' : String(n));
  assert.deepEqual([...rows.keys()].sort(), DENIED.map((spec) => spec.name).sort());
  for (const spec of DENIED) assert.equal(rows.get(spec.name), `${number(spec.x86_64)} ${number(spec.i386)} ${spec.policy.deny}`, spec.name);
});

for (const where of ['inline', 'cachemiss'] as const) {
  test(`every hard-denied syscall through an atom (${where}) is -EPERM with a trace record naming the rule`, async (t) => {
    const records: TraceRecord[] = [];
    const engine = new Engine({ threads: 2, onDeny: (record) => records.push(record) });
    t.after(() => closeQuietly(engine));
    let tried = 0;
    for (const spec of DENIED) {
      if (spec.x86_64 < 0) continue; // i386-only (mmap2, sigreturn): tried through compat32 below
      const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
      // Arguments that would be disastrous if the call ran (exit_group(0), munmap of the chain).
      const atom = chain.atom(spec.x86_64, [0, chain.region.start, 4096], { flags: where === 'cachemiss' ? SYSLET_ASYNC : 0 });
      const before = records.length;
      const done = await engine.runChain(chain.first);
      // Deny records from cachemiss threads arrive by message: wait for this one.
      while (records.length === before) await new Promise((resolve) => setImmediate(resolve));
      assert.equal(done.mode, where);
      assert.equal(done.result, EPERM, spec.name);
      assert.equal(atom.result.value, EPERM, `${spec.name}: ret cell`);
      const record = records[before] as TraceRecord;
      assert.equal(record.nr, spec.x86_64);
      assert.equal(record.atom, atom.at);
      assert.equal(record.thread, where);
      assert.equal(record.rule, `hard-deny: ${spec.policy.deny}`);
      chain[Symbol.dispose]();
      tried++;
    }
    t.diagnostic(`${tried} denied x86-64 syscalls tried ${where}`);
    assert.equal(records.length, tried);
  });
}

test('unknown and out-of-range numbers are -ENOSYS (no trace record); a number with high bits is -EINVAL', (t) => {
  const records: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => records.push(record) });
  t.after(() => closeQuietly(engine));
  const known = new Set(SYSCALL_TABLE.map((spec) => spec.x86_64));
  const unknown = [335, 400, 500, 1000, 1023, 1028, 1099, 1100, 99999, 0xffffffff].filter((nr) => !known.has(nr));
  for (const nr of unknown) {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
    const atom = chain.atom(nr);
    engine.runChainSync(chain.first);
    assert.equal(atom.result.value, -38, `nr ${nr}`);
    chain[Symbol.dispose]();
  }
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const atom = chain.atom('getpid');
  chain.setField(atom, 'nr', 0x1_0000_0000 + 39);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, -22);
  assert.equal(records.length, 0);
});

test('narrowing works per engine and is one-way', (t) => {
  const records: TraceRecord[] = [];
  const narrowed = new Engine({ allow: ['getpid'], onDeny: (record) => records.push(record) });
  const wide = new Engine();
  t.after(async () => {
    await closeQuietly(narrowed);
    await closeQuietly(wide);
  });
  const run = (engine: Engine, name: string, flags = 0): number => {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
    const atom = chain.atom(name, [], { flags });
    engine.runChainSync(chain.first);
    const result = Number(atom.result.value);
    chain[Symbol.dispose]();
    return result;
  };
  assert.equal(run(narrowed, 'getpid'), process.pid);
  assert.equal(run(narrowed, 'sched_yield'), EPERM);
  assert.equal(records.at(-1)?.rule, 'narrowed: not in this engine\'s allow-list');
  assert.equal(run(wide, 'sched_yield'), 0, 'the other engine is not narrowed');
  // Cachemiss threads share the narrowed state.
  assert.equal(run(narrowed, 'sched_yield', SYSLET_ASYNC), EPERM);
  // One-way: a wider allow-list later cannot bring sched_yield back.
  narrowed.policy.narrow(['getpid', 'sched_yield']);
  assert.equal(run(narrowed, 'sched_yield'), EPERM);
  assert.deepEqual(narrowed.policy.allowedNames(), ['getpid']);
  narrowed.policy.narrow([]);
  assert.equal(run(narrowed, 'getpid'), EPERM, 'narrowing to nothing denies everything');
  // A hard-denied or unknown name in an allow-list is a typed error, and nothing changes.
  assert.throws(() => new Engine({ allow: ['getpid', 'execve'] }), RangeError);
  assert.throws(() => new Engine({ allow: ['getpid', 'no_such_call'] }), RangeError);
  assert.throws(() => wide.policy.narrow(['io_uring_setup']), RangeError);
  assert.equal(run(wide, 'sched_yield'), 0);
});

test('signals go to this process only: kill/tgkill/rt_sigqueueinfo to another pid, a group or 0 are -EPERM "self-only"', (t) => {
  const records: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => records.push(record) });
  t.after(() => closeQuietly(engine));
  const attempt = (name: string, args: number[], extra: 'siginfo' | null = null): number => {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
    const list = extra === 'siginfo' ? [...args, chain.buffer(128)] : args;
    const atom = chain.atom(name, list);
    engine.runChainSync(chain.first);
    const result = Number(atom.result.value);
    chain[Symbol.dispose]();
    return result;
  };
  for (const target of [1, 0, -1, -process.pid, process.ppid]) {
    const before = records.length;
    assert.equal(attempt('kill', [target, 0]), EPERM, `kill(${target}, 0)`);
    assert.match(records[before]?.rule ?? '', /^self-only: kill/);
  }
  assert.equal(attempt('tgkill', [1, 1, 0]), EPERM);
  assert.equal(attempt('rt_sigqueueinfo', [1, 0], 'siginfo'), EPERM);
  assert.equal(attempt('rt_tgsigqueueinfo', [1, 1, 0], 'siginfo'), EPERM);
  assert.equal(attempt('kill', [process.pid, 0]), 0, 'signal 0 to ourselves is allowed');
  assert.ok(records.every((record) => record.rule.startsWith('self-only: ')));
});

test('SYSLET_AIO_DISABLED=1 makes every atom -EPERM in every engine', () => {
  const run = runScenario(['disabled'], { SYSLET_AIO_DISABLED: '1' });
  const line = JSON.parse(run.stdout.trim()) as { results: number[]; allowed: string[]; rules: string[] };
  assert.deepEqual(line.results, [EPERM, EPERM, EPERM, EPERM]);
  assert.deepEqual(line.allowed, []);
  assert.equal(line.rules.length, 2);
});

test('every hard-denied syscall in a plugin definition is a PluginDefinitionError naming the call', () => {
  for (const spec of DENIED) {
    if (spec.x86_64 < 0) continue;
    assert.throws(
      () => definePlugin({ name: 'evil.call', params: {}, atoms: [{ call: spec.name as AtomCall, args: [] }] }),
      (error: unknown) => isPluginDefinitionError(error) && error.field === 'call' && error.atomIndex === 0 && error.message.includes(spec.policy.deny),
      spec.name,
    );
  }
  // Composed or not, a denied call never gets past definition time.
  assert.throws(() => definePlugin({ name: 'evil.second', params: {}, atoms: [{ call: 'getpid', args: [] }, { call: 'io_uring_setup' as AtomCall, args: [] }] }), (error: unknown) => isPluginDefinitionError(error) && error.atomIndex === 1);
});

test('every hard-denied syscall in an i386 image is -EPERM after conversion (compat32)', async (t) => {
  const records: TraceRecord[] = [];
  const engine = new Engine({ onDeny: (record) => records.push(record) });
  t.after(() => closeQuietly(engine));
  let tried = 0;
  for (const spec of DENIED) {
    if (spec.i386 < 0) continue;
    const b = new ImageBuilder();
    const [atom] = b.atoms(1) as [number];
    const ret = b.word(0x77);
    b.setAtom(atom, { nr: spec.i386, ret, args: [b.word(0), b.word(4096)] });
    const image = parseImage(b.file(atom));
    using arena = Arena32.load(engine.memory, image);
    using conversion = convertChain(arena, engine.memory, image.entry);
    const before = records.length;
    const done = await runConverted(engine, conversion);
    assert.equal(done.result32, EPERM, `i386 ${spec.name} (${spec.i386})`);
    assert.equal(arena.i32(ret), EPERM, `i386 ${spec.name}: 32-bit ret word`);
    assert.match(records[before]?.rule ?? '', /^hard-deny: /, spec.name);
    tried++;
  }
  t.diagnostic(`${tried} denied i386 syscalls tried through compat32`);
  assert.ok(tried >= 40);
});
