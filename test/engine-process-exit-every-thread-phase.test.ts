// process.exit(0) exits with code 0 whatever the cachemiss threads are doing: still loading
// their modules (koffi's addon among them), idle, blocked in a read, busy running chains,
// retiring after their idle time, or serving POSIX requests. Each phase runs in child processes
// that exit after delays spread over the threads' start-up (issue 14 item 3: terminating a
// thread inside koffi's addon initialisation aborted the process with 134 about once in 30
// runs). This is a CI-sized sample; `npm run stress:exit` runs 100 children per phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, delays, exitAt, THREAD_PHASES } from './helpers/exit-stress.js';

const RUNS_PER_PHASE = Number(process.env.EXIT_STRESS_RUNS ?? 3);

test(`process.exit(0) at every point of a thread's life exits 0 (${RUNS_PER_PHASE} children per phase)`, { timeout: 600_000 }, async () => {
  const window = await calibrate();
  const failures: string[] = [];
  for (const phase of THREAD_PHASES) {
    for (const delay of delays(RUNS_PER_PHASE, window)) {
      const run = await exitAt(phase, delay);
      if (run.ending !== '0') failures.push(`${phase} at ${delay} ms: ${run.ending} ${run.stderr}`);
    }
  }
  assert.deepEqual(failures, [], `threads ready after ${window} ms`);
});
