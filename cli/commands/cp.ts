/**
 * `syslet-aio cp`: copy a file with POSIX AIO (cli/cp-copy.ts has the loop) and report what the
 * engine did: throughput, how many requests completed inline versus on cachemiss threads, and
 * per-request latency percentiles. With no files it copies a built-in sample; that is the job
 * `syslet-aio` runs with no command (`npm start`).
 */
import { fstatSync, ftruncateSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { aio_init, aioConfig, aioEngine } from '../../index.js';
import { defineCommand } from '../command.js';
import { copyFd } from '../cp-copy.js';
import { DataExtents } from '../cp-extents.js';
import { closePair, describe, openPair } from '../cp-files.js';
import { createSample, DEFAULT_SAMPLE_SIZE, removeSample, sampleSpace, type Sample } from '../cp-sample.js';
import { renderSummary, summarize, type CopySummary } from '../cp-stats.js';
import { formatBytes, parseSize } from '../cp-units.js';
import { compareFiles } from '../cp-verify.js';
import { CliError, EXIT, InterruptedError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { Progress } from '../progress.js';

const DEFAULT_QD = 32;
const MAX_QD = 1024;
const DEFAULT_BS = 128 * 1024;
const MAX_BS = 64 * 1024 * 1024;
// qd × bs is allocated up front as one buffer.
const MAX_BUFFER = 1024 * 1024 * 1024;
const SAMPLE_ENV = 'SYSLET_AIO_SAMPLE_SIZE';

/** What one copy job is, once the command line has been checked. */
interface Job {
  readonly src: string;
  readonly dst: string;
  readonly qd: number;
  readonly bs: number;
  readonly threads: number;
  readonly verify: boolean;
  readonly fsync: boolean;
  readonly progress: boolean;
  readonly sample: boolean;
}

/** The `cp` command. Exit 0 when the copy (and --verify) succeeded, 1 when it failed, 2 for a bad command line. */
export default defineCommand({
  description:
    'Copies <src> to <dst> with POSIX AIO: a ring of --qd aiocbs keeps that many aio_read/aio_write ' +
    'requests in flight, each block read is written back at the same offset, and aio_suspend waits ' +
    'for the next completion. <dst> is created with the permission bits of <src>, or truncated if it ' +
    'exists; a directory as <dst> receives a file named like <src>. Copying a file onto itself is ' +
    'refused, and so is a source that is not a regular file (a FIFO, a device: nothing is opened in a ' +
    'way that could block). Holes in <src> stay holes in <dst> (found with SEEK_DATA/SEEK_HOLE), and a ' +
    'file that reports size 0 (procfs) is read until its end. A device as <dst> (/dev/null) is written, ' +
    'never truncated. At the end it prints the bytes, the time, MiB/s, the requests made, the share that ' +
    'completed inline (the page cache answered inside the call) versus asynchronously (through io_uring, or on cachemiss threads where io_uring is refused), and ' +
    'latency percentiles per request. Progress goes to stderr: a bar on a terminal, a plain line ' +
    'every second otherwise. Without <src> and <dst>, or with --sample [<size>], it copies a built-in ' +
    `sample instead: pseudo-random data (default 64m, or ${SAMPLE_ENV}) in a fresh folder under the ` +
    'temp dir, verified, then removed; `syslet-aio` with no command does this. The free space is checked ' +
    'first, and Ctrl-C or SIGTERM removes the folder. Exit status: 0 copied (and identical, with ' +
    '--verify), 1 the copy or the verification failed, 2 a usage error, 130/143 stopped by SIGINT/SIGTERM.',
  options: {
    qd: { type: 'string', valueName: '<n>', description: `Requests kept in flight, 1 to ${MAX_QD} (default ${DEFAULT_QD})` },
    bs: { type: 'string', valueName: '<size>', description: 'Bytes per request: a number with an optional k, m suffix (default 128k, at most 64m)' },
    threads: {
      type: 'string',
      valueName: '<n>',
      description: "Most cachemiss threads (aio_init's aio_threads), 1 to 1024; default: one per CPU but one, as the JS thread does the inline work",
    },
    verify: { type: 'boolean', description: 'Compare <dst> with <src> after the copy; a difference fails with its offset' },
    fsync: { type: 'boolean', description: 'Finish with aio_fsync(O_SYNC) on <dst>, counted in the time' },
    json: { type: 'boolean', description: 'Print the summary as one JSON document' },
    'no-progress': { type: 'boolean', description: 'Do not show progress on stderr' },
    sample: { type: 'boolean', description: 'Copy a built-in sample; the one argument, if any, is its size (e.g. --sample 256m)' },
  },
  positionals: [
    { name: 'src', description: 'The file to copy (with --sample: the sample size)', optional: true },
    { name: 'dst', description: 'Where to copy it: a file, or a directory', optional: true },
  ],
  examples: [
    'syslet-aio cp big.iso /mnt/backup/',
    'syslet-aio cp --qd 64 --bs 1m --verify data.bin copy.bin',
    'syslet-aio cp --json --no-progress a.bin b.bin | jq .mibPerSecond',
    'syslet-aio cp --sample 256m',
  ],
  async run({ values, positionals, io }) {
    const qd = parseQd(values.qd);
    const bs = parseBs(values.bs);
    if (qd * bs > MAX_BUFFER) throw new UsageError(`--qd ${qd} × --bs ${formatBytes(bs)} is ${formatBytes(qd * bs)} of buffers; keep it within 1 GiB`);
    const threads = parseThreads(values.threads, qd);
    const base = { qd, bs, threads, verify: values.verify === true, fsync: values.fsync === true, progress: values['no-progress'] !== true };
    const json = values.json === true;
    const threadsReady = startThreads(threads, qd);
    // aio_suspend blocks the event loop; the copy lets it run ~10 times a second, and so does
    // writing a sample: that is when SIGINT or SIGTERM is noticed. The job then stops cleanly
    // (in-flight requests end, fds close, a sample's folder is removed) and exits 130 or 143. A
    // second signal kills at once, as usual.
    using stop = stopOnSignals();
    if (values.sample === true || positionals.length === 0) {
      if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1] ?? ''}' (--sample takes only a size)`);
      const size = sampleSize(positionals[0]);
      const sample = await create(size, base.progress ? io : null, stop.signal);
      try {
        const summary = await copyJob({ ...base, src: sample.src, dst: sample.dst, verify: true, sample: true }, io, threadsReady, stop.signal);
        if (json) io.out(`${JSON.stringify(summary, null, 2)}\n`);
        else io.out(`sample: ${formatBytes(size)} of pseudo-random data in ${sample.dir} (removed afterwards)\n${renderSummary(summary)}` +
          "copy your own file with 'syslet-aio cp <src> <dst>'; see 'syslet-aio cp --help'\n");
      } finally {
        removeSample(sample);
      }
      return EXIT.ok;
    }
    if (positionals.length < 2) throw new UsageError('missing argument <dst>');
    const summary = await copyJob({ ...base, src: positionals[0] as string, dst: positionals[1] as string, sample: false }, io, threadsReady, stop.signal);
    io.out(json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary));
    return EXIT.ok;
  },
});

