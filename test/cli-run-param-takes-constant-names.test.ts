/**
 * `syslet-aio run --param` takes a kernel constant by its C name, or names and integers joined by
 * `|`, as a JSON definition's arguments do: `dirfd=AT_FDCWD flags=O_WRONLY|O_CREAT|O_EXCL
 * mode=0o600` creates the file exactly as the numeric spelling does, and an unknown name is a usage
 * error (exit 2) that names the parameter and runs nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import { parseParamValue } from '../plugins/loader.js';
import { AT_FDCWD, O_APPEND, O_CLOEXEC, O_CREAT, O_EXCL, O_WRONLY } from '../index.js';
import { tempDir } from './plugin-fixture.js';

const CREATE = {
  name: 'test.create',
  params: { dirfd: 'fd', path: 'path', flags: 'flags', mode: 'mode' },
  atoms: [
    { id: 'open', call: 'openat', args: [{ param: 'dirfd' }, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: 'STOP_ON_NEGATIVE' },
    { id: 'close', call: 'close', args: [{ result: 'open' }] },
  ],
};

async function run(args: readonly string[]) {
  const io = bufferIo();
  const code = await runCli(['run', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('parseParamValue reads names, integers and |-joined mixes as the C expression', () => {
  assert.equal(parseParamValue('AT_FDCWD'), AT_FDCWD);
  assert.equal(parseParamValue('O_WRONLY|O_CREAT|O_EXCL'), O_WRONLY | O_CREAT | O_EXCL);
  assert.equal(parseParamValue(' O_APPEND | 0x80000 '), O_APPEND | 0x80000);
  assert.equal(parseParamValue('O_CLOEXEC|O_CLOEXEC'), O_CLOEXEC);
  assert.equal(parseParamValue('0o644'), 0o644);
  for (const bad of ['O_NOPE', 'O_CREAT|', '|O_CREAT', 'o_creat', 'toString', 'constructor', '__proto__', 'O_CREAT||O_EXCL']) {
    assert.equal(parseParamValue(bad), undefined, bad);
  }
});

test('run --param with constant names creates the file as the numeric spelling does', async (t) => {
  const { dir, cleanup } = tempDir('cli-param-names');
  t.after(cleanup);
  const definition = join(dir, 'create.json');
  writeFileSync(definition, JSON.stringify(CREATE));
  const byName = join(dir, 'by-name');
  const named = await run([definition, '--param', 'dirfd=AT_FDCWD', '--param', `path=${byName}`, '--param', 'flags=O_WRONLY|O_CREAT|O_EXCL', '--param', 'mode=0o600', '--json']);
  assert.equal(named.code, EXIT.ok, named.stderr);
  assert.equal(statSync(byName).mode & 0o777, 0o600 & ~process.umask());
  const byNumber = join(dir, 'by-number');
  const numeric = await run([definition, '--param', `dirfd=${AT_FDCWD}`, '--param', `path=${byNumber}`, '--param', `flags=${O_WRONLY | O_CREAT | O_EXCL}`, '--param', 'mode=384', '--json']);
  assert.equal(numeric.code, EXIT.ok, numeric.stderr);
  assert.equal(statSync(byNumber).mode & 0o777, statSync(byName).mode & 0o777);
  // O_EXCL by name is really O_EXCL: the second run on the same path fails with EEXIST.
  const again = await run([definition, '--param', 'dirfd=AT_FDCWD', '--param', `path=${byName}`, '--param', 'flags=O_WRONLY|O_CREAT|O_EXCL', '--param', 'mode=0o600', '--json']);
  assert.equal(again.code, EXIT.failure);
  assert.equal((JSON.parse(again.stdout) as { atoms: { errno?: string }[] }).atoms[0]?.errno, 'EEXIST');
});

test('run --param with an unknown constant name is a usage error that names it and runs nothing', async (t) => {
  const { dir, cleanup } = tempDir('cli-param-names');
  t.after(cleanup);
  const definition = join(dir, 'create.json');
  writeFileSync(definition, JSON.stringify(CREATE));
  const target = join(dir, 'never');
  const result = await run([definition, '--param', 'dirfd=AT_FDCWD', '--param', `path=${target}`, '--param', 'flags=O_WRONLY|O_CREAT|O_BOGUS', '--param', 'mode=0o600']);
  assert.equal(result.code, EXIT.usage);
  assert.match(result.stderr, /--param flags=O_WRONLY\|O_CREAT\|O_BOGUS: not an integer or a known constant/);
  assert.equal(existsSync(target), false);
});
