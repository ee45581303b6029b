/**
 * P6's child process: run one read contender for N1 then N2 operations in a fresh process and
 * report memory at each point, so no other contender's allocations or the parent's data set
 * pollute the figures. Started by workloads/p6-memory.ts with `--expose-gc`; prints one JSON line.
 *
 * usage: node --expose-gc --import tsx bench/memory-child.ts '{"contender":..., "file":..., ...}'
 */
import fs from 'node:fs';
import { allContenders } from './contenders/index.js';
import type { TransferJob } from './contenders/types.js';
import { offsetsFor, permutation } from './dataset.js';

/** The child's argument, JSON-encoded in argv[2]. */
export interface MemoryChildArgs {
  /** Contender name without the QD suffix, as in the registry. */
  readonly contender: string;
  readonly file: string;
  readonly blocks: number;
  readonly blockSize: number;
  readonly qd: number;
  /** Operations at the first sample point (e.g. 100k). */
  readonly n1: number;
  /** Operations at the second sample point (e.g. 1M). */
  readonly n2: number;
}

/** Memory at one sample point, in bytes. */
export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  /** `external + arrayBuffers`: memory V8 knows is held outside its heap by buffers and addons. */
  readonly native: number;
}

/** What the child prints. */
export interface MemoryChildResult {
  readonly start: MemorySample;
  readonly atN1: MemorySample;
  readonly atN2: MemorySample;
}

function sample(): MemorySample {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, native: m.external + m.arrayBuffers };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as MemoryChildArgs;
  const set = await allContenders();
  const c = set.reads.find((r) => r.name === args.contender);
  if (!c) throw new Error(`no read contender named ${args.contender}`);
  if (c.unavailable !== undefined) throw new Error(`${c.name} not available: ${c.unavailable}`);
  const fd = fs.openSync(args.file, 'r');
  const all = offsetsFor(permutation(args.blocks), args.n2);
  const job = (offsets: Uint32Array): TransferJob => ({ fd, path: args.file, offsets, qd: args.qd, blockSize: args.blockSize });
  await c.setup(job(all));
  await c.runReads(job(all.subarray(0, Math.min(args.n1, 10_000)))); // warm-up: JIT, pools, caches
  const start = sample();
  await c.runReads(job(all.subarray(0, args.n1)));
  const atN1 = sample();
  await c.runReads(job(all.subarray(args.n1, args.n2)));
  const atN2 = sample();
  await c.teardown();
  fs.closeSync(fd);
  const result: MemoryChildResult = { start, atN1, atN2 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
