// A cachemiss thread's watchdog timer (engine/cachemiss-watchdog.ts) exists while the thread
// does: once a thread that read a FIFO (the timer runs during such a read) has exited — the
// engine closed — /proc/self/timers lists no timer more than before. A POSIX timer is the
// process's, not the thread's: one left behind would stay for the process's life and hold a
// pending-signal slot (RLIMIT_SIGPENDING). The pool deletes it when it sees the thread exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { openFifo, readWithLateWriter } from './helpers/fifo.js';

function timerIds(): string[] {
  return readFileSync('/proc/self/timers', 'utf8').split('\n').filter((line) => line.startsWith('ID: '));
}

test('a cachemiss thread\'s watchdog timer is deleted once the thread has exited', async (t) => {
  const { fd } = openFifo(t);
  const before = timerIds();
  const engine = new Engine({ engine: 'threads', threads: 2 });
  assert.equal(await readWithLateWriter(t, engine, fd, 'bytes', 150), 5);
  assert.equal(timerIds().length, before.length + 1, 'the thread that read the FIFO has a watchdog timer while it lives');
  await engine.close();
  assert.deepEqual(timerIds(), before, 'no watchdog timer is left once the engine\'s threads have exited');
});
