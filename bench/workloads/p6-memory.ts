/**
 * P6: memory over a long run. Each contender reads N1 then N2 cached 4 KiB blocks at QD64 in a
 * fresh process of its own (`--expose-gc`, a GC before each sample); the row's figure is RSS
 * growth from N1 to N2 in percent, with the native (external + arrayBuffers) figures and the CPU
 * per read alongside. Memory malloc'd by native code outside V8's view (the engine's rings, koffi,
 * glibc's AIO threads) shows up in RSS. The library runs on each of its engines.
 */
import type { Target, WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { engineLabel, Host, labelled } from '../hosts.js';
import { alternate, type Entry } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

const QD = 64;
const CONTENDERS = ['syslet aio_read', 'syslet aio.read', 'glibc aio_read', 'fs.read cb', 'FileHandle.read'];

/**
 * runP6 - measure memory growth per contender, each in a fresh process.
 *
 * @returns rows whose figure is RSS growth N1→N2 in %, `extra` holding the byte figures; targets,
 *   per engine: the library's aio_read grows RSS ≤5% and native memory not at all.
 */
export async function runP6(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const n1 = ctx.quick ? 1_000 : 100_000;
  const n2 = ctx.quick ? 4_000 : 1_000_000;
  const rounds = ctx.rounds ?? 1;
  warmFile(ctx.dataset.bigFile);
  const entries: Entry[] = ctx.sets.flatMap((set) =>
    set.contenders.read
      .filter((c) => CONTENDERS.includes(c.name))
      .map((info): Entry => ({
        name: labelled(`${info.name} QD${QD}`, engineLabel(set.host.options, set.engine)),
        family: info.family,
        qd: QD,
        unavailable: info.unavailable,
        setup() {},
        async measure() {
          const host = new Host({ ...set.host.options, nodeFlags: ['--expose-gc'] });
          try {
            const r = await host.memory(info.name, { file: ctx.dataset.bigFile, blocks: ctx.dataset.blocks, blockSize: DATASET.blockSize, qd: QD, n1, n2 });
            const extra = {
              rssStart: r.start.rss,
              rssAtN1: r.atN1.rss,
              rssAtN2: r.atN2.rss,
              nativeAtN1: r.atN1.native,
              nativeAtN2: r.atN2.native,
              nativeGrowthBytes: r.atN2.native - r.atN1.native,
              heapGrowthBytes: r.atN2.heapUsed - r.atN1.heapUsed,
            };
            return { value: ((r.atN2.rss - r.atN1.rss) / r.atN1.rss) * 100, cpu: r.cpuPerOp, extra };
          } finally {
            await host.close();
          }
        },
        teardown() {},
      })),
  );
  const rows = await alternate(entries, { rounds, log: ctx.log });
  const targets: Target[] = librarySets(ctx).flatMap(({ label }) => [
    { text: `P6 aio_read (${label}) RSS growth ≤5% from N1 to N2`, subject: libraryRow('syslet aio_read', QD, label), kind: 'max', want: 5 },
    { text: `P6 aio_read (${label}) no native memory growth (external+arrayBuffers)`, subject: libraryRow('syslet aio_read', QD, label), kind: 'max', metric: 'nativeGrowthBytes', want: 0 },
  ]);
  return {
    id: 'P6',
    title: `memory: RSS and native memory from ${n1} to ${n2} cached 4 KiB reads at QD${QD}`,
    detail: `each contender in a fresh process (--expose-gc, gc before each sample), ${rounds} round(s); figure = RSS growth N1→N2; CPU/op over N1→N2`,
    unit: '%',
    baselines: [],
    rows,
    targets,
    seconds: (performance.now() - t0) / 1000,
  };
}
