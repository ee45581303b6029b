/**
 * The teardown campaign (issue 15, "how to keep them found"): chains in flight on cachemiss threads
 * — blocked on pipes, sleeping, looping, racing each other's iovecs — while the program tears
 * things down under them in a random order: frees their memory, unregisters their buffers, tries
 * to free the registered ring, swaps the ring, kills a thread, cancels chains, closes the engine,
 * and re-enters the engine from its callbacks (onDeny submits or frees; chainDone listeners submit
 * follow-up chains, free their own memory or close the engine).
 *
 * After every case: every chain the engine accepted completed exactly once (to its listener or the
 * ring), refused submissions ran nothing, freeing the ring's memory was refused with EBUSY, every
 * canary around the areas chains wrote into is intact, and nothing hung (60 s).
 *
 * `--exit-case` runs one case that ends the process with process.exit(0) while chains are in
 * flight (the campaign runner checks that the process exits with 0 and no signal).
 *
 * Run standalone: `node --import tsx test/fuzz/teardown.ts --seed 1 --seconds 10 [--cases N] [--out f.json]`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine, type ChainListener } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';
import { STOP, SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_ZERO } from '../../engine/atom.js';
import { negotiateRing } from '../../engine/ring.js';
import { addressOf, syscall, type Word } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import type { Region } from '../../engine/memory.js';
import { GuardedArea } from './guarded.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';

const THREADS = 4;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const SYS_FORK = 57;
const VALID_STOPS = new Set<number>([STOP.end, STOP.flag, STOP.fault, STOP.limit, STOP.cancelled, STOP.died]);

/** What a teardown run saw. */
export interface TeardownReport {
  seed: number;
  cases: number;
  /** Chains the engine accepted (async_exec/submit returned 0 or an atom). */
  chains: number;
  /** Atoms the accepted chains executed, as their completions report them. */
  atoms: number;
  /** Completions delivered (each counted once per chain). */
  completions: number;
  canaryChecks: number;
  /** How many times each teardown or re-entrant action ran. */
  actions: Record<string, number>;
  /** Stop reasons of the completions. */
  stops: Record<string, number>;
  violations: string[];
  elapsedMs: number;
}

