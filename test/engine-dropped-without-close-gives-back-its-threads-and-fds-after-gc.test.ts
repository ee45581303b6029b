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
 *
 * Session 26: the engine's wake-up holds its hooks weakly while nothing is in flight, the ring and
 * the pool reach only the engine's parts (engine/engine-dropped.ts), and a FinalizationRegistry
 * gives them back: 20 dropped engines, +0 fds on io_uring, +0 threads on the threads engine.
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
// Each in a function of its own: an engine left in a register of this module's top-level frame
// (V8 keeps a suspended frame's registers: a heap snapshot shows it under "Stack roots") is not
// one the program dropped.
const useOnce = async () => { const engine = new Engine(); await readFileSyslet(engine, '/etc/hostname'); };
for (let i = 0; i < ${DROPPED}; i++) await useOnce();
await settle();
process.stdout.write(JSON.stringify({ before, after: counts() }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`an Engine dropped without close gives back its threads and fds after GC (${engine})`, { timeout: 120_000 }, async () => {
    const result = await runChild(child, 90_000, { nodeFlags: ['--expose-gc'], env: { SYSLET_AIO_ENGINE: engine } });
    assert.equal(result.code, 0, result.stderr.slice(0, 400));
    const { before, after } = JSON.parse(result.stdout) as { before: { fds: number; threads: number }; after: { fds: number; threads: number } };
    // A little slack: Node's own threads and fds come and go (its thread pool, a stdio pipe).
    assert.ok(after.fds <= before.fds + 4, `fds ${before.fds} before, ${after.fds} after ${DROPPED} dropped engines`);
    assert.ok(after.threads <= before.threads + 4, `threads ${before.threads} before, ${after.threads} after ${DROPPED} dropped engines`);
  });
}
