/**
 * After `receiveSignals(signo, handler)`, that signal sent to the whole process by another program
 * (`kill -USR2 <pid>`, `sigqueue(pid, SIGRTMIN, value)` in C) never kills the process: the signal's
 * default action is what receiveSignals replaces, and docs/posix-aio.md §4's handler receives
 * senders' `pid` and `uid`. Node's own `process.on('SIGUSR2')` takes 100 of 100 such signals.
 *
 * hunt25 (session 25), from the packed package: receiveSignals(SIGUSR2), (SIGRTMIN), (SIGRTMIN+6),
 * then `kill` from a shell: the process died of the signal at the first one (exit 140, 162, 168;
 * both engines), the handler never ran. The signal is blocked only in the JS thread; Node's other
 * threads (V8's platform workers, libuv's) leave it unblocked with the default disposition, and a
 * process-directed signal goes to one of them. (The library's own completion signals are
 * thread-directed, so they are safe.) Now such a signal, where it had its default disposition,
 * gets a handler that does nothing (shim/signals.ts): taken by another thread it is lost, never
 * fatal. That it reaches the handler is the todo of
 * posix-receive-signals-signal-sent-to-the-process-by-another-program-reaches-the-handler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendFromOutside, SENT } from './helpers/signals-from-outside.js';

test('a receiveSignals signal sent to the process by another program never kills it', { timeout: 120_000 }, async (t) => {
  const outcomes: string[] = [];
  for (const [name, signo] of [['SIGUSR2', 12], ['SIGRTMIN', 34], ['SIGRTMIN+6', 40]] as const) {
    const result = await sendFromOutside(signo);
    const received = result.stdout === '' ? null : (JSON.parse(result.stdout) as { received: number }).received;
    // A death by a real-time signal reaches Node's 'close' as code 0, signal null (it has no name
    // for it): the missing report is what tells it from an exit.
    outcomes.push(received === null
      ? `${name}: died before its report (code ${String(result.code)}, signal ${String(result.signal)})`
      : `${name}: code ${String(result.code)} signal ${String(result.signal)}, reported`);
    if (received !== null) t.diagnostic(`${name}: the handler ran ${received} of ${SENT} times (the others went to Node's other threads: lost)`);
  }
  assert.deepEqual(outcomes.filter((line) => !/: code 0 signal null, reported$/.test(line)), [], outcomes.join('\n'));
});
