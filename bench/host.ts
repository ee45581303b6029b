/**
 * A contender's host process: started by the bench (bench/hosts.ts) with an IPC channel, it loads
 * one contender module (the library's, which imports only the package root, or one peer family),
 * and runs what the parent asks: set up a job, warm it, measure it (wall and CPU time of this
 * whole process, every thread), tear it down, or a memory run. Nothing else runs in it, so the
 * process's CPU time and RSS are the contender's own.
 *
 * usage (by the bench only): node [--import tsx] bench/host.ts FAMILY
 */
import fs from 'node:fs';
import type { ChainContender, ChainJob, ContenderSet, LatencyContender, LatencyJob, ReadContender, TransferJob, WriteContender } from './contenders/types.js';
import type { ContenderInfo, EngineReport, HostDescription, HostMessage, HostReply, HostRequest, MemoryResult, MemorySample, MemorySpec, RunFigures, TransferSpec, ChainSpec } from './host-protocol.js';
import { offsetsFor, permutation } from './offsets.js';
import { percentile } from './stats.js';

const family = process.argv[2] ?? '';

/** Only the requested family's module is imported: the library's host never loads a peer. */
async function loadContenders(): Promise<{ set: ContenderSet; engine?: () => EngineReport }> {
  switch (family) {
    case 'syslet': {
      const m = await import('./contenders/syslet.js');
      return { set: await m.sysletContenders(), engine: m.engineReport };
    }
    case 'glibc': {
      const m = await import('./contenders/glibc-aio.js');
      return { set: { reads: m.glibcReadContenders(), writes: m.glibcWriteContenders(), latency: m.glibcLatencyContenders(), chains: [] } };
    }
    case 'node': {
      const m = await import('./contenders/node-fs.js');
      return { set: { reads: m.nodeReadContenders(), writes: m.nodeWriteContenders(), latency: m.nodeLatencyContenders(), chains: m.nodeChainContenders() } };
    }
    case 'ffi': {
      const m = await import('./contenders/ffi-sync.js');
      return { set: { reads: m.ffiReadContenders(), writes: m.ffiWriteContenders(), latency: m.ffiLatencyContenders(), chains: m.ffiChainContenders() } };
    }
    default:
      throw new Error(`unknown contender family ${family}`);
  }
}

const loaded = loadContenders();

type AnyContender = ReadContender | WriteContender | LatencyContender | ChainContender;

/** The job set up last, and how to run it. */
interface Current {
  readonly contender: AnyContender;
  readonly fd: number | undefined;
  readonly ops: number;
  setup(): Promise<void> | void;
  run(warm: boolean): Promise<RunFigures>;
}
let current: Current | undefined;

function info(list: readonly AnyContender[]): ContenderInfo[] {
  return list.map((c) => ({ name: c.name, family: c.family, sync: c.sync === true, unavailable: c.unavailable }));
}

function find<C extends AnyContender>(list: readonly C[], name: string): C {
  const c = list.find((x) => x.name === name);
  if (!c) throw new Error(`no contender named ${name} in family ${family}`);
  if (c.unavailable !== undefined) throw new Error(`${name} not available: ${c.unavailable}`);
  return c;
}

/** Time `work` (ops operations): wall and CPU (every thread of this process) per operation. */
async function timed(ops: number, work: () => Promise<unknown>): Promise<RunFigures> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = (performance.now() - t0) * 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { value: wall / ops, cpu: ((cpu.user + cpu.system) * 1000) / ops };
}

function transferSetup(set: ContenderSet, name: string, spec: TransferSpec): Current {
  const fd = fs.openSync(spec.file, spec.flags);
  const offsets = offsetsFor(permutation(spec.blocks), spec.ops);
  const job: TransferJob = { fd, path: spec.file, offsets, qd: spec.qd, blockSize: spec.blockSize };
  const warm: TransferJob = { ...job, offsets: offsets.subarray(0, Math.min(spec.ops, spec.warmOps)) };
  if (spec.kind === 'latency') {
    const c = find(set.latency, name);
    const samples = new Float64Array(spec.ops);
    const lj: LatencyJob = { ...job, samples };
    const lw: LatencyJob = { ...warm, samples: new Float64Array(warm.offsets.length) };
    return {
      contender: c,
      fd,
      ops: spec.ops,
      setup: () => c.setup(lj),
      async run(isWarm) {
        if (isWarm) {
          await c.runLatency(lw);
          return { value: NaN, cpu: NaN };
        }
        samples.fill(NaN);
        const figures = await timed(spec.ops, () => c.runLatency(lj));
        if (samples.some(Number.isNaN)) throw new Error(`${name} left latency samples unfilled`);
        return { value: percentile(samples, 50), cpu: figures.cpu, p99: percentile(samples, 99) };
      },
    };
  }
  const c = spec.kind === 'read' ? find(set.reads, name) : find(set.writes, name);
  const go = (j: TransferJob): Promise<void> => (spec.kind === 'read' ? (c as ReadContender).runReads(j) : (c as WriteContender).runWrites(j));
  return {
    contender: c,
    fd,
    ops: spec.ops,
    setup: () => c.setup(job),
    async run(isWarm) {
      if (isWarm) {
        if (warm.offsets.length > 0) await go(warm);
        return { value: NaN, cpu: NaN };
      }
      return timed(spec.ops, () => go(job));
    },
  };
}

