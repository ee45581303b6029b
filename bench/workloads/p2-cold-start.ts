/**
 * P2 cold: what a program's first uncached reads cost. Every measured run starts a fresh process
 * for the contender (the library on its default engine and forced to threads, glibc's aio_read,
 * fs.read callbacks, the FFI pread loop, the io_uring C anchor), lets it load its module, drops the
 * page cache, and times from the first call into the contender (buffers, control blocks) to the
 * completion of its first 8,192 reads of distinct 4 KiB blocks at QD64: the engine is created,
 * and its threads or ring set up, inside the timed region, as in a program.
 */
import type { WorkloadResult } from '../result.js';
import { anchorEntry, URING_ANCHOR } from '../anchor.js';
import { DATASET, dropCaches } from '../dataset.js';
import { engineLabel, Host, labelled, type EngineChoice } from '../hosts.js';
import type { ContenderInfo, EngineReport, HostFamily, RunFigures, TransferSpec } from '../host-protocol.js';
import { alternate, rowName, type Entry } from './runner.js';
import type { RunContext } from './context.js';
import { uncachedTargets } from './p2-uncached-read.js';

const QD = 64;
const GLIBC = `glibc aio_read QD${QD}`;
const ANCHOR = `${URING_ANCHOR} QD${QD}`;

/** One contender in a fresh host per run. */
function freshEntry(family: HostFamily, engine: EngineChoice | undefined, info: ContenderInfo, label: string, spec: TransferSpec, reports: EngineReport[]): Entry {
  const qd = info.sync ? 1 : spec.qd;
  let host: Host | undefined;
  return {
    name: labelled(rowName(info.name, info.sync, qd), label),
    family: info.family,
    qd,
    unavailable: info.unavailable,
    async setup() {
      host = new Host(engine === undefined ? { family } : { family, engine });
      // Loaded and idle: the contender's module is imported, nothing of it has run yet.
      await host.describe();
    },
    async measure() {
      const f = await (host as Host).call<RunFigures>({ op: 'cold', name: info.name, spec: { ...spec, qd } });
      return { value: f.value, cpu: f.cpu };
    },
    async teardown() {
      const h = host as Host;
      host = undefined;
      try {
        await h.call({ op: 'teardown' });
        // Asked after the run: asking first would create the engine outside the timed region.
        const report = await h.engine();
        if (report) reports.push(report);
      } finally {
        await h.close();
      }
    },
  };
}

/**
 * runP2Cold - the first 8,192 uncached reads of a fresh process, per contender (root only).
 *
 * @returns rows in ns/op with CPU ns/op; targets: the library's first reads no slower than
 *   glibc's, with less CPU per read.
 */
export async function runP2Cold(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = Math.min(ctx.dataset.blocks, ctx.quick ? 512 : 8192);
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 3);
  const libraries = ctx.sets.filter((s) => s.label !== '');
  const result: WorkloadResult = {
    id: 'P2COLD',
    title: `cold start: the first ${ops} uncached 4 KiB reads of a fresh process`,
    detail: `a new process per run (modules loaded, page cache dropped, then timed from the first call into the contender), QD${QD}, ${rounds} rounds`,
    unit: 'ns/op',
    baselines: [GLIBC, ANCHOR, `fs.read cb QD${QD}`],
    rows: [],
    targets: libraries.flatMap(({ label }) => uncachedTargets('P2 cold', label, GLIBC, ANCHOR, false)),
    seconds: 0,
  };
  if (ctx.uncachedSkip !== undefined) {
    result.skipped = `skipped: ${ctx.uncachedSkip}`;
    return result;
  }
  const spec: TransferSpec = { kind: 'read', file: ctx.dataset.bigFile, flags: 'r', blocks: ctx.dataset.blocks, ops, warmOps: 0, qd: QD, blockSize: DATASET.blockSize };
  const reports: EngineReport[] = [];
  const entries: Entry[] = [];
  for (const set of ctx.sets) {
    const family = set.host.options.family;
    const engine = set.host.options.engine;
    for (const info of set.contenders.read) {
      // The cold rows: the library's two APIs, glibc, Node's callbacks and the FFI floor.
      if (info.name === 'FileHandle.read' || info.name === 'fs.readSync') continue;
      entries.push(freshEntry(family, engine, info, engineLabel(set.host.options, set.engine), spec, reports));
    }
  }
  entries.push(anchorEntry(ctx.anchor, ctx.dataset.bigFile, ops, QD));
  result.rows.push(...(await alternate(entries, { rounds, beforeEach: dropCaches, log: ctx.log })));
  const engines = [...new Set(reports.map((r) => `${r.kind}${r.detail ? ` (${r.detail})` : ''}`))];
  result.seconds = (performance.now() - t0) / 1000;
  return { ...result, detail: `${result.detail}; the fresh library processes ran on: ${engines.join(', ') || 'none'}` };
}
