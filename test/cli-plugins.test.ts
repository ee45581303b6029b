/**
 * `syslet-aio plugins`: lists the default registry — name, description, typed parameters and
 * atom calls — as text or as JSON that matches the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT } from '../cli/errors.js';
import { bufferIo } from '../cli/io.js';
import { runCli } from '../cli/program.js';
import {
  defaultRegistry, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO,
} from '../plugins/index.js';

async function plugins(args: readonly string[] = []) {
  const io = bufferIo();
  const code = await runCli(['plugins', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('plugins lists every registered plugin with its parameters and atoms', async () => {
  const { code, stdout, stderr } = await plugins();
  assert.equal(code, EXIT.ok);
  assert.equal(stderr, '');
  const all = defaultRegistry.list();
  assert.match(stdout, new RegExp(`^${all.length} plugins:$`, 'm'));
  for (const plugin of all) assert.match(stdout, new RegExp(`^${plugin.name.replace('.', '\\.')} +\\S`, 'm'), plugin.name);
  // Long rows wrap at 80 columns; compare with the wrapping undone.
  const flat = stdout.replace(/\s+/g, ' ');
  assert.match(flat, /file\.readAll openat \+ fstat \+ read_size\/pread64 loop .* params: path:ptr, buf:ptr, chunk:size, chunks:uint atoms: openat → fstat → read_size → close → umem_add → close → pread64 → close → umem_add → umem_add /);
});

test('plugins --json matches the registry, with flags and resolved next indices', async () => {
  const { code, stdout } = await plugins(['--json']);
  assert.equal(code, EXIT.ok);
  const list = JSON.parse(stdout) as { name: string; params: Record<string, string>; atoms: { index: number; call: string; flags: number; next: number | null }[] }[];
  assert.deepEqual(list.map((entry) => entry.name), defaultRegistry.list().map((plugin) => plugin.name));
  const readAll = list.find((entry) => entry.name === 'file.readAll');
  assert.deepEqual(readAll?.params, { path: 'ptr', buf: 'ptr', chunk: 'size', chunks: 'uint' });
  assert.deepEqual(readAll?.atoms[2], { index: 2, call: 'read_size', flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 4 });
  assert.equal(readAll?.atoms[3]?.next, null);
  assert.deepEqual(readAll?.atoms[4], { index: 4, call: 'umem_add', flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 6 }, 'the countdown is checked before each read');
  assert.equal(readAll?.atoms[5]?.next, null);
  assert.deepEqual(readAll?.atoms[6], { index: 6, call: 'pread64', flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 8 });
  assert.equal(readAll?.atoms[7]?.next, null);
  assert.equal(readAll?.atoms[9]?.next, 2, 'the loop goes back to read_size');
});
