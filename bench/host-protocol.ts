/**
 * The messages between the bench (parent) and a contender's host process (bench/host.ts). Every
 * contender runs in a process of its own: the library's contenders in a process that imports
 * nothing but the package root, one process per engine, so that neither the peers' threads nor
 * another engine's share the process whose CPU time and memory are measured.
 */
import type { Family } from './contenders/types.js';

/** Which contender module a host loads: the library's, or one peer family. */
export type HostFamily = Family;

/** The kinds of job a contender can run. */
export type JobKind = 'read' | 'write' | 'latency' | 'chain';

/** A contender as a host describes it, without loading it in the parent. */
export interface ContenderInfo {
  readonly name: string;
  readonly family: Family;
  readonly sync: boolean;
  readonly unavailable?: string | undefined;
}

/** Which engine a library host's defaults picked (from the public `aioEngine().asyncEngine`). */
export interface EngineReport {
  /** `io_uring` or `threads`. */
  readonly kind: string;
  /** io_uring's set-up flags, or why threads are used. */
  readonly detail: string;
}

/** Transfers on one file (reads, writes, QD1 latency): offsets from the shared permutation. */
export interface TransferSpec {
  readonly kind: 'read' | 'write' | 'latency';
  readonly file: string;
  /** `r` for reads, `r+` for writes. */
  readonly flags: 'r' | 'r+';
  /** Blocks in the file: the permutation's length. */
  readonly blocks: number;
  /** Operations of the measured run (a prefix of the permutation, repeated). */
  readonly ops: number;
  /** Operations of the unmeasured warm-up run (a prefix of the same offsets). */
  readonly warmOps: number;
  readonly qd: number;
  readonly blockSize: number;
}

/** Whole small files (P4). */
export interface ChainSpec {
  readonly kind: 'chain';
  readonly paths: readonly string[];
  readonly fileSize: number;
  readonly qd: number;
}

/** The memory run (P6): n1 then n2 cached reads, memory sampled at each point. */
export interface MemorySpec {
  readonly file: string;
  readonly blocks: number;
  readonly blockSize: number;
  readonly qd: number;
  readonly n1: number;
  readonly n2: number;
}

/** One memory sample, in bytes. */
export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  /** `external + arrayBuffers`: memory V8 knows is held outside its heap by buffers and addons. */
  readonly native: number;
}

/** What a memory run reports. */
export interface MemoryResult {
  readonly start: MemorySample;
  readonly atN1: MemorySample;
  readonly atN2: MemorySample;
  /** CPU time (all threads) per operation from N1 to N2, ns. */
  readonly cpuPerOp: number;
}

/** A measured run's figures. */
export interface RunFigures {
  /** Wall time per operation (ns/op, ns/file) or, for latency, the run's p50 (ns). */
  readonly value: number;
  /** CPU time of the whole process (every thread) per operation, ns. */
  readonly cpu: number;
  /** Latency runs: the run's p99 (ns). */
  readonly p99?: number;
}

/** A request to a host. */
export type HostRequest =
  | { readonly op: 'describe' }
  | { readonly op: 'engine' }
  | { readonly op: 'setup'; readonly name: string; readonly spec: TransferSpec | ChainSpec }
  | { readonly op: 'warmup' }
  /** Set up and run in one timed region (P2 cold: the library's first call is inside the figure). */
  | { readonly op: 'cold'; readonly name: string; readonly spec: TransferSpec }
  | { readonly op: 'measure' }
  | { readonly op: 'teardown' }
  | { readonly op: 'memory'; readonly name: string; readonly spec: MemorySpec };

/** What describe returns. */
export interface HostDescription {
  readonly contenders: Readonly<Record<JobKind, readonly ContenderInfo[]>>;
}

/** A request as sent (with its id) and the reply. */
export type HostMessage = HostRequest & { readonly id: number };
export type HostReply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };
