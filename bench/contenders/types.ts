/**
 * The contender interface: what every way of doing I/O (this library, Node's fs, glibc AIO through
 * koffi, raw syscalls through the same FFI) implements so that a workload can run them all on the
 * same file, the same offsets and the same queue depth. Contenders validate their own results
 * (a short read throws) so that no row can be fast by doing less work.
 */

/** Which side of the comparison a contender is on; the report groups rows by it. */
export type Family = 'syslet' | 'node' | 'glibc' | 'ffi' | 'c';

/** What every contender has. */
export interface ContenderBase {
  /** Row label, unique within a workload, e.g. `'glibc aio_read'`. The workload appends `QD<n>`. */
  readonly name: string;
  readonly family: Family;
  /** Why it cannot run (e.g. the library API has not landed); undefined when it can. */
  readonly unavailable?: string | undefined;
  /** True for synchronous contenders: they run at QD1 whatever the job says, and are labelled so. */
  readonly sync?: boolean;
}

/** Random 4 KiB-style transfers against one open file. */
export interface TransferJob {
  /** An fd opened by the workload (read-only for reads, read-write for writes). */
  readonly fd: number;
  /** The same file's path, for contenders that open their own handle (fs.promises). */
  readonly path: string;
  /** Block indexes, one per operation; byte offset = index * blockSize. */
  readonly offsets: Uint32Array;
  /** Requests to keep in flight. */
  readonly qd: number;
  /** Bytes per operation. */
  readonly blockSize: number;
}

/** A contender for random reads (P1, P2, P6). */
export interface ReadContender extends ContenderBase {
  /** Allocate per-job state (buffers, control blocks) outside the measured region. */
  setup(job: TransferJob): Promise<void> | void;
  /** Perform every read in `job.offsets` with `job.qd` in flight; resolves when all completed. */
  runReads(job: TransferJob): Promise<void>;
  /** Release what setup allocated. */
  teardown(): Promise<void> | void;
}

/** A contender for random writes (P5). Same shape as {@link ReadContender}. */
export interface WriteContender extends ContenderBase {
  setup(job: TransferJob): Promise<void> | void;
  /** Perform every write in `job.offsets`; the data written is the contender's own buffer. */
  runWrites(job: TransferJob): Promise<void>;
  teardown(): Promise<void> | void;
}

/** QD1 latency job (P3): like a transfer job plus where to put per-op timings. */
export interface LatencyJob extends TransferJob {
  /** One slot per operation: submit-to-completion time in nanoseconds, filled by the contender. */
  readonly samples: Float64Array;
}

/** A contender for QD1 submit-to-completion latency (P3). */
export interface LatencyContender extends ContenderBase {
  setup(job: LatencyJob): Promise<void> | void;
  /** Issue the reads one at a time and record each one's latency in `job.samples`. */
  runLatency(job: LatencyJob): Promise<void>;
  teardown(): Promise<void> | void;
}

/** A syscall-chain job (P4): read whole small files. */
export interface ChainJob {
  /** Absolute paths of the files. */
  readonly paths: readonly string[];
  /** Size of every file in bytes (they are all the same size). */
  readonly fileSize: number;
  /** How many files to have in flight for asynchronous contenders. */
  readonly qd: number;
}

/** A contender for open+fstat+read+close chains (P4). */
export interface ChainContender extends ContenderBase {
  setup(job: ChainJob): Promise<void> | void;
  /** Read every file completely; resolves with the total bytes read (checked by the workload). */
  runChain(job: ChainJob): Promise<number>;
  teardown(): Promise<void> | void;
}

/** Every contender of one family, by kind (what bench/host.ts loads and runs). */
export interface ContenderSet {
  readonly reads: readonly ReadContender[];
  readonly writes: readonly WriteContender[];
  readonly latency: readonly LatencyContender[];
  readonly chains: readonly ChainContender[];
}

/** Throw if a transfer moved fewer bytes than asked: a contender must do all of the work. */
export function checkTransfer(name: string, result: number, expected: number): void {
  if (result !== expected) throw new Error(`${name}: transfer returned ${result}, expected ${expected}`);
}
