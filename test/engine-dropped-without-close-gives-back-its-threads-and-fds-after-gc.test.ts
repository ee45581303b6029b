/**
 * An Engine the program drops without close() (no `await using`, an early return) is given back
 * once it is garbage-collected — its io_uring ring, eventfd and cachemiss threads — as Node closes
 * a FileHandle left to the GC: a handler that makes an Engine per request and forgets to close it
 * must not exhaust the process.
 *
 * hunt25 (session 25), from the packed package: 50 engines made, used once (readFileSyslet) and
 * dropped, then gc() three times: io_uring 120 fds and 205 MB RSS (one engine: 22 fds, 60 MB);
 * threads engine 754 fds, 111 threads and 1,309 MB (one: 31 fds, 13 threads, 87 MB). Under a
 * 1,024-fd limit the 502nd io_uring engine failed EMFILE 'eventfd2', the 88th threads engine
 * EMFILE 'open'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const DROPPED = 20;

const child = `
import { readdirSync } from 'node:fs';
import { Engine, readFileSyslet } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const counts = () => ({ fds: readdirSync('/proc/self/fd').length, threads: readdirSync('/proc/self/task').length });
const settle = async () => { for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((resolve) => setTimeout(resolve, 300)); } };
// One engine closed properly first: what the process holds with the library loaded and idle.
{ const engine = new Engine(); await readFileSyslet(engine, '/etc/hostname'); await engine.close(); }
await settle();
const before = counts();
for (let i = 0; i < ${DROPPED}; i++) { const engine = new Engine(); await readFileSyslet(engine, '/etc/hostname'); }
await settle();
process.stdout.write(JSON.stringify({ before, after: counts() }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`an Engine dropped without close gives back its threads and fds after GC (${engine})`, { todo: 'nothing closes an unreachable Engine: its ring, eventfd and cachemiss threads stay for the process\'s life', timeout: 120_000 }, async () => {
    const result = await runChild(child, 90_000, { nodeFlags: ['--expose-gc'], env: { SYSLET_AIO_ENGINE: engine } });
    assert.equal(result.code, 0, result.stderr.slice(0, 400));
    const { before, after } = JSON.parse(result.stdout) as { before: { fds: number; threads: number }; after: { fds: number; threads: number } };
    // A little slack: Node's own threads and fds come and go (its thread pool, a stdio pipe).
    assert.ok(after.fds <= before.fds + 4, `fds ${before.fds} before, ${after.fds} after ${DROPPED} dropped engines`);
    assert.ok(after.threads <= before.threads + 4, `threads ${before.threads} before, ${after.threads} after ${DROPPED} dropped engines`);
  });
}
