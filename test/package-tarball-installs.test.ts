/**
 * Packaging (issue #9): the tarball `npm pack` makes is what users get, so test that, not the
 * working tree. Build, pack, install the tarball into an empty folder, then use it the way a
 * consumer would: the `syslet-aio` bin through npx, `import ... from 'syslet-aio'` under plain
 * node (no tsx), a chain that runs inline and one that goes to a cachemiss thread (whose worker
 * entry must resolve inside the installed layout), and a typecheck against the shipped .d.ts.
 *
 * Needs the npm registry or a warm npm cache (see test/helpers/tarball.ts, which builds, packs
 * and installs; test/docs-samples-run uses the same).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consumerTsconfig, installPackedTarball, ROOT, run } from './helpers/tarball.js';

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let work = '';
let consumer = '';
let tarballFiles: readonly string[] = [];

before(async () => {
  const installed = await installPackedTarball();
  work = installed.work;
  consumer = installed.consumer;
  tarballFiles = installed.files;
});

after(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('the tarball ships the built package and no test or bench sources', () => {
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/engine/cachemiss-worker.js', 'dist/engine/cachemiss-worker.cjs', 'dist/fs.js', 'dist/fs.d.ts', 'dist/pkg/index.js', 'dist/pkg/fs.js', 'dist/pkg/main.js', 'docs/fs.md']) {
    assert.ok(tarballFiles.includes(needed), `${needed} is in the tarball`);
  }
  const unwanted = tarballFiles.filter(
    (file) => /^(dist\/)?(test|bench)\//.test(file) || (file.endsWith('.ts') && !file.endsWith('.d.ts')) || file.startsWith('docs/api/'),
  );
  assert.deepEqual(unwanted, [], 'no test/bench code, no TypeScript sources, no generated API docs');
});

test('the bin runs through npx: --version and info --json', async () => {
  // --no: never fetch a `syslet-aio` from the registry; only the bin the tarball installed counts.
  // `--`: without it npx (npm 11) takes --version as its own flag and prints npm's version.
  const version = await run('npx', ['--no', '--', 'syslet-aio', '--version'], consumer);
  assert.equal(version.stdout.trim(), PKG.version);

  const info = await run('npx', ['--no', '--', 'syslet-aio', 'info', '--json'], consumer);
  const report = JSON.parse(info.stdout) as { name: string; version: string; kernel: { machine: string }; rwfNowaitRead: { supported: boolean } };
  assert.equal(report.name, PKG.name);
  assert.equal(report.version, PKG.version);
  assert.equal(report.kernel.machine, 'x86_64');
  assert.equal(typeof report.rwfNowaitRead.supported, 'boolean');
});

test('import from the installed package runs chains inline and on a cachemiss thread', async () => {
  // Plain node, no tsx: the shipped JavaScript must run on its own. The second chain's
  // SYSLET_ASYNC sends it to a cachemiss thread, so the worker entry is loaded from the install.
  writeFileSync(
    join(consumer, 'chain.mjs'),
    `import { Engine, ChainBuilder, SYSLET_ASYNC, SYSLET_STOP_ON_NEGATIVE, STOP } from 'syslet-aio';
const engine = new Engine({ threads: 1 });
const chain = new ChainBuilder(engine.memory);
const pid = chain.atom('getpid', [], { flags: SYSLET_STOP_ON_NEGATIVE });
const alive = chain.atom('kill', [pid, 0]);
const inline = await engine.runChain(chain.first);
const async = new ChainBuilder(engine.memory);
async.atom('getpid', [], { flags: SYSLET_ASYNC });
const cachemiss = await engine.runChain(async.first);
console.log(JSON.stringify({
  resolved: import.meta.resolve('syslet-aio'),
  pid: process.pid,
  getpid: Number(pid.result.value),
  kill: Number(alive.result.value),
  inline, cachemiss, end: STOP.end,
}));
chain[Symbol.dispose]();
async[Symbol.dispose]();
await engine.close();
`,
  );
  const out = await run(process.execPath, ['chain.mjs'], consumer);
  const result = JSON.parse(out.stdout) as {
    resolved: string;
    pid: number;
    getpid: number;
    kill: number;
    inline: { result: number; atoms: number; stop: number; mode: string };
    cachemiss: { result: number; atoms: number; stop: number; mode: string };
    end: number;
  };
  const installed = pathToFileURL(join(realpathSync(consumer), 'node_modules', 'syslet-aio')).href;
  assert.ok(result.resolved.startsWith(installed), `resolved from the install, not the repository: ${result.resolved}`);
  assert.equal(result.getpid, result.pid, 'getpid returned the child\'s pid');
  assert.equal(result.kill, 0, 'kill(pid, 0) on the fed-forward pid succeeded');
  const { inline, cachemiss } = result;
  assert.deepEqual([inline.mode, inline.atoms, inline.result, inline.stop], ['inline', 2, 0, result.end], 'both atoms ran inline to the end');
  assert.deepEqual([cachemiss.mode, cachemiss.atoms, cachemiss.result, cachemiss.stop], ['cachemiss', 1, result.pid, result.end], 'the ASYNC chain ran on a cachemiss thread');
});

test('a TypeScript consumer typechecks against the shipped declarations', async () => {
  // The repository's own compiler, pointed at the consumer: checks that the `types` condition
  // leads to declarations that describe the API (wrong argument types must be rejected too).
  writeFileSync(
    join(consumer, 'check.ts'),
    `import { Engine, ChainBuilder, type ChainCompletion } from 'syslet-aio';
const engine = new Engine();
const chain = new ChainBuilder(engine.memory);
chain.atom('getpid', []);
export const done: Promise<ChainCompletion> = engine.runChain(chain.first);
// @ts-expect-error runChain takes an atom address, not a builder
engine.runChain(chain);
`,
  );
  writeFileSync(join(consumer, 'tsconfig.json'), consumerTsconfig(['check.ts']));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  assert.ok(existsSync(tsc), 'the repository has TypeScript installed');
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
});

test('the example plugins and the JSON schema ship, and `syslet-aio run examples/…` works from a folder that has none', async () => {
  for (const shipped of ['examples/pid.json', 'examples/read-file.json', 'schema/plugin.schema.json']) {
    assert.ok(tarballFiles.includes(shipped), `${shipped} is in the tarball`);
  }
  // A fresh folder of the consumer: no examples/ of its own, so the bin must find the shipped ones.
  const fresh = join(consumer, 'fresh');
  mkdirSync(fresh);
  writeFileSync(join(fresh, 'hello.txt'), 'hello, syslets\n');
  const pid = await run('npx', ['--no', '--', 'syslet-aio', 'run', 'examples/pid.json', '--json'], fresh);
  const pidRun = JSON.parse(pid.stdout) as { plugin: string; stop: string; atoms: { id?: string; executed: boolean; result: string | number }[] };
  assert.equal(pidRun.plugin, 'example.selfCheck');
  assert.deepEqual(pidRun.atoms.map((atom) => [atom.id, atom.executed]), [['pid', true], ['check', true]]);
  assert.equal(Number(pidRun.atoms[1]?.result), 0, 'kill(getpid(), 0) succeeded');

  const read = await run('npx', ['--no', '--', 'syslet-aio', 'run', 'examples/read-file.json', '--param', 'path=hello.txt', '--param', 'buf=64'], fresh);
  assert.match(read.stdout, /hello, syslets/, `the example read the folder's hello.txt:\n${read.stdout}`);

  // The schema is importable by its export name, for editors and validators.
  writeFileSync(join(fresh, 'schema.mjs'), "import schema from 'syslet-aio/plugin.schema.json' with { type: 'json' };\nconsole.log(schema.title ?? schema.$id ?? Object.keys(schema).join(','));\n");
  const schema = await run(process.execPath, ['schema.mjs'], fresh);
  assert.notEqual(schema.stdout.trim(), '', 'the schema module has content');
});

test('the shipped declarations keep definePlugin typed: the typos of issue 17 fail to compile in a consumer', async () => {
  // Each @ts-expect-error must meet an error, or tsc fails with "Unused '@ts-expect-error'": the
  // inferred parameter, id and call types survive the declaration build a user compiles against.
  const dir = join(consumer, 'plugin-types');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'typos.ts'),
    `import { Engine, definePlugin, AT_FDCWD, O_CLOEXEC } from 'syslet-aio';
const readFile = definePlugin({
  name: 'my.readFile',
  params: { path: 'path', buf: 'out' },
  atoms: [
    { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_CLOEXEC, 0] },
    { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0] },
  ],
});
export async function typos(engine: Engine): Promise<void> {
  // @ts-expect-error a misspelt syscall
  definePlugin({ name: 'a.call', params: {}, atoms: [{ call: 'opneat', args: [] }] });
  // @ts-expect-error an undeclared parameter
  definePlugin({ name: 'a.param', params: { path: 'path' }, atoms: [{ call: 'openat', args: [AT_FDCWD, { param: 'pth' }, 0, 0] }] });
  // @ts-expect-error a misspelt run() parameter
  await readFile.run(engine, { pth: 1 });
  // @ts-expect-error missing run() parameters
  await readFile.run(engine, {});
  const result = await readFile.run(engine, { path: 'hello.txt', buf: 64 });
  // @ts-expect-error no atom has this id
  void result.byId.write;
  void result.byId.read.result;
  void result.outputs.buf;
}
`,
  );
  writeFileSync(join(dir, 'tsconfig.json'), consumerTsconfig(['typos.ts']));
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], dir);
});
