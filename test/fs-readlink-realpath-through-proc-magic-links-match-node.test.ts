/**
 * readlink and realpath of a path that openat2 cannot resolve from the dcache alone run their
 * chains (the O_PATH open goes to the ring or a cachemiss thread) and still give Node's targets
 * and errors: the direct calls that serve a cached path hand such a path over without a trace.
 * A new process's /proc/<pid> directory is such a path until its first lookup (RESOLVE_CACHED
 * answers EAGAIN), and procfs's magic links (cwd, exe, root, fd/N) are links of every kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { Engine } from '../engine/engine.js';
import { createFs } from '../fs/index.js';
import { fsOpenPath, fsReadlink } from '../fs/links.js';
import { sameOnBoth } from './helpers/fs-implementations.js';

/** A process of our own whose /proc directory nothing has looked up yet. */
function freshProcess(t: { after: (fn: () => void) => void }): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  t.after(() => child.kill());
  if (child.pid === undefined) throw new Error('sleep did not start');
  return child as ChildProcess & { pid: number };
}

const MAGIC = ['/proc/self/cwd', '/proc/self/exe', `/proc/${process.pid}/cwd`, '/proc/self/root', '/proc/self/fd/0'];

test('readlink of procfs magic links matches Node, and runs the fs.readlink chain', async (t) => {
  for (const path of MAGIC) await sameOnBoth((fs) => fs.readlink(path), undefined, `readlink ${path}`);
  await sameOnBoth((fs) => fs.readlink('/proc/self/nowhere'), undefined, 'readlink ENOENT under /proc');
  await sameOnBoth((fs) => fs.readlink('/proc/self/status'), undefined, 'readlink EINVAL under /proc');
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  const child = freshProcess(t);
  const syslet = await fs.readlink(`/proc/${child.pid}/cwd`);
  assert.equal(fsReadlink.poolStats(engine).slabs, 1, 'fs.readlink ran on the engine');
  assert.equal(syslet, process.cwd());
});

test('realpath through procfs magic links matches Node, and runs the fs.openPath chain', async (t) => {
  for (const path of [...MAGIC, '/proc/self/cwd/.', '/proc/self/nowhere']) {
    await sameOnBoth((fs) => fs.realpath(path), undefined, `realpath ${path}`);
  }
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  const child = freshProcess(t);
  const syslet = await fs.realpath(`/proc/${child.pid}/cwd`);
  assert.equal(fsOpenPath.poolStats(engine).slabs, 1, 'fs.openPath ran on the engine');
  assert.equal(syslet, process.cwd());
});
