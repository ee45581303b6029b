/**
 * What the io_uring engine is on this kernel, for `syslet-aio info` and {@link Engine.asyncEngine}:
 * the ring's set-up and the may-block calls it makes (the rest stay on cachemiss threads).
 */
import { IORING_OP } from './native/index.js';
import { RING_CALLS, isRingCall } from './uring-opcodes.js';
import { selectEngine, type EngineKind } from './uring-select.js';
import { syscallByName } from './syscalls/table.js';

/** What `syslet-aio info` and {@link Engine.asyncEngine} report about a ring. */
export interface RingDescription {
  /** The setup flags the kernel accepted. */
  readonly setupFlags: string;
  readonly sqEntries: number;
  readonly cqEntries: number;
  /** IORING_FEAT_* bits. */
  readonly features: number;
  /** The table's may-block calls this ring makes on this kernel. */
  readonly calls: readonly string[];
}

/** ringCalls - the table's may-block calls a ring with these opcodes makes (the rest go to threads). */
export function ringCalls(supportedOps: Uint8Array): string[] {
  const calls: string[] = [];
  for (const [name, entry] of Object.entries(RING_CALLS)) {
    if (!isRingCall(entry) || supportedOps[IORING_OP[entry.op]] !== 1) continue;
    const spec = syscallByName(name);
    if (spec !== undefined && spec.x86_64 >= 0) calls.push(name);
  }
  return calls;
}

/** What {@link describeAsyncEngine} reports: the engine a new Engine would get here, and why. */
export type AsyncEngineReport =
  | ({ readonly kind: 'io_uring' } & RingDescription)
  | { readonly kind: 'threads'; readonly reason: string };

/**
 * describeAsyncEngine - which engine a new Engine with `option` gets in this process (io_uring,
 * with its set-up and the calls it makes, or threads and why), found by setting a ring up and
 * releasing it at once. For `syslet-aio info`.
 */
export function describeAsyncEngine(option?: EngineKind, env: NodeJS.ProcessEnv = process.env): AsyncEngineReport {
  const choice = selectEngine(option, env);
  if (choice.engine === 'threads') return { kind: 'threads', reason: choice.reason };
  const { ring } = choice;
  const report: AsyncEngineReport = { kind: 'io_uring', setupFlags: choice.setupFlags, sqEntries: ring.sqEntries, cqEntries: ring.cqEntries, features: ring.features, calls: ringCalls(choice.supportedOps) };
  ring.release();
  return report;
}