/**
 * SIGINT and SIGTERM abort the signal with an {@link InterruptedError}; the listeners go at the
 * first signal (so a second one has its default effect) or when disposed.
 */
function stopOnSignals(): { readonly signal: AbortSignal } & Disposable {
  const controller = new AbortController();
  const names = ['SIGINT', 'SIGTERM'] as const;
  const remove = (): void => {
    for (const name of names) process.off(name, onSignal);
  };
  function onSignal(name: NodeJS.Signals): void {
    remove();
    controller.abort(new InterruptedError(name === 'SIGINT' ? 'SIGINT' : 'SIGTERM'));
  }
  for (const name of names) process.on(name, onSignal);
  return { signal: controller.signal, [Symbol.dispose]: remove };
}

/** Open, copy, close, verify: the job, whichever way the files were chosen. */
async function copyJob(job: Job, io: CliIo, threadsReady: Promise<void>, signal: AbortSignal): Promise<CopySummary> {
  const files = openPair(job.src, job.dst);
  // Reading the destination back proves nothing when it is a device (/dev/null reads as empty).
  if (job.verify && !files.dstRegular) {
    closePair(files.srcFd, files.dstFd);
    throw new CliError(`--verify: '${files.dst}' is not a regular file, so there is nothing to compare`);
  }
  // The clock starts with the threads up: their start-up is the process's, not the copy's.
  await threadsReady;
  const copyProgress = job.progress ? progressOn(io, 'copy', files.size) : null;
  // Holes are kept only in a regular destination; a device must receive every byte (zeros too).
  const extents = files.dstRegular && files.size > 0 ? new DataExtents(aioEngine(), files.srcFd, files.size) : null;
  let counters;
  let sizeNow: number;
  try {
    counters = await copyFd(files.srcFd, files.dstFd, {
      qd: job.qd,
      bs: job.bs,
      size: files.size,
      fsync: job.fsync,
      ...(extents === null ? {} : { extents }),
      ...(copyProgress === null ? {} : { progress: (done: number) => void copyProgress.update(done) }),
      signal,
    });
    // A trailing hole was never written: the destination gets its size from ftruncate, as GNU cp's does.
    if (counters.holeBytes > 0) ftruncateSync(files.dstFd, counters.bytes + counters.holeBytes);
    sizeNow = fstatSync(files.srcFd).size;
  } finally {
    extents?.[Symbol.dispose]();
    copyProgress?.finish();
    closePair(files.srcFd, files.dstFd);
  }
  // The size was taken when the copy started; a source that shrank meanwhile ends early. A size
  // of 0 was "unknown" (procfs): whatever was read until the end is the file. So is a file whose
  // end came before the size it still reports (sysfs says 4096 for a 23-byte attribute).
  const copied = counters.bytes + counters.holeBytes;
  if (files.size > 0 && copied !== files.size && sizeNow !== files.size) {
    throw new CliError(`'${job.src}' changed size during the copy: expected ${files.size} bytes, read ${copied}, now ${sizeNow}`);
  }
  if (job.verify) await verify(job.src, files.dst, copied, job.progress ? io : null, signal);
  return summarize(counters, { src: job.src, dst: files.dst, qd: job.qd, bs: job.bs, threads: job.threads, engine: aioEngine().asyncEngine.kind, verified: job.verify ? true : null, fsync: job.fsync, sample: job.sample });
}

