/**
 * The shapes `npm run bench:fs` (bench/fs-jobs.ts) shares with its job modules
 * (bench/fs-jobs-small.ts, bench/fs-jobs-large.ts): the API a job calls, the sizes, the files.
 */
import type * as nodeFs from 'node:fs/promises';

/** The functions a job uses: node:fs/promises's, or syslet-aio/fs's. */
export type FsApi = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'stat' | 'open' | 'readlink' | 'realpath'>;

/** Sizes of the jobs' files and how much each run does. */
export interface Sizes {
  readonly smallFiles: number;
  readonly writeFiles: number;
  readonly bigFileBytes: number;
  readonly reads: number;
  /** 256 KiB FileHandle.writes of one run of the large-write row. */
  readonly largeWrites: number;
  /** 1 MiB writeFiles of one run of the large writeFile row. */
  readonly largeWriteFiles: number;
}

/** One measured job. */
export interface Job {
  readonly name: string;
  /** Why the job cannot run here (it is then shown as skipped), or undefined. */
  readonly skip?: string;
  /**
   * Untimed runs per implementation before the timed rounds (default 1): module loading, the
   * shared engine's first chain, and the JIT. A job whose run is short against V8's warm-up of
   * the library's path asks for more (docs/performance.md, session 29: 3,000 large writes after
   * 200 cost 150 µs each, after 10,000 about 50).
   */
  readonly warmRuns?: number;
  /** Called before each run, untimed (drop or warm the cache, remove written files). */
  readonly before: () => void | Promise<void>;
  /**
   * One timed run with `fs` (implementation `name`). A run made in a child process returns the
   * child's CPU time (ms), which this process's cpuUsage cannot see.
   */
  readonly run: (fs: FsApi, name: 'node' | 'syslet') => Promise<void | { readonly cpuMs: number }>;
}

/** The files the jobs work on (bench/fs-files.ts createFiles). */
export interface Files {
  readonly small: readonly string[];
  /** A JSON file listing {@link small}, for the jobs that run in a child process. */
  readonly smallList: string;
  /** One symbolic link per small file, next to it (`N.bin.lnk` → `N.bin`). */
  readonly links: readonly string[];
  readonly big: string;
  readonly writeDir: string;
}
