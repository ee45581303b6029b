/**
 * The contender registry: every peer plus this library's contenders, grouped by workload kind.
 * Order matters only for display; the workloads rotate the running order every round.
 */
import { ffiChainContenders, ffiLatencyContenders, ffiReadContenders, ffiWriteContenders } from './ffi-sync.js';
import { glibcLatencyContenders, glibcReadContenders, glibcWriteContenders } from './glibc-aio.js';
import { nodeChainContenders, nodeLatencyContenders, nodeReadContenders, nodeWriteContenders } from './node-fs.js';
import { sysletContenders } from './syslet.js';
import type { ContenderSet } from './types.js';

/**
 * allContenders - build every contender (fresh instances; each keeps its own per-job state).
 *
 * @returns the library's contenders first, then glibc, Node and the FFI floors.
 * @example
 * ```ts
 * const set = await allContenders();
 * set.reads.map((c) => c.name); // ['syslet aio_read', 'syslet aio.read', 'glibc aio_read', ...]
 * ```
 */
export async function allContenders(): Promise<ContenderSet> {
  const mine = await sysletContenders();
  return {
    reads: [...mine.reads, ...glibcReadContenders(), ...nodeReadContenders(), ...ffiReadContenders()],
    writes: [...mine.writes, ...glibcWriteContenders(), ...nodeWriteContenders(), ...ffiWriteContenders()],
    latency: [...mine.latency, ...glibcLatencyContenders(), ...nodeLatencyContenders(), ...ffiLatencyContenders()],
    chains: [...mine.chains, ...nodeChainContenders(), ...ffiChainContenders()],
  };
}

export type { ContenderSet, ReadContender, WriteContender, LatencyContender, ChainContender, TransferJob, LatencyJob, ChainJob, Family } from './types.js';
