/**
 * P6: memory over a long run. Each contender reads N1 then N2 cached 4 KiB blocks at QD64 in its
 * own child process; the row's figure is RSS growth from N1 to N2 in percent, with the native
 * (external + arrayBuffers) figures alongside. Memory malloc'd by native code outside V8's view
 * (the engine's rings, koffi, glibc's AIO threads) shows up in RSS.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryChildArgs, MemoryChildResult } from '../memory-child.js';
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { alternate, type Entry } from './runner.js';
import type { RunContext } from './context.js';

const QD = 64;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const child = path.join(here, '../memory-child.ts');
const CONTENDERS = ['syslet aio_read', 'syslet aio.read', 'glibc aio_read', 'fs.read cb', 'FileHandle.read'];

function runChild(args: MemoryChildArgs): Promise<MemoryChildResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--import', 'tsx', child, JSON.stringify(args)], { cwd: root, timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(stderr.trim().split('\n').pop() || err.message));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as MemoryChildResult);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

/**
 * runP6 - measure memory growth per contender, each in a child process.
 *
 * @returns rows whose figure is RSS growth N1→N2 in %, `extra` holding the byte figures; targets:
 *   this library's aio_read grows RSS ≤5% and native memory not at all (≤ 0 bytes).
 */
export async function runP6(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const n1 = ctx.quick ? 10_000 : 100_000;
  const n2 = ctx.quick ? 100_000 : 1_000_000;
  const rounds = ctx.rounds ?? 1;
  warmFile(ctx.dataset.bigFile);
  const entries: Entry[] = CONTENDERS.map((name) => {
    const c = ctx.contenders.reads.find((r) => r.name === name);
    return {
      name: `${name} QD${QD}`,
      family: c?.family ?? 'syslet',
      qd: QD,
      unavailable: c ? c.unavailable : 'not registered',
      setup() {},
      async measure() {
        const r = await runChild({ contender: name, file: ctx.dataset.bigFile, blocks: ctx.dataset.blocks, blockSize: DATASET.blockSize, qd: QD, n1, n2 });
        const extra = {
          rssStart: r.start.rss,
          rssAtN1: r.atN1.rss,
          rssAtN2: r.atN2.rss,
          nativeAtN1: r.atN1.native,
          nativeAtN2: r.atN2.native,
          nativeGrowthBytes: r.atN2.native - r.atN1.native,
          heapGrowthBytes: r.atN2.heapUsed - r.atN1.heapUsed,
        };
        return { value: ((r.atN2.rss - r.atN1.rss) / r.atN1.rss) * 100, extra };
      },
      teardown() {},
    };
  });
  const rows = await alternate(entries, { rounds, log: ctx.log });
  return {
    id: 'P6',
    title: `memory: RSS and native memory from ${n1} to ${n2} cached 4 KiB reads at QD${QD}`,
    detail: `each contender in its own process (--expose-gc, gc before each sample), ${rounds} round(s); figure = RSS growth N1→N2`,
    unit: '%',
    baselines: [],
    rows,
    targets: [
      { text: 'P6 aio_read RSS growth ≤5% from N1 to N2', subject: `syslet aio_read QD${QD}`, kind: 'max', want: 5 },
      { text: 'P6 aio_read no native memory growth (external+arrayBuffers)', subject: `syslet aio_read QD${QD}`, kind: 'max', metric: 'nativeGrowthBytes', want: 0 },
    ],
    seconds: (performance.now() - t0) / 1000,
  };
}