function pipe(flags = O_CLOEXEC): [number, number] {
  const fds = Buffer.alloc(8);
  const result = syscall(NR.pipe2, addressOf(fds), flags);
  if (result !== 0) throw new Error(`pipe2: ${result}`);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

function closeFd(fd: number): void {
  syscall(NR.close, fd);
}

const ONE = Buffer.from([1]);

/** One chain of a case. */
interface Tracked {
  readonly id: number;
  readonly kind: string;
  readonly builder: ChainBuilder;
  /** Its blocking pipe (blockers), fed to let it finish. */
  readonly pipe: [number, number] | null;
  /** 'listener' chains count their completions here; 'ring' chains through the ring. */
  readonly via: 'listener' | 'ring';
  listener: ChainListener | null;
  token: number;
  accepted: boolean;
  completions: number;
  fed: boolean;
  disposed: boolean;
}

/** One case's state: an engine (shared with later cases unless closed), its ring, its chains. */
class Case {
  readonly r: Prng;
  readonly engine: Engine;
  readonly chains: Tracked[] = [];
  readonly areas: GuardedArea[] = [];
  readonly buffers: ArrayBuffer[] = [];
  readonly report: TeardownReport;
  readonly violation: (what: string) => void;
  ring: Region | null = null;
  closed = false;
  /** A chain never completed: the engine is not to be trusted for another case. */
  hung = false;
  /** A thread was killed: the next case gets a fresh engine. */
  killed = false;
  // The iovec the last reader reads through: the next reader races it.
  #lastIov: GuardedArea | null = null;
  #nextId: number;
  /** What the engine's onDeny does in this case (set per case: the callback is the engine's). */
  onDeny: () => void = () => undefined;

  constructor(r: Prng, engine: Engine, report: TeardownReport, violation: (what: string) => void, firstId: number) {
    this.r = r;
    this.engine = engine;
    this.report = report;
    this.violation = violation;
    this.#nextId = firstId;
  }

  count(action: string): void {
    this.report.actions[action] = (this.report.actions[action] ?? 0) + 1;
  }

  /**
   * Lays out a chain of `kind`; every atom carries the chain's id in its private word.
   * `onThread`: a blocker goes to a cachemiss thread at once (its read(2) blocks there).
   */
  build(kind: string, onThread = false): Tracked {
    const id = this.#nextId++;
    const builder = new ChainBuilder(this.engine.memory, { maxAtoms: 8, dataBytes: 1024 });
    let blockPipe: [number, number] | null = null;
    const tag = { private: id };
    switch (kind) {
      case 'blocker': {
        blockPipe = pipe();
        const into = this.r.chance(0.5) ? this.#area(64) : this.#registered(64);
        // Half go to a cachemiss thread at once; the others block inline, so with the io_uring
        // engine their read is a request in the ring when the teardown comes. (The draw is made
        // either way, so that `onThread` leaves the rest of the case as it was.)
        const async = this.r.chance(0.5) || onThread;
        builder.atom('getpid', [], { flags: async ? SYSLET_ASYNC : 0, ...tag });
        builder.atom('read', [blockPipe[0], { address: into }, 1], tag);
        builder.atom('getpid', [], tag);
        break;
      }
      case 'sleeper': {
        const ts = builder.buffer(16);
        new DataView(ts.bytes.buffer, ts.bytes.byteOffset, 16).setBigInt64(8, BigInt(1 + this.r.int(20)) * 1_000_000n, true);
        builder.atom('nanosleep', [ts, 0], tag);
        builder.atom('getpid', [], tag);
        break;
      }
      case 'looper': {
        const countdown = builder.cell(100 + this.r.int(20_000));
        const step = builder.atom('umem_add', [countdown.ref, -1], { flags: (this.r.chance(0.5) ? SYSLET_ASYNC : 0) | SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, ...tag });
        builder.atom('getpid', [], tag);
        builder.link(step, step);
        break;
      }
      case 'denier': {
        builder.atom('getpid', [], tag);
        builder.atom(SYS_FORK, [], tag);
        builder.atom('getpid', [], tag);
        break;
      }
      default: {
        // reader: a readv from /dev/zero into the last 64 bytes of a guarded area, its iovec
        // raced by the chain itself around the call (a length pushed past the area's end).
        // reader: a readv from /dev/zero into the last 64 bytes of a guarded area, in a loop that
        // also pushes the previous reader's iovec past its area's end around its own call.
        const data = this.#guarded(256);
        const iovs = this.#guarded(16);
        iovs.view.setBigUint64(0, BigInt(data.end - 64), true);
        iovs.view.setBigUint64(8, 64n, true);
        const other = this.#lastIov ?? iovs;
        this.#lastIov = iovs;
        const countdown = builder.cell(10 + this.r.int(500));
        const zero = builder.cell(devZero);
        const race = builder.atom('umem_add', [{ address: other.start + 8 }, 4096], { flags: SYSLET_ASYNC, ...tag });
        builder.atom('readv', [zero, { address: iovs.start }, 1], tag);
        builder.atom('umem_add', [{ address: other.start + 8 }, -4096], tag);
        const step = builder.atom('umem_add', [countdown.ref, -1], { flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, ...tag });
        builder.atom('getpid', [], tag);
        builder.link(step, race);
      }
    }
    const tracked: Tracked = { id, kind, builder, pipe: blockPipe, via: this.ring !== null && this.r.chance(0.4) ? 'ring' : 'listener', listener: null, token: -1, accepted: false, completions: 0, fed: false, disposed: false };
    this.chains.push(tracked);
    return tracked;
  }

  #guarded(size: number): GuardedArea {
    const area = new GuardedArea(this.engine, size);
    this.areas.push(area);
    return area;
  }

  #area(size: number): number {
    return this.#guarded(size).start;
  }

  #registered(size: number): number {
    const buffer = new ArrayBuffer(size);
    this.buffers.push(buffer);
    return this.engine.register(buffer).start;
  }

  /** Submits a chain (to its listener, or to the ring). @returns whether the engine accepted it. */
  submit(chain: Tracked): boolean {
    if (chain.via === 'ring') {
      const result = this.engine.async_exec(chain.builder.first);
      chain.accepted = result === 0n;
      // An inline completion is not posted (no reportInline): count it here.
      if (result > 0n) {
        chain.completions++;
        this.#completed(this.engine.lastSubmit.atoms, this.engine.lastSubmit.stop);
      }
      if (result >= 0n) this.report.chains++;
      return result >= 0n;
    }
    const listener: ChainListener = {
      chainDone: (_last: number, _result: Word, atoms: number, stop: number) => {
        chain.completions++;
        this.#completed(atoms, stop);
        this.#reenter(chain);
      },
    };
    chain.listener = listener;
    const result = this.engine.submit(chain.builder.first, listener);
    chain.token = this.engine.lastSubmit.token;
    chain.accepted = result === 0;
    if (result > 0) {
      chain.completions++;
      this.#completed(this.engine.lastSubmit.atoms, this.engine.lastSubmit.stop);
    }
    if (result >= 0) this.report.chains++;
    return result >= 0;
  }

  #completed(atoms: number, stop: number): void {
    this.report.completions++;
    this.report.atoms += atoms;
    this.report.stops[String(stop)] = (this.report.stops[String(stop)] ?? 0) + 1;
    if (!VALID_STOPS.has(stop)) this.violation(`a completion with stop ${stop}`);
  }

  /** A listener's re-entrant action: submit a follow-up chain, free its own chain, or close. */
  #reenter(chain: Tracked): void {
    if (this.closed) return;
    const what = this.r.int(10);
    if (what === 0) {
      this.count('listener: submit');
      this.submit(this.build(this.r.pick(['sleeper', 'looper', 'denier'])));
    } else if (what === 1 && !chain.disposed) {
      this.count('listener: free own chain');
      this.dispose(chain);
    }
  }

  dispose(chain: Tracked): void {
    if (chain.disposed) return;
    chain.disposed = true;
    chain.builder[Symbol.dispose]();
  }

  feed(chain: Tracked): void {
    if (chain.pipe === null || chain.fed) return;
    chain.fed = true;
    syscall(NR.write, chain.pipe[1], addressOf(ONE), 1);
  }
}

