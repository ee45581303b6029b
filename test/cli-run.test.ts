/**
 * `syslet-aio run`: runs a registered plugin, a JSON definition or a module, prints every atom
 * with its errno name, and keeps the exit-code contract — 0 clean run, 1 an atom failed / the
 * definition is invalid / timeout, 2 a bad command line — with one line on stderr for errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { tempDir } from './plugin-fixture.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function run(args: readonly string[]) {
  const io = bufferIo();
  const code = await runCli(['run', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('run prints each atom of a registered plugin, with buf:N content, and exits 0', async (t) => {
  const { dir, cleanup } = tempDir('cli-run');
  t.after(cleanup);
  writeFileSync(join(dir, 'hello'), 'hello from a syslet\n');
  const result = await run(['file.readAll', '--param', `path=@${join(dir, 'hello')}`, '--param', 'buf=buf:8192', '--param', 'chunk=4096', '--param', 'chunks=2']);
  assert.equal(result.code, EXIT.ok, result.stderr);
  assert.equal(result.stderr, '');
  assert.match(result.stdout, /^file\.readAll: stopped \(end\) after atom 3, 9 atoms run, (inline|cachemiss), [\d.]+ µs$/m);
  assert.match(result.stdout, /^ {3}2 {2}read_size +0$/m);
  assert.match(result.stdout, /^ {3}4 {2}umem_add +1$/m);
  assert.match(result.stdout, /^ {3}5 {2}close +- {2}not executed$/m);
  assert.match(result.stdout, /^ {3}6 {2}pread64 +20$/m);
  assert.match(result.stdout, /^ {3}7 {2}close +- {2}not executed$/m);
  assert.match(result.stdout, /^ {3}8 {2}umem_add +20$/m);
  assert.match(result.stdout, /^ {2}buf \(8192 bytes\): "hello from a syslet\\n"$/m);
});

test('run --json reports a JSON definition with flag names; a failing atom exits 1 with one line', async () => {
  const ok = await run(['examples/read-file.json', '--param', 'path=/proc/self/comm', '--param', 'buf=64', '--json']);
  assert.equal(ok.code, EXIT.ok, ok.stderr);
  const document = JSON.parse(ok.stdout) as {
    ok: boolean; stop: string; lastId: string; atomsExecuted: number; atoms: { id?: string; call: string; result?: number; errno?: string }[]; buffers: { buf: { size: number; text: string } };
  };
  assert.equal(document.ok, true);
  assert.deepEqual(document.atoms.map((atom) => [atom.id, atom.call]), [['open', 'openat'], ['read', 'pread64'], ['close', 'close']]);
  assert.equal(document.buffers.buf.size, 64, 'the out parameter\'s bytes');
  assert.equal(document.buffers.buf.text.length, document.atoms[1]?.result);
  assert.equal(document.lastId, 'close');
  assert.equal(document.atomsExecuted, 3);

  const failed = await run(['examples/read-file.json', '--param', 'path=/nonexistent/x', '--param', 'buf=0x40', '--json']);
  assert.equal(failed.code, EXIT.failure);
  const report = JSON.parse(failed.stdout) as { ok: boolean; stop: string; atoms: { errno?: string; executed: boolean }[] };
  assert.equal(report.ok, false);
  assert.equal(report.stop, 'flag');
  assert.equal(report.atoms[0]?.errno, 'ENOENT');
  assert.equal(report.atoms[1]?.executed, false);
  assert.equal(failed.stderr, 'syslet-aio run: example.readFile: atom 0 (openat) failed with ENOENT (No such file or directory)\n');
});

test('run loads a module whose default export is a definition, and times out a chain that hangs', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = tempDir('cli-run-module');
  t.after(cleanup);
  const module = join(dir, 'nap.mjs');
  writeFileSync(module, `export default {
    name: 'user.nap', params: { seconds: 'uint' },
    scratch: { ts: { size: 16, fields: [{ at: 0, width: 8, param: 'seconds' }] } },
    atoms: [{ call: 'nanosleep', args: [{ scratch: 'ts' }, 0] }, { call: 'getpid', args: [] }],
  };\n`);
  const quick = await run([module, '--param', 'seconds=0']);
  assert.equal(quick.code, EXIT.ok, quick.stderr);
  assert.match(quick.stdout, /^ {3}0 {2}nanosleep +0$/m);
  // tv_sec, not tv_nsec: a tv_nsec of a billion or more is EINVAL, whatever the timing. A day:
  // unless closing the engine cancels the sleep, run() never returns and the test times out.
  const slow = await run([module, '--param', 'seconds=86400', '--timeout', '200']);
  assert.equal(slow.code, EXIT.failure);
  // The timeout either interrupts the sleep or, when the cachemiss thread is still starting, stops
  // the chain before it: both are "stopped before the next atom".
  assert.match(slow.stderr, /^syslet-aio run: user\.nap: timed out after 200 ms: stopped \(cancelled\) (after atom 0|before any atom ran)\n$/);
  if (slow.stderr.includes('after atom 0')) assert.match(slow.stdout, /^ {3}0 {2}nanosleep +-4 {2}EINTR/m, 'the timeout interrupted the sleep');
  assert.match(slow.stdout, /^ {3}1 {2}getpid +- {2}not executed$/m, 'and the chain stopped before its next atom');
});

test('run rejects bad command lines with exit 2 and invalid definitions with exit 1', async (t) => {
  const { dir, cleanup } = tempDir('cli-run-errors');
  t.after(cleanup);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ name: 'user.bad', params: {}, atoms: [{ call: 'fork', args: [] }] }));
  writeFileSync(join(dir, 'broken.json'), '{ "name": ');
  writeFileSync(join(dir, 'typo.json'), JSON.stringify({ name: 'user.typo', params: {}, atoms: [{ call: 'getpid', args: [] }, { call: 'getpid', args: [], flgs: 'STOP_ON_NEGATIVE' }] }));
  const cases: [args: string[], code: number, message: RegExp][] = [
    [[], EXIT.usage, /missing argument <plugin>/],
    [['no.such.plugin'], EXIT.usage, /unknown plugin 'no\.such\.plugin'/],
    [['file.readAll', '--param', 'path=@/etc/hostname'], EXIT.usage, /missing --param for buf \(ptr\), chunk \(size\), chunks \(uint\)/],
    [['file.readAll', '--param', 'bogus=1'], EXIT.usage, /--param bogus: plugin 'file\.readAll' has no such parameter \(it takes path:ptr, buf:ptr, chunk:size, chunks:uint\)/],
    [['file.readAll', '--param', 'chunk=lots'], EXIT.usage, /--param chunk=lots: not an integer/],
    [['file.readAll', '--param', 'chunk=1', '--param', 'chunk=2'], EXIT.usage, /--param chunk: given twice/],
    [['file.readAll', '--param', 'noequals'], EXIT.usage, /expected name=value/],
    [['file.readAll', '--param', 'buf=buf:0'], EXIT.usage, /buf:N needs a size/],
    [['net.request', '--param', 'addr=ip:300.1.1.1'], EXIT.usage, /not an IPv4 address/],
    [['file.readAll', '--timeout', 'soon'], EXIT.usage, /--timeout soon: expected a positive number/],
    [[join(dir, 'bad.json')], EXIT.failure, /invalid plugin: plugin 'user\.bad' atom 0 call: 'fork' is denied/],
    [[join(dir, 'broken.json')], EXIT.failure, /broken\.json is not JSON/],
    [[join(dir, 'typo.json')], EXIT.failure, /atom 1 flgs: unknown key 'flgs' \(did you mean 'flags'\?\)/],
    [['examples/read-file.json', '--param', 'path=/etc/hostname', '--param', 'buf=0'], EXIT.usage, /--param buf=0: an out parameter needs a byte count/],
    [[join(dir, 'missing.mjs')], EXIT.failure, /cannot load .*missing\.mjs: no such file/],
  ];
  for (const [args, code, message] of cases) {
    const result = await run(args);
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', args.join(' '));
    assert.match(result.stderr, /^syslet-aio run: [^\n]+\n$/, args.join(' '));
    assert.match(result.stderr, message, args.join(' '));
  }
});

test('run as a real process, from another directory: the shipped examples are found, exit status and streams', async (t) => {
  const { dir, cleanup } = tempDir('cli-run-cwd');
  t.after(cleanup);
  const child = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'cli/main.ts'), 'run', 'examples/pid.json'], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stderr, '');
  assert.match(child.stdout, /^ {3}1 {2}kill +0$/m, 'kill(getpid(), 0) on the pid the first atom returned');
});
