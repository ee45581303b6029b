/**
 * A signal meant for the program's own handlers (SIGCHLD from child_process, SIGWINCH, SIGUSR2
 * with a `process.on` listener) never interrupts the call a chain is blocked in on a cachemiss
 * thread. The kernel gives a process-directed signal to any thread that does not block it — a
 * cachemiss thread when the JS thread is busy or has one pending — and libuv's handler's
 * SA_RESTART does not restart nanosleep, clock_nanosleep or ppoll: the chain's atom answered
 * -EINTR, where the same chain on io_uring (or glibc's AIO helper threads, which block every
 * signal) answers 0 (session 11 sweep: 42 of 93 nanosleep chains under a SIGCHLD/SIGWINCH storm,
 * threads engine). Cachemiss threads now block those signals.
 *
 * Deterministic: the signal is sent at the thread (tgkill, the kernel's choice made by hand) once
 * /proc shows it blocked in the call; no timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { ChainBuilder, Engine, syscall } from '../index.js';
import { NR } from '../engine/syscalls/nr.js';
import { pipe } from './helpers/posix-os.js';

const { SIGCHLD, SIGWINCH, SIGUSR2 } = constants.signals;
const SYSLET_ASYNC = 1;
const SLEEP_NS = 400_000_000n;
const emptyPipe = pipe();

/** The thread of this process blocked in syscall `nr`, found in /proc (waited for, bounded). */
function threadIn(nr: number): number {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const tid of readdirSync('/proc/self/task')) {
      let line: string;
      try {
        line = readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8');
      } catch {
        continue;
      }
      if (Number(line.split(' ')[0]) === nr) return Number(tid);
    }
    execFileSync('sleep', ['0.01']);
  }
  throw new Error(`no thread entered syscall ${nr} within 20 s`);
}

/** A timespec of SLEEP_NS in a chain's memory. */
function timespec(chain: ChainBuilder): ReturnType<ChainBuilder['buffer']> {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setBigInt64(8, SLEEP_NS, true);
  return chain.buffer(bytes);
}

const CALLS: { name: string; nr: number; atom: (chain: ChainBuilder) => void }[] = [
  { name: 'nanosleep', nr: NR.nanosleep, atom: (chain) => void chain.atom('nanosleep', [timespec(chain), 0], { flags: SYSLET_ASYNC }) },
  { name: 'clock_nanosleep', nr: NR.clock_nanosleep, atom: (chain) => void chain.atom('clock_nanosleep', [1 /* CLOCK_MONOTONIC */, 0, timespec(chain), 0], { flags: SYSLET_ASYNC }) },
  { name: 'ppoll', nr: NR.ppoll, atom: (chain) => void chain.atom('ppoll', [pollIn(chain), 1, timespec(chain), 0, 8], { flags: SYSLET_ASYNC }) },
];

/** One pollfd asking for POLLIN on the read end of a pipe nobody writes. */
function pollIn(chain: ChainBuilder): ReturnType<ChainBuilder['buffer']> {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setInt32(0, emptyPipe[0], true);
  new DataView(bytes.buffer).setInt16(4, 1 /* POLLIN */, true);
  return chain.buffer(bytes);
}

test('a SIGCHLD, SIGWINCH or SIGUSR2 taken by a cachemiss thread leaves nanosleep, clock_nanosleep and ppoll to run to their end', async () => {
  // The program's handlers, as a Node program has them: libuv's, SA_RESTART.
  execFileSync('true'); // child_process installs libuv's SIGCHLD handler
  const onSignal = (): void => undefined;
  process.on('SIGWINCH', onSignal);
  process.on('SIGUSR2', onSignal);
  const engine = new Engine({ engine: 'threads' });
  const outcomes: string[] = [];
  try {
    for (const call of CALLS) {
      for (const signo of [SIGCHLD, SIGWINCH, SIGUSR2]) {
        const chain = new ChainBuilder(engine.memory);
        call.atom(chain);
        const done = engine.runChain(chain.first);
        const tid = threadIn(call.nr);
        assert.equal(syscall(NR.tgkill, process.pid, tid, signo), 0, 'tgkill');
        const completion = await done;
        chain[Symbol.dispose]();
        outcomes.push(`${call.name} + signal ${signo}: ${String(completion.result)} (${completion.mode})`);
      }
    }
  } finally {
    process.off('SIGWINCH', onSignal);
    process.off('SIGUSR2', onSignal);
    await engine.close();
    closeSync(emptyPipe[0]);
    closeSync(emptyPipe[1]);
  }
  assert.deepEqual(outcomes.filter((outcome) => !outcome.endsWith(': 0 (cachemiss)')), [], 'calls the signal interrupted');
});