let devZero = -1;

/** A fresh engine with warm threads; its onDeny forwards to the current case. */
async function freshEngine(current: { case: Case | null }, report: TeardownReport): Promise<Engine> {
  const engine = new Engine({
    threads: THREADS,
    idleTimeMs: 60_000,
    maxAtomsPerChain: 1 << 22,
    onDeny: () => {
      report.actions['onDeny'] = (report.actions['onDeny'] ?? 0) + 1;
      current.case?.onDeny();
    },
  });
  await engine.warm(THREADS);
  return engine;
}

async function closeQuietly(engine: Engine): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await engine.close();
  } finally {
    clearInterval(keepAlive);
  }
}

/** One teardown case. */
async function runCase(c: Case): Promise<void> {
  const { r, engine } = c;
  if (r.chance(0.6)) {
    const region = engine.alloc(8 * 48);
    const version = r.chance(0.5) ? 2 : 1;
    if (engine.async_register({ ring: region.start, ringSizeBytes: 8 * 48, capabilities: negotiateRing({ version }) }) === 0) c.ring = region;
  }
  // onDeny in this case: nothing, a nested inline submission, a nested blocker, or a free.
  const reentry = r.int(4);
  c.onDeny = () => {
    if (c.closed) return;
    if (reentry === 1) {
      c.count('onDeny: nested submit');
      c.submit(c.build('looper'));
    } else if (reentry === 2) {
      c.count('onDeny: nested blocker');
      c.submit(c.build('blocker'));
    } else if (reentry === 3) {
      const victim = c.chains.find((chain) => !chain.disposed && chain.kind !== 'denier');
      if (victim !== undefined) {
        c.count('onDeny: free a chain');
        c.dispose(victim);
      }
    }
  };
  const killing = r.chance(0.1);
  if (killing) {
    // Every thread runs a blocker (each blocked in read(2), as /proc says): the thread killed is
    // certainly one running a chain, which completes with -EOWNERDEAD. (A killed thread leaves
    // the pool's counters as they were: the engine is replaced after this case.) They go to the
    // threads at once: a blocker that blocks inline is a ring request under io_uring, so the
    // threads never all blocked, the wait below ran its 20 s and the thread killed was idle.
    c.killed = true;
    for (let i = 0; i < THREADS; i++) c.submit(c.build('blocker', true));
    const blockers = c.chains.filter((chain) => chain.kind === 'blocker');
    let blocked = allBlocked(THREADS);
    for (let waited = 0; waited < 20_000 && !blocked; waited += 5) {
      await delay(5);
      blocked = allBlocked(THREADS);
    }
    c.count(blocked ? 'kill a running thread' : 'kill a thread (not every thread blocked after 20 s)');
    await engine.killCachemissThread(r.int(THREADS));
    for (const blocker of blockers) c.feed(blocker);
  }
  const count = 2 + r.int(7);
  for (let i = 0; i < count; i++) c.submit(c.build(r.pick(['blocker', 'blocker', 'sleeper', 'looper', 'denier', 'reader', 'reader'])));
  // The teardown, in a random order, with the event loop turning in between.
  const actions = ['free', 'free', 'unregister', 'free ring', 'swap ring', 'cancel', 'feed', 'feed', 'feed'];
  const steps = 1 + r.int(8);
  // Closing costs the next case a fresh engine (warm threads take a while under tsx): 1 case in 12.
  const closeAt = r.chance(0.08) ? r.int(steps) : -1;
  for (let step = 0; step < steps && !c.closed; step++) {
    await delay(r.int(4));
    const action = step === closeAt ? 'close' : r.pick(actions);
    const live = c.chains.filter((chain) => chain.accepted && chain.completions === 0);
    switch (action) {
      case 'free': {
        const chain = r.pick(c.chains);
        if (!chain.disposed) {
          c.count('free a chain in flight');
          c.dispose(chain);
        }
        break;
      }
      case 'unregister': {
        const buffer = c.buffers[r.int(Math.max(1, c.buffers.length))];
        if (buffer !== undefined && engine.unregister(buffer)) c.count('unregister a buffer in use');
        break;
      }
      case 'free ring': {
        if (c.ring === null) break;
        c.count('free the registered ring');
        try {
          engine.free(c.ring);
          c.violation('engine.free() of the registered ring was accepted');
          c.ring = null;
        } catch (error) {
          if ((error as { code?: string }).code !== 'EBUSY') c.violation(`freeing the ring threw ${String(error)}`);
        }
        break;
      }
      case 'swap ring': {
        if (c.ring === null) break;
        c.count('swap the ring');
        reapAll(c);
        engine.async_unregister();
        const old = c.ring;
        const region = engine.alloc(8 * 48);
        c.ring = engine.async_register({ ring: region.start, ringSizeBytes: 8 * 48, capabilities: negotiateRing({ version: 2 }) }) === 0 ? region : null;
        engine.free(old);
        break;
      }
      case 'cancel': {
        const chain = live.find((candidate) => candidate.listener !== null && candidate.token >= 0);
        if (chain?.listener != null && engine.cancelChain(chain.token, chain.listener)) c.count('cancel a chain');
        break;
      }
      case 'feed': {
        const chain = c.chains.find((candidate) => candidate.pipe !== null && !candidate.fed);
        if (chain !== undefined) c.feed(chain);
        break;
      }
      default: {
        c.count('close the engine in flight');
        c.closed = true;
        await closeQuietly(engine);
      }
    }
  }
  // Let everything finish: feed every blocker, then wait for every accepted chain.
  for (const chain of c.chains) c.feed(chain);
  const deadline = performance.now() + 60_000;
  for (;;) {
    reapAll(c);
    const waiting = c.chains.filter((chain) => chain.accepted && chain.completions === 0);
    if (waiting.length === 0 && engine.inflight === 0) break;
    if (performance.now() > deadline) {
      c.hung = true;
      c.violation(`${waiting.length} chains never completed (${waiting.map((chain) => `${chain.kind} via ${chain.via}${chain.fed ? ', fed' : ''}${chain.disposed ? ', freed' : ''}`).join('; ')}; in flight ${engine.inflight}; actions ${JSON.stringify(c.report.actions)})`);
      break;
    }
    // Chains submitted from callbacks may still be added to the case meanwhile.
    for (const chain of c.chains) c.feed(chain);
    engine.pump();
    await delay(2);
  }
  reapAll(c);
  for (const chain of c.chains) {
    if (chain.completions > 1) c.violation(`${chain.kind} chain ${chain.id} completed ${chain.completions} times`);
  }
  for (const area of c.areas) {
    c.report.canaryChecks++;
    const damaged = area.damaged();
    if (damaged > 0) {
      c.violation(`${damaged} canary bytes written around an area`);
      area.restore();
    }
  }
}

/** Takes every ring completion, counting each against the chain named by its private word. */
function reapAll(c: Case): void {
  if (c.ring === null) return;
  for (let completion = c.engine.reap(); completion !== null; completion = c.engine.reap()) {
    const atom = Number(completion.atom);
    const chain = c.chains.find((candidate) => atom >= candidate.builder.region.start && atom < candidate.builder.region.end);
    // The private word says which chain it was, whatever happened to its memory.
    const byTag = completion.private === undefined ? chain : c.chains.find((candidate) => BigInt(candidate.id) === completion.private);
    const owner = byTag ?? chain;
    if (owner === undefined) {
      c.violation(`a ring completion for no chain of this case (atom 0x${atom.toString(16)})`);
      continue;
    }
    owner.completions++;
    c.report.completions++;
    if (completion.atoms !== undefined) c.report.atoms += completion.atoms;
    if (completion.stop !== undefined) c.report.stops[String(completion.stop)] = (c.report.stops[String(completion.stop)] ?? 0) + 1;
  }
}

/** Whether `count` threads of this process are blocked in read(2) (only blockers read). */
function allBlocked(count: number): boolean {
  let blocked = 0;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      if (readFileSync(`/proc/self/task/${task}/syscall`, 'utf8').startsWith(`${NR.read} `)) blocked++;
    } catch {
      // The thread exited meanwhile.
    }
  }
  return blocked >= count;
}

