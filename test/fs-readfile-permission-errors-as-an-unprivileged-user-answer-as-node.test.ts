/**
 * readFile's errors for paths an unprivileged user may not read answer as node:fs/promises,
 * field by field (name, code, errno, syscall, path, message), on both engines: a file without
 * read permission (also through a symlink), a file in a directory without search permission, a
 * directory without read permission and a file in it, a FIFO without permission, a symlink loop,
 * a file as a directory, a missing file, other users' /proc files (environ, mem), /etc/shadow
 * and /root. On the threads engine the first step of a whole-file read is made straight from
 * JavaScript (plugins/reader.ts readFirstDirect: openat2 RESOLVE_CACHED, fstat, preadv2), whose
 * failures must name the call Node names. Root reads everything: the child runs as nobody
 * (setpriv), and the test is skipped where that cannot be done. readFileSyslet is checked for the
 * same success or error code. hunt23: 18 paths, 0 differences on either engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const NOBODY = '65534';

const CHILD = `
import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
import * as nodeFs from 'node:fs/promises';
import { Engine, readFileSyslet } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const [dir, ...names] = process.argv.slice(2);
const shape = (error) => JSON.stringify({ name: error.name, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, message: error.message });
const engine = new Engine();
const differences = [];
const codes = {};
for (const name of names) {
  const path = name.startsWith('/') ? name : dir + '/' + name;
  const node = await nodeFs.readFile(path).then((bytes) => 'ok ' + bytes.length, shape);
  const syslet = await sysletFs.readFile(path).then((bytes) => 'ok ' + bytes.length, shape);
  const helper = await readFileSyslet(engine, path, { maxBytes: 1 << 20 }).then((bytes) => 'ok ' + bytes.length, (error) => error.code);
  if (node !== syslet) differences.push(name + ': node ' + node + ', syslet-aio/fs ' + syslet);
  const nodeCode = node.startsWith('ok') ? node : JSON.parse(node).code;
  codes[name] = nodeCode;
  if (nodeCode !== helper) differences.push(name + ': node ' + nodeCode + ', readFileSyslet ' + helper);
}
await engine.close();
console.log(JSON.stringify({ uid: process.getuid(), engine: engine.asyncEngine.kind, differences, codes }));
`;

const NAMES = ['no-read', 'no-read-link', 'no-search/f', 'no-search', 'no-list', 'no-list/f', 'fifo-no-permission', 'loop', 'ok', 'ok/x', 'missing',
  '/proc/1/environ', '/proc/1/mem', '/etc/shadow', '/root/.profile', '/root', '/proc/self/environ'];

function fixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-readfile-permissions-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'no-read'), 'secret');
  chmodSync(join(dir, 'no-read'), 0);
  symlinkSync('no-read', join(dir, 'no-read-link'));
  mkdirSync(join(dir, 'no-search'));
  writeFileSync(join(dir, 'no-search', 'f'), 'x');
  chmodSync(join(dir, 'no-search'), 0o644);
  mkdirSync(join(dir, 'no-list'));
  writeFileSync(join(dir, 'no-list', 'f'), 'y');
  chmodSync(join(dir, 'no-list'), 0o311);
  spawnSync('mkfifo', ['-m', '000', join(dir, 'fifo-no-permission')]);
  symlinkSync('loop', join(dir, 'loop'));
  writeFileSync(join(dir, 'ok'), 'ok');
  chmodSync(join(dir, 'ok'), 0o644);
  writeFileSync(join(dir, 'child.mts'), CHILD);
  chmodSync(join(dir, 'child.mts'), 0o644);
  return dir;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine}: readFile of paths nobody may read rejects as node:fs/promises, field by field`, { timeout: 60_000 }, (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run the child as nobody (setpriv)');
    if (spawnSync('setpriv', ['--version']).status !== 0) return t.skip('setpriv is not installed');
    const dir = fixture();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const child = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, '--import', 'tsx', join(dir, 'child.mts'), dir, ...NAMES], {
      cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, encoding: 'utf8', timeout: 45_000,
    });
    assert.equal(child.status, 0, child.stderr);
    const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '') as { uid: number; engine: string; differences: string[]; codes: Record<string, string> };
    assert.equal(outcome.uid, Number(NOBODY), 'the child ran unprivileged');
    assert.equal(outcome.engine, engine);
    // The fixture is what it says: Node's own answers.
    assert.deepEqual([outcome.codes['no-read'], outcome.codes['no-search/f'], outcome.codes['no-list/f'], outcome.codes['loop'], outcome.codes['ok']], ['EACCES', 'EACCES', 'ok 1', 'ELOOP', 'ok 2']);
    assert.deepEqual(outcome.differences, []);
  });
}