async function verify(src: string, dst: string, size: number, io: CliIo | null, signal: AbortSignal): Promise<void> {
  const progress = io === null ? null : progressOn(io, 'verify', size);
  let result;
  try {
    result = await compareFiles(src, dst, (done) => {
      signal.throwIfAborted();
      progress?.update(done);
    });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`verify: cannot read: ${describe(error)}`, { cause: error });
  } finally {
    progress?.finish();
  }
  if (!result.same) throw new CliError(`verify failed: '${src}' and '${dst}' differ at byte ${result.offset}`);
}

/**
 * Size the POSIX layer's pool before the first request, as a C program calls aio_init. glibc's
 * default of 20 helper threads suits C threads; a cachemiss thread here is a Node worker, and
 * more of them than free CPUs only take turns. Starting them now lets them boot (tens of ms
 * each) while the files are opened or the sample written, instead of inside the first requests.
 *
 * @returns a promise that resolves when they are ready (or after the engine's timeout).
 */
function startThreads(threads: number, qd: number): Promise<void> {
  aio_init({ aio_threads: threads, aio_num: Math.max(32, qd) });
  return aioEngine().warm(Math.min(threads, aioConfig().aio_threads));
}

function progressOn(io: CliIo, label: string, total: number): Progress {
  const stderr = process.stderr;
  // Read at every draw: the terminal may be resized while a long copy runs.
  return new Progress({ label, total, tty: stderr.isTTY === true, write: (text) => io.err(text), columns: () => terminalColumns() });
}

/** The width of the terminal the progress line is drawn on. */
function terminalColumns(): number | undefined {
  return process.stderr.columns ?? process.stdout.columns;
}

function parseQd(text: string | undefined): number {
  if (text === undefined) return DEFAULT_QD;
  const qd = Number(text);
  if (!/^\d+$/.test(text) || qd < 1 || qd > MAX_QD) throw new UsageError(`--qd ${text}: expected a whole number from 1 to ${MAX_QD}`);
  return qd;
}

function parseThreads(text: string | undefined, qd: number): number {
  if (text === undefined) return Math.max(1, Math.min(qd, availableParallelism() - 1));
  const threads = Number(text);
  if (!/^\d+$/.test(text) || threads < 1 || threads > MAX_QD) throw new UsageError(`--threads ${text}: expected a whole number from 1 to ${MAX_QD}`);
  return threads;
}

function parseBs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BS;
  const bs = parseSize(text);
  if (!(bs >= 1 && bs <= MAX_BS)) throw new UsageError(`--bs ${text}: expected a size from 1 to 64m, such as 4k or 1m`);
  return bs;
}

/** The sample's size: the argument, else SYSLET_AIO_SAMPLE_SIZE, else 64 MiB. */
function sampleSize(argument: string | undefined): number {
  const [text, source] = argument !== undefined ? [argument, 'sample size'] : [process.env[SAMPLE_ENV], SAMPLE_ENV];
  if (text === undefined || text === '') return DEFAULT_SAMPLE_SIZE;
  const size = parseSize(text);
  if (!(size >= 0)) throw new UsageError(`${source} '${text}': expected a size such as 64m or 1g`);
  return size;
}

/** Checks the free space, then writes the sample with its own progress line (it can take a while). */
async function create(size: number, io: CliIo | null, signal: AbortSignal): Promise<Sample> {
  let tooBig;
  try {
    tooBig = sampleSpace(size);
  } catch (error) {
    throw new CliError(`cannot check the free space for the sample: ${describe(error)}`, { cause: error });
  }
  if (tooBig !== null) throw new CliError(tooBig);
  const progress = io === null ? null : progressOn(io, 'sample', size);
  try {
    return await createSample(size, { signal, ...(progress === null ? {} : { progress: (done: number) => void progress.update(done) }) });
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot create the sample: ${describe(error)}`, { cause: error });
  } finally {
    progress?.finish();
  }
}