/** runTeardown - tear down under chains in flight for `seconds` (or `maxCases`). */
export async function runTeardown(options: { seed: number; seconds: number; maxCases?: number; from?: number; checkpoint?: (index: number) => void }): Promise<TeardownReport> {
  const report: TeardownReport = { seed: options.seed, cases: 0, chains: 0, atoms: 0, completions: 0, canaryChecks: 0, actions: {}, stops: {}, violations: [], elapsedMs: 0 };
  const zero = syscall(NR.openat, -100, addressOf(Buffer.from('/dev/zero\0')), O_CLOEXEC | O_NONBLOCK, 0);
  devZero = zero;
  const current: { case: Case | null } = { case: null };
  let engine = await freshEngine(current, report);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const max = options.maxCases ?? Number.POSITIVE_INFINITY;
  const from = options.from ?? 0;
  let ids = 1;
  for (let index = from; index - from < max && performance.now() < deadline; index++) {
    options.checkpoint?.(index);
    const violation = (what: string): void => {
      if (report.violations.length < 50) report.violations.push(`seed ${options.seed} case ${index}: ${what}`);
    };
    const c = new Case(new Prng(seedFor(options.seed, index)), engine, report, violation, ids);
    current.case = c;
    await runCase(c);
    ids += 10_000;
    current.case = null;
    report.cases++;
    for (const chain of c.chains) {
      c.dispose(chain);
      if (chain.pipe !== null) {
        closeFd(chain.pipe[0]);
        closeFd(chain.pipe[1]);
      }
    }
    if (c.ring !== null && !c.closed) {
      engine.async_unregister();
      engine.free(c.ring);
    } else if (c.ring !== null) {
      engine.async_unregister();
    }
    for (const buffer of c.buffers) engine.unregister(buffer, true);
    // Nothing is in flight: the native areas can go.
    for (const area of c.areas) area.release(engine);
    if (c.hung) break;
    if (c.killed && !c.closed) await closeQuietly(engine);
    if (c.closed || c.killed) engine = await freshEngine(current, report);
  }
  report.elapsedMs = Math.round(performance.now() - started);
  await closeQuietly(engine);
  closeFd(zero);
  return report;
}

/**
 * exitCase - start chains in flight on warm threads (blocked, sleeping, looping, racing), then
 * end the process with process.exit(0) after a random delay: the runner checks it exits with 0.
 */
export async function exitCase(seed: number, index: number): Promise<never> {
  const r = new Prng(seedFor(seed, index));
  const report: TeardownReport = { seed, cases: 0, chains: 0, atoms: 0, completions: 0, canaryChecks: 0, actions: {}, stops: {}, violations: [], elapsedMs: 0 };
  devZero = syscall(NR.openat, -100, addressOf(Buffer.from('/dev/zero\0')), O_CLOEXEC | O_NONBLOCK, 0);
  const current: { case: Case | null } = { case: null };
  const engine = await freshEngine(current, report);
  const c = new Case(r, engine, report, () => undefined, 1);
  current.case = c;
  const count = 1 + r.int(8);
  for (let i = 0; i < count; i++) c.submit(c.build(r.pick(['blocker', 'sleeper', 'looper', 'reader'])));
  if (r.chance(0.3)) void engine.close();
  await delay(r.int(30));
  process.stdout.write(`exiting with ${engine.inflight} in flight\n`);
  process.exit(0);
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : undefined;
  return raw === undefined ? fallback : Number(raw);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seed = argValue('seed', Date.now() % 2 ** 31);
  if (process.argv.includes('--exit-case')) await exitCase(seed, argValue('index', 0));
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : undefined;
  const report = await runTeardown({
    seed,
    seconds: argValue('seconds', 4),
    maxCases: argValue('cases', Number.POSITIVE_INFINITY),
    from: argValue('from', 0),
    checkpoint: writeCheckpoint,
  });
  const json = JSON.stringify(report, null, 2);
  if (out !== undefined) writeFileSync(out, json);
  else process.stdout.write(`${json}\n`);
}
