/**
 * A chain that needs a cachemiss thread when no thread can start (the process is at its fd
 * limit, and a thread needs fds of its own) is answered — its atom with -EMFILE, stop `died` —
 * instead of waiting for ever; once fds are to be had again, the next such chain gets a thread
 * and runs. Before, with two threads kept, each failed start was replaced at once: one of the two
 * was always loading, the pool never saw "no thread alive", so it never answered the chain, and
 * it started and lost about a thousand threads a second on one core (syslet-aio/fs on the threads
 * engine hung at the fd limit).
 *
 * Runs in a child whose RLIMIT_NOFILE is lowered (`ulimit -n`) and which fills its fd table but
 * one, then asks its engine (no thread started yet) for two kept threads: the pool takes the one
 * fd for the engine's eventfd, and neither thread can start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMFILE } from '../engine/native/index.js';
import { STOP } from '../engine/atom.js';
import { STILL_LOADER_ENV, engineUrl, helperUrl } from './helpers/child.js';

const CHILD = `
import { openSync, closeSync } from 'node:fs';
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { addressOf, syscall } from ${JSON.stringify(engineUrl('native/index'))};
import { NR } from ${JSON.stringify(engineUrl('syscalls/nr'))};
import { cachemissWorkerEntry } from ${JSON.stringify(engineUrl('cachemiss-entry'))};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};

// No thread starts with the engine, and its eventfd is made with its pool, on first need.
const engine = new Engine({ engine: 'threads', minThreads: 0, threads: 4 });
const [atLimit, later] = [openPipe(), openPipe()];
// The threads' script, on disk before the fds run out, as the built package ships it (from the
// sources it is bundled on first need).
cachemissWorkerEntry();
const read = (pipe) => {
  const chain = new ChainBuilder(engine.memory);
  chain.atom('read', [pipe.reader, chain.buffer(8), 1]);
  return engine.runChain(chain.first);
};
const fds = [];
let full = null;
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (error) { full = error.code; }
// One fd back, for the engine's eventfd (the pool is made now); two kept threads: neither can start.
closeSync(fds.pop());
await engine.warm(2, 300);
// An empty pipe: the read would block, so it needs a thread.
const first = await read(atLimit);
for (const fd of fds) closeSync(fd);
// Past the pool's wait before it tries a thread again (RETRY_START_MS).
await new Promise((resolve) => setTimeout(resolve, 1200));
const pending = read(later);
// Queued for a thread before the byte is there: the read runs on it.
syscall(NR.write, later.writer, addressOf(Buffer.from([7])), 1);
const second = await pending;
process.stdout.write(JSON.stringify({ full, first: [Number(first.result), first.stop], second: [Number(second.result), second.stop], threads: engine.threads }));
await engine.close();
process.exit(0);
`;

test('a chain needing a cachemiss thread when none can start (fd limit) answers EMFILE, and runs once fds return', { timeout: 90_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-no-thread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'child.mts');
  writeFileSync(script, CHILD);
  const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...STILL_LOADER_ENV } });
  assert.notEqual(child.signal, 'SIGTERM', `the child hung (killed at 60 s): the chain waited for a thread that could not start\n${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout) as { full: string | null; first: [number, number]; second: [number, number]; threads: number };
  assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
  assert.deepEqual(report.first, [-EMFILE, STOP.died]);
  assert.deepEqual(report.second, [1, STOP.end]);
  assert.ok(report.threads >= 1, `threads: ${report.threads}`);
});
