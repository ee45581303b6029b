/**
 * Child-process scenarios for the reliability tests: the ones that may crash, hang or end the
 * process. `node --import tsx test/fuzz/scenarios.ts <name>`; each prints one JSON line on
 * stdout ({ "ok": ..., ... }) unless the scenario is about how the process ends.
 */
import { Engine } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';
import { addressOf, syscall } from '../../engine/native/index.js';
import { SYSLET_ASYNC } from '../../engine/atom.js';
import { NR } from '../../engine/syscalls/nr.js';

const SYS_read = NR.read;
const SYS_write = NR.write;
const SYS_pipe2 = NR.pipe2;

function pipe(flags = 0): [number, number] {
  const fds = Buffer.alloc(8);
  const result = syscall(SYS_pipe2, addressOf(fds), flags);
  if (result !== 0) throw new Error(`pipe2: ${result}`);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

function say(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * A chain that signals "I am on a cachemiss thread" (an ASYNC write to `started`) and then blocks
 * reading an empty pipe. Returns once the cachemiss thread has certainly reached the read. The
 * engine must run on threads (engine: 'threads'): with io_uring the write would be a ring request,
 * submitted only once this thread is back in the event loop, after its blocking read of `started`.
 */
function blockOnEmptyPipe(engine: Engine, dataBytes = 4096): { chain: ChainBuilder; started: [number, number]; empty: [number, number]; done: Promise<unknown> } {
  const started = pipe();
  const empty = pipe();
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 4, dataBytes });
  const byte = chain.buffer(new Uint8Array([1]));
  const into = chain.buffer(64);
  chain.atom('write', [started[1], byte, 1], { flags: SYSLET_ASYNC });
  chain.atom('read', [empty[0], into, 64]);
  const done = engine.runChain(chain.first);
  const scratch = Buffer.alloc(8);
  // Blocking read on the main thread: returns when the cachemiss thread wrote (then it goes on
  // to the read of the empty pipe).
  const got = syscall(SYS_read, started[0], addressOf(scratch), 1);
  if (got !== 1) throw new Error(`started pipe: ${got}`);
  return { chain, started, empty, done };
}

async function closeQuietly(engine: Engine): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await engine.close();
  } finally {
    clearInterval(keepAlive);
  }
}

const scenarios: Record<string, () => Promise<void> | void> = {
  /** engine memory released while a cachemiss chain still uses it (the chain's result cell is in it). */
  async 'free-inflight'() {
    const engine = new Engine({ engine: 'threads', threads: 2 });
    // 1 MiB: above glibc's mmap threshold, so free() really unmaps it.
    const { chain, empty, done } = blockOnEmptyPipe(engine, 1 << 20);
    chain[Symbol.dispose]();
    const word = Buffer.from('wake');
    syscall(SYS_write, empty[1], addressOf(word), 4);
    const completion = await done;
    say({ ok: true, completion });
    await closeQuietly(engine);
  },

  /** A bad thread count must give a typed error or a working engine, never a hang. */
  async threads() {
    const which = process.argv[3] ?? 'nan';
    const options = { nan: { threads: Number.NaN }, zero: { threads: 0 }, negative: { threads: -1 }, configure: {} }[which] ?? {};
    let engine: Engine;
    try {
      engine = new Engine(options);
      if (which === 'configure') engine.configurePool(Number.NaN, 1000);
    } catch (error) {
      say({ ok: true, threw: (error as Error).name });
      return;
    }
    const chain = new ChainBuilder(engine.memory);
    const timespec = chain.buffer(16); // {0, 0}
    chain.atom('nanosleep', [timespec, null]);
    const timer = setTimeout(() => {
      say({ ok: false, hang: true, inflight: engine.inflight, threads: engine.threads });
      process.exit(2);
    }, 4000);
    const done = await engine.runChain(chain.first);
    clearTimeout(timer);
    say({ ok: true, result: done.result, mode: done.mode });
    await closeQuietly(engine);
  },

  /** process.exit() while a cachemiss thread is blocked reading an empty pipe. */
  'exit-blocked'() {
    const engine = new Engine({ engine: 'threads', threads: 2 });
    blockOnEmptyPipe(engine);
    say({ ok: true, inflight: engine.inflight });
    process.exit(0);
  },

  /** The script ends with an idle engine that has run chains inline and on a cachemiss thread. */
  async 'exit-idle'() {
    const engine = new Engine({ threads: 2, idleTimeMs: 60_000 });
    const chain = new ChainBuilder(engine.memory);
    chain.atom('getpid');
    const inline = await engine.runChain(chain.first);
    chain.setFlags(chain.atoms[0] as never, SYSLET_ASYNC);
    const async = await engine.runChain(chain.first);
    say({ ok: inline.mode === 'inline' && async.mode === 'cachemiss', threads: engine.threads });
  },

  /** The script ends while a chain (a 300 ms nanosleep) is in flight: the process waits for it, then exits. */
  'exit-inflight'() {
    const engine = new Engine({ threads: 2 });
    const chain = new ChainBuilder(engine.memory);
    const timespec = chain.buffer(16);
    new DataView(timespec.bytes.buffer, timespec.bytes.byteOffset, 16).setBigInt64(8, 300_000_000n, true);
    chain.atom('nanosleep', [timespec, null]);
    void engine.runChain(chain.first).then((done) => say({ ok: done.result === 0, completed: true }));
  },

  /** SYSLET_AIO_DISABLED=1: every atom is -EPERM. */
  disabled() {
    const engine = new Engine();
    const rules: string[] = [];
    const narrowed = new Engine({ onDeny: (record) => rules.push(record.rule) });
    const results: number[] = [];
    for (const target of [engine, narrowed]) {
      const chain = new ChainBuilder(target.memory);
      const a = chain.atom('getpid');
      const b = chain.atom('sched_yield');
      target.runChainSync(chain.first);
      results.push(Number(a.result.value), Number(b.result.value));
    }
    say({ ok: true, results, allowed: engine.policy.allowedNames(), rules });
  },
};

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (scenario === undefined) {
  process.stderr.write(`unknown scenario '${name}'\n`);
  process.exit(64);
}
await scenario();
