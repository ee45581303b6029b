// When io_uring is refused the engine uses cachemiss threads, says why in engine.asyncEngine,
// and works: a child process runs under a seccomp filter (test/fixtures/deny-io-uring.c, built
// here with gcc) that makes io_uring_setup/enter/register fail with EPERM (a container
// runtime's profile) or ENOSYS (a kernel without io_uring), or that lets the ring be set up and
// refuses io_uring_enter; in each case a read that must wait completes on a thread. With any
// seccomp filter installed, the default ('auto') picks threads without trying. And
// SYSLET_AIO_ENGINE=threads, or the engine option, force threads without trying.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineUrl } from './helpers/child.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'syslet-deny-uring-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const helper = join(dir, 'deny-io-uring');
const built = spawnSync('gcc', ['-O2', '-o', helper, fileURLToPath(new URL('./fixtures/deny-io-uring.c', import.meta.url))], { encoding: 'utf8' });
const noHelper = built.error !== undefined || built.status !== 0 ? `gcc cannot build the seccomp helper: ${built.error?.message ?? built.stderr.split('\n')[0] ?? ''}` : null;

const child = join(dir, 'child.mts');
writeFileSync(child, `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { socketPair } from ${JSON.stringify(new URL('./helpers/engine.ts', import.meta.url).href)};
import { writeSync } from 'node:fs';
const option = process.argv[2];
const engine = new Engine(option === 'default' ? {} : { engine: option });
const [reader, writer] = socketPair(engine);
const chain = new ChainBuilder(engine.memory);
const read = chain.atom('read', [reader, chain.buffer(16), 16]);
const done = engine.runChain(chain.first);
setTimeout(() => writeSync(writer, 'hello'), 20);
const completion = await done;
console.log(JSON.stringify({ ...engine.asyncEngine, mode: completion.mode, result: read.result.value, threads: engine.threads }));
await engine.close();
`);

interface Outcome { kind: string; reason?: string; mode: string; result: number; threads: number }

function run(prefix: readonly string[], option: string, env: NodeJS.ProcessEnv = process.env): Outcome {
  const [command, ...args] = [...prefix, process.execPath, '--import', 'tsx', child, option];
  const result = spawnSync(command, args, { encoding: 'utf8', env, cwd: ROOT, timeout: 60_000 });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Outcome;
}

test('io_uring_setup refused with EPERM (seccomp): threads, naming EPERM, and a blocking read completes', (t) => {
  if (noHelper !== null) return t.skip(noHelper);
  const outcome = run([helper, 'EPERM'], 'io_uring');
  assert.equal(outcome.kind, 'threads');
  assert.match(outcome.reason ?? '', /io_uring_setup gave EPERM/);
  assert.equal(outcome.result, 5);
  assert.equal(outcome.mode, 'cachemiss');
  assert.ok(outcome.threads >= 1);
});

test('io_uring_setup refused with ENOSYS (no io_uring in the kernel): threads, naming ENOSYS', (t) => {
  if (noHelper !== null) return t.skip(noHelper);
  const outcome = run([helper, 'ENOSYS'], 'io_uring');
  assert.equal(outcome.kind, 'threads');
  assert.match(outcome.reason ?? '', /io_uring_setup gave ENOSYS/);
  assert.equal(outcome.result, 5);
});

test('a ring that can be set up but not entered: threads, naming io_uring_enter', (t) => {
  if (noHelper !== null) return t.skip(noHelper);
  const outcome = run([helper, 'ENTER'], 'io_uring');
  assert.equal(outcome.kind, 'threads');
  assert.match(outcome.reason ?? '', /io_uring_enter gave EPERM/);
  assert.equal(outcome.result, 5);
});

test('with a seccomp filter installed, the default engine picks threads without trying', (t) => {
  if (noHelper !== null) return t.skip(noHelper);
  const outcome = run([helper, 'ENTER'], 'default');
  assert.equal(outcome.kind, 'threads');
  assert.match(outcome.reason ?? '', /seccomp filter/);
  assert.equal(outcome.result, 5);
});

test('SYSLET_AIO_ENGINE=threads forces threads, whatever the option says', () => {
  const outcome = run([], 'io_uring', { ...process.env, SYSLET_AIO_ENGINE: 'threads' });
  assert.equal(outcome.kind, 'threads');
  assert.equal(outcome.reason, 'SYSLET_AIO_ENGINE=threads');
  assert.equal(outcome.result, 5);
});

test('the engine option threads forces threads', () => {
  const outcome = run([], 'threads');
  assert.deepEqual([outcome.kind, outcome.reason], ['threads', 'engine option: threads']);
});

test('without a filter, this kernel gives the io_uring engine, and the read completes through it', (t) => {
  const outcome = run([], 'default', { ...process.env, SYSLET_AIO_ENGINE: '' });
  if (outcome.kind !== 'io_uring') return t.skip(`io_uring unavailable here: ${outcome.reason ?? ''}`);
  assert.equal(outcome.result, 5);
  assert.equal(outcome.mode, 'cachemiss');
});
