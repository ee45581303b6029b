/**
 * readFile (without and with a signal, with an encoding), readFileSyslet and readFileInto of
 * every kind of path answer as node:fs/promises's readFile: the same bytes, or an error equal
 * field by field (code, errno, syscall, path, message; readFileSyslet and readFileInto: code,
 * errno, syscall). On the io_uring engine these start as the ring batch (open, read, read),
 * whose answers map to the chain path's: a directory's EOPNOTSUPP read, a socket's ENXIO open
 * (the chain path opens again), an open that fails before any read (ELOOP, ENAMETOOLONG,
 * ENOTDIR...), procfs and sysfs files that cannot answer RWF_NOWAIT. Since session 24 a file whose
 * open the dcache answers is read with straight calls first (plugins/reader.ts): readFile runs on
 * the shared engine, which does that, and the helpers on an engine whose reads start with the
 * batch whatever the dcache holds (readFirstOnTheRing), so both paths are compared.
 *
 * hunt22 (session 22): 42 paths, 0 differences on either engine beyond procfs files that change
 * between two reads (left out here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { Engine, readFileInto, readFileSyslet } from '../index.js';
import { scratch } from './helpers/fs-implementations.js';
import { readFirstOnTheRing } from '../plugins/reader.js';

interface Seen { readonly len?: number; readonly base64?: string; readonly name?: string; readonly code?: string; readonly errno?: number; readonly syscall?: string; readonly path?: string; readonly message?: string }

function seen(value: unknown): Seen {
  if (Buffer.isBuffer(value)) return { len: value.length, base64: value.toString('base64') };
  if (typeof value === 'string') return { len: value.length, base64: Buffer.from(value).toString('base64') };
  const error = value as NodeJS.ErrnoException;
  return { name: error.name, code: error.code, errno: error.errno, syscall: error.syscall, path: error.path === undefined ? undefined : String(error.path), message: error.message };
}

async function outcome(call: () => Promise<unknown>): Promise<Seen> {
  try {
    return seen(await call());
  } catch (error) {
    return seen(error);
  }
}

/** What the helpers' errors share with Node's (their class and message are their own). */
const core = ({ len, base64, code, errno, syscall }: Seen): Seen => ({ len, base64, code, errno, syscall });

test('readFile and the helpers answer as node:fs/promises for every kind of path', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'kinds');
  writeFileSync(join(dir, 'f'), 'hello');
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'd'));
  symlinkSync('loop1', join(dir, 'loop2'));
  symlinkSync('loop2', join(dir, 'loop1'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve));
  const engine = new Engine();
  readFirstOnTheRing(engine);
  t.after(async () => {
    server.close();
    await engine.close();
  });
  const paths: (string | Buffer)[] = [
    join(dir, 'f'), join(dir, 'empty'), join(dir, 'd'), `${join(dir, 'd')}/`, `${join(dir, 'f')}/`, join(dir, 'f', 'x'),
    join(dir, 'loop1'), join(dir, 'dangling'), join(dir, 'missing'), join(dir, 'sock'), join(dir, 'x'.repeat(256)), join(dir, 'x'.repeat(255)),
    `/${'a/'.repeat(2100)}`, `${dir}/${'d/../'.repeat(800)}f`, '', '.', '..', 'package.json', Buffer.from([...Buffer.from(`${dir}/`), 0xff, 0xfe]), 'a\0b',
    '/proc/self/cwd', '/proc/self/mem', '/proc/self/environ', '/proc/self/cmdline', '/proc/self/ns/net', '/proc/self/task', '/proc/sys/kernel/ostype',
    '/proc/sys/vm/drop_caches', '/proc/self/clear_refs', '/sys/kernel/mm/transparent_hugepage/enabled', '/sys/devices/system/cpu/online', '/sys/class', '/sys/kernel/security', '/dev/null',
  ];
  const differences: string[] = [];
  for (const path of paths) {
    const label = JSON.stringify(String(path).slice(0, 60));
    for (const options of [undefined, { signal: new AbortController().signal }, 'latin1' as const]) {
      const node = await outcome(() => nodeFs.readFile(path, options));
      const syslet = await outcome(() => sysletFs.readFile(path, options));
      if (!isDeep(node, syslet)) differences.push(`readFile(${label}, ${JSON.stringify(options)}): node ${JSON.stringify(node)} syslet ${JSON.stringify(syslet)}`);
    }
    const node = await outcome(() => nodeFs.readFile(path));
    const whole = await outcome(() => readFileSyslet(engine, path, { maxBytes: 1 << 20 }));
    if (!isDeep(core(node), core(whole))) differences.push(`readFileSyslet(${label}): node ${JSON.stringify(core(node))} syslet ${JSON.stringify(core(whole))}`);
    for (const length of [2, 3, 300]) {
      const target = Buffer.alloc(length);
      const into = await outcome(async () => target.subarray(0, await readFileInto(engine, path, target)));
      const expected = node.base64 === undefined ? core(node) : core(seen(Buffer.from(node.base64, 'base64').subarray(0, length)));
      if (!isDeep(expected, core(into))) differences.push(`readFileInto(${label}, ${length}): node ${JSON.stringify(expected)} syslet ${JSON.stringify(core(into))}`);
    }
  }
  assert.deepEqual(differences, [], `on the ${engine.asyncEngine.kind} engine`);
});

function isDeep(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