function chainSetup(set: ContenderSet, name: string, spec: ChainSpec): Current {
  const c = find(set.chains, name);
  const job: ChainJob = { paths: spec.paths, fileSize: spec.fileSize, qd: spec.qd };
  const expected = spec.paths.length * spec.fileSize;
  return {
    contender: c,
    fd: undefined,
    ops: spec.paths.length,
    setup: () => c.setup(job),
    async run(isWarm) {
      let bytes = 0;
      const figures = await timed(spec.paths.length, async () => {
        bytes = await c.runChain(job);
      });
      if (bytes !== expected) throw new Error(`${name} read ${bytes} bytes, expected ${expected}`);
      return isWarm ? { value: NaN, cpu: NaN } : figures;
    },
  };
}

function sample(): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, native: m.external + m.arrayBuffers };
}

/** P6: warm up, then N1 reads, sample, then reads up to N2, sample. */
async function memoryRun(set: ContenderSet, name: string, spec: MemorySpec): Promise<MemoryResult> {
  const c = find(set.reads, name);
  const fd = fs.openSync(spec.file, 'r');
  try {
    const all = offsetsFor(permutation(spec.blocks), spec.n2);
    const job = (offsets: Uint32Array): TransferJob => ({ fd, path: spec.file, offsets, qd: spec.qd, blockSize: spec.blockSize });
    await c.setup(job(all));
    await c.runReads(job(all.subarray(0, Math.min(spec.n1, 10_000)))); // warm-up: JIT, pools, caches
    // The harness's own first use of its clocks (process.cpuUsage, performance.now) allocates
    // Node's native state once (~36 KiB here; 57 KiB for a bare performance.now()): it fell between
    // the N1 and N2 samples and showed as native growth on every row, glibc's and fs's included.
    await timed(1, () => Promise.resolve());
    const start = sample();
    await c.runReads(job(all.subarray(0, spec.n1)));
    const atN1 = sample();
    const figures = await timed(spec.n2 - spec.n1, () => c.runReads(job(all.subarray(spec.n1, spec.n2))));
    const atN2 = sample();
    await c.teardown();
    return { start, atN1, atN2, cpuPerOp: figures.cpu };
  } finally {
    fs.closeSync(fd);
  }
}

async function handle(req: HostRequest): Promise<unknown> {
  const { set, engine } = await loaded;
  switch (req.op) {
    case 'describe': {
      const d: HostDescription = { contenders: { read: info(set.reads), write: info(set.writes), latency: info(set.latency), chain: info(set.chains) } };
      return d;
    }
    case 'engine':
      return engine?.() ?? null;
    case 'setup': {
      if (current) throw new Error('setup while a job is set up');
      const next = req.spec.kind === 'chain' ? chainSetup(set, req.name, req.spec) : transferSetup(set, req.name, req.spec);
      try {
        await next.setup();
      } catch (e) {
        if (next.fd !== undefined) fs.closeSync(next.fd);
        throw e;
      }
      current = next;
      return null;
    }
    case 'cold': {
      // From the first call into the contender (its buffers and control blocks; for the library,
      // whatever creates the engine) to the last completion, wall and CPU.
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await handle({ op: 'setup', name: req.name, spec: req.spec });
      if (!current) throw new Error('cold run without a job');
      await current.run(false);
      const wall = (performance.now() - t0) * 1e6;
      const cpu = process.cpuUsage(cpu0);
      return { value: wall / req.spec.ops, cpu: ((cpu.user + cpu.system) * 1000) / req.spec.ops } satisfies RunFigures;
    }
    case 'warmup':
      if (!current) throw new Error('warmup without setup');
      await current.run(true);
      return null;
    case 'measure':
      if (!current) throw new Error('measure without setup');
      return current.run(false);
    case 'teardown': {
      const c = current;
      current = undefined;
      if (!c) return null;
      try {
        await c.contender.teardown();
      } finally {
        if (c.fd !== undefined) fs.closeSync(c.fd);
      }
      return null;
    }
    case 'memory':
      return memoryRun(set, req.name, req.spec);
  }
}

process.on('message', (msg: HostMessage) => {
  handle(msg).then(
    (result) => process.send?.({ id: msg.id, ok: true, result } satisfies HostReply),
    (e: unknown) => process.send?.({ id: msg.id, ok: false, error: e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e) } satisfies HostReply),
  );
});
// The parent going away ends the host (the IPC channel closes).
process.on('disconnect', () => process.exit(0));
