/**
 * process.exit() at every point of a cachemiss thread's life, in child processes: each child
 * starts threads (loading, then idle, blocked in a read, busy running chains, or retiring after
 * their idle time) and calls process.exit(0) after a delay drawn from the threads' start-up
 * window, which a calibration child measures first. A healthy library exits 0 every time; the
 * defect of issue 14 item 3 was an abort (134, koffi's napi_throw FATAL) when a thread was
 * terminated while its modules — koffi's addon among them — were still loading.
 *
 * Used by test/engine-process-exit-every-thread-phase.test.ts (a CI-sized sample) and by
 * `npm run stress:exit` (scripts/exit-stress.ts, 100 runs per phase).
 */
import { runChild, engineUrl } from './child.js';

/**
 * Where the threads are when the child exits. `ring`: the same blocked reads as `blocked`, made
 * as io_uring requests (the default engine) instead of on threads; `posix`: aio_read on sockets
 * through the POSIX layer's default engine.
 */
export type ThreadPhase = 'loading' | 'blocked' | 'busy' | 'retiring' | 'ring' | 'posix';

/** Every phase, in the order the stress runs them. */
export const THREAD_PHASES: readonly ThreadPhase[] = ['loading', 'blocked', 'busy', 'retiring', 'ring', 'posix'];

const THREADS = 8;

function script(phase: ThreadPhase, delayMs: number): string {
  const lines = [
    `import { Engine } from ${JSON.stringify(engineUrl('engine'))};`,
    `import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};`,
    `import { socketPair } from ${JSON.stringify(new URL('./engine.ts', import.meta.url).href)};`,
    `const delay = ${delayMs};`,
  ];
  switch (phase) {
    case 'loading':
      lines.push(`const engine = new Engine({ threads: ${THREADS}, minThreads: 0 });`, `void engine.warm(${THREADS});`);
      break;
    case 'blocked':
    case 'ring':
      lines.push(
        // Threads are forced for 'blocked': with io_uring the reads would be ring requests.
        `const engine = new Engine({ threads: ${THREADS}, minThreads: 0, idleTimeMs: 30_000${phase === 'blocked' ? ", engine: 'threads'" : ''} });`,
        `for (let i = 0; i < ${THREADS}; i++) {`,
        '  const [reader] = socketPair(engine);',
        '  const chain = new ChainBuilder(engine.memory);',
        '  chain.atom("read", [reader, chain.buffer(16), 16], { flags: 1 /* SYSLET_ASYNC */ });',
        '  engine.async_exec(chain.first);',
        '}',
      );
      break;
    case 'busy':
      lines.push(
        `const engine = new Engine({ threads: ${THREADS}, minThreads: 0 });`,
        `for (let i = 0; i < ${THREADS}; i++) {`,
        '  const chain = new ChainBuilder(engine.memory, { maxAtoms: 1024 });',
        '  for (let a = 0; a < 1024; a++) chain.atom("getpid", [], { flags: a === 0 ? 1 : 0 });',
        '  const again = () => engine.runChain(chain.first).then(again, () => {});',
        '  void again();',
        '}',
      );
      break;
    case 'retiring':
      lines.push(`const engine = new Engine({ threads: ${THREADS}, minThreads: 0, idleTimeMs: 1 });`, `void engine.warm(${THREADS});`);
      break;
    case 'posix':
      lines.push(
        `const { Aiocb, aio_read } = await import(${JSON.stringify(new URL('../../index.ts', import.meta.url).href)});`,
        'const sockets = new Engine({ minThreads: 0 });',
        `for (let i = 0; i < ${THREADS}; i++) {`,
        '  const [reader] = socketPair(sockets);',
        '  aio_read(new Aiocb({ aio_fildes: reader, aio_buf: Buffer.alloc(16) }));',
        '}',
      );
      break;
  }
  lines.push('setTimeout(() => process.exit(0), delay);');
  return lines.join('\n');
}

/**
 * calibrate - how long THREADS threads take to be ready in a fresh child (ms), so that exit
 * delays can be spread over the whole start-up.
 */
export async function calibrate(): Promise<number> {
  const child = await runChild(
    [
      `import { Engine } from ${JSON.stringify(engineUrl('engine'))};`,
      'const t0 = performance.now();',
      `const engine = new Engine({ threads: ${THREADS}, minThreads: 0 });`,
      `await engine.warm(${THREADS});`,
      'console.log(Math.round(performance.now() - t0));',
      'process.exit(0);',
    ].join('\n'),
    60_000,
  );
  const ms = Number(child.stdout.trim().split('\n').pop());
  return Number.isFinite(ms) && ms > 0 ? ms : 1000;
}

/** One child's ending. */
export interface ExitRun {
  readonly phase: ThreadPhase;
  readonly delayMs: number;
  /** The exit code as text, or the signal, or `'timeout'`. */
  readonly ending: string;
  /** The first line of stderr when the ending was not 0. */
  readonly stderr: string;
}

/**
 * exitAt - run one child of `phase` that exits after `delayMs`.
 * @returns how it ended.
 */
export async function exitAt(phase: ThreadPhase, delayMs: number): Promise<ExitRun> {
  // Generous: a child takes 4-8 s on two cores shared with other work (load 20-30), and the exit
  // itself may wait up to 10 s for threads still loading; a hang still ends here.
  const child = await runChild(script(phase, delayMs), 60_000);
  const ending = child.timedOut ? 'timeout' : child.signal !== null ? child.signal : String(child.code);
  return { phase, delayMs, ending, stderr: ending === '0' ? '' : (child.stderr.trim().split('\n')[0] ?? '') };
}

/**
 * delays - `runs` exit delays spread evenly over [0, 1.2 × window), each jittered within its
 * step, so a sample covers every point of the threads' start-up and the time just after.
 */
export function delays(runs: number, windowMs: number): number[] {
  const step = (windowMs * 1.2) / runs;
  return Array.from({ length: runs }, (_, i) => Math.floor(step * (i + Math.random())));
}
