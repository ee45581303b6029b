/**
 * `npm run stress:exit [-- --runs N] [--phases loading,blocked]`: the long run of the
 * process-exit test (issue 14 item 3). For each phase of a cachemiss thread's life, N child
 * processes (default 100) exit with process.exit(0) after delays spread over the threads'
 * start-up window; prints the exit codes per phase and exits 1 if any child did not exit 0.
 */
import { parseArgs } from 'node:util';
import { calibrate, delays, exitAt, THREAD_PHASES, type ThreadPhase } from '../test/helpers/exit-stress.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '100' }, phases: { type: 'string' } } });
const runs = Number(values.runs);
const phases = (values.phases?.split(',') ?? THREAD_PHASES) as ThreadPhase[];
const window = await calibrate();
console.log(`threads ready ${window} ms after the engine starts; exit delays spread over [0, ${Math.round(window * 1.2)}) ms`);
let bad = 0;
for (const phase of phases) {
  const endings = new Map<string, number>();
  const started = performance.now();
  for (const delay of delays(runs, window)) {
    const run = await exitAt(phase, delay);
    endings.set(run.ending, (endings.get(run.ending) ?? 0) + 1);
    if (run.ending !== '0') {
      bad++;
      console.log(`  ${phase} at ${delay} ms: ${run.ending} ${run.stderr}`);
    }
  }
  const table = [...endings].map(([ending, count]) => `${ending}×${count}`).join(', ');
  console.log(`${phase}: exit codes ${table} (${runs} runs, ${Math.round((performance.now() - started) / 1000)} s)`);
}
process.exit(bad === 0 ? 0 : 1);
