/**
 * A burst of reads for the resource-limit tests (test/limits-*.test.ts): `count` reads of one
 * block each, submitted at once through aio_read or lio_listio(LIO_NOWAIT), on glibc's AIO or the
 * syslet shim (the differential adapters of posix-impl.ts), or through node:fs/promises; then every
 * request is waited for and checked: its bytes, its aio_error/aio_return, and (SIGEV_THREAD) that
 * it was notified exactly once.
 *
 * Run as a script (`node --import tsx limits-burst.ts '<BurstOptions JSON>'`) it prints one line,
 * `LIMITS-RESULT <BurstReport JSON>`, and exits: the tests start it under a seccomp filter or a
 * resource limit (test/fixtures/refuse-and-limit.c) and compare the reports.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocNative, syscall } from '../../engine/native/index.js';
import type { AioImpl, ControlBlock } from './posix-impl.js';

/** What a burst does. */
export interface BurstOptions {
  readonly impl: 'glibc' | 'syslet' | 'node';
  /** Reads in flight at once. */
  readonly count: number;
  readonly via: 'aio_read' | 'lio_listio';
  /** Reads of a file of patterned blocks (default), or writes of those blocks to an empty file (checked by reading it back). */
  readonly op?: 'read' | 'write';
  /** SIGEV_THREAD or SIGEV_SIGNAL (SIGRTMIN + 2; each notification counted), or SIGEV_NONE (nothing that needs a thread of glibc's). */
  readonly notify: 'thread' | 'signal' | 'none';
  /** Bytes a read asks for (default 512). */
  readonly block?: number;
  /** How long to wait for the last request (default 30 s). */
  readonly waitMs?: number;
  /** Open the file this many times and spread the reads over the fds (default 1): one fd's requests run one after another. */
  readonly fds?: number;
  /** Drop the file's pages before submitting (fdatasync + POSIX_FADV_DONTNEED), so reads must wait for the disk. */
  readonly dropCache?: boolean;
  /**
   * Right after the submissions, install a seccomp filter on every thread of the process
   * (seccomp-self.ts) refusing the calls `first`..`last` with `errno`: a refusal that begins
   * with requests in flight.
   */
  readonly filterAfterSubmit?: { readonly first: number; readonly last: number; readonly errno: number; readonly delayMs?: number };
  /**
   * Resource limits (soft and hard) this process sets on itself once loaded, just before the
   * first request (tsx alone needs more than 20 fds to load, and a 10 GB WebAssembly reservation):
   * `nofileFree` is how many fd numbers stay free; `asHeadroomMb` the address space allowed above
   * the process's size then (VmSize); `sigpendingFree` the signals that may be queued above the
   * ones the user has queued then (SigQ: the count is the user's, across its processes); `nproc`
   * `memlock` and `fsize` (bytes) are absolute.
   */
  readonly limitsAfterLoad?: { readonly nofileFree?: number; readonly nproc?: number; readonly memlock?: number; readonly asHeadroomMb?: number; readonly sigpendingFree?: number; readonly fsize?: number };
}

/** What happened to the requests. */
export interface BurstReport {
  readonly impl: string;
  /** The syslet engine's kind and reason (syslet only). */
  readonly engine?: { readonly kind: string; readonly reason?: string };
  /** Requests accepted at submission. */
  readonly submitted: number;
  /** Submission refusals by errno number (-1 from aio_read; for lio_listio, entries whose aio_error was not EINPROGRESS after a -1). */
  readonly refused: Record<string, number>;
  /** How accepted requests ended: 'ok' (every byte right), 'short:<n>', 'wrong-data', or the errno number. */
  readonly ended: Record<string, number>;
  /** Accepted requests still EINPROGRESS when the wait ended. */
  readonly unfinished: number;
  /** SIGEV_THREAD notifications: requests notified 0 times (after ending), and more than once. */
  readonly notifiedNever: number;
  readonly notifiedTwice: number;
  /** What installing `filterAfterSubmit` returned (0, or a negative errno), and the syslet engine's requests in its ring then. */
  readonly filter?: number;
  readonly ringInFlight?: number;
  /** The process's memory right after the submissions (MB): JS heap, external (ArrayBuffers), RSS. */
  readonly afterSubmit?: { readonly heapMb: number; readonly externalMb: number; readonly rssMb: number };
  /** The most requests the syslet engine had in its io_uring ring at once (sampled at each wake-up). */
  readonly peakRingInFlight?: number;
  /** The fds open when `limitsAfterLoad` was applied, and the answers of prlimit64 (0 or -errno). */
  readonly fdsAtLimit?: number;
  readonly limitAnswers?: readonly number[];
  readonly elapsedMs: number;
  /** The process's peak resident set (VmHWM), MB. */
  readonly peakRssMb: number;
}

const EINPROGRESS = 115;
const LIST_BATCH = 1000;

function pattern(index: number): number {
  return (index * 31 + 7) & 255;
}

function makeFile(dir: string, count: number, block: number): string {
  const path = join(dir, 'data');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(block * 256);
  for (let first = 0; first < count; first += 256) {
    const n = Math.min(256, count - first);
    for (let i = 0; i < n; i++) chunk.fill(pattern(first + i), i * block, (i + 1) * block);
    writeSync(fd, chunk, 0, n * block);
  }
  closeSync(fd);
  return path;
}

function emptyFile(dir: string): string {
  const path = join(dir, 'data');
  closeSync(openSync(path, 'w'));
  return path;
}

// Both read /proc/self: at an fd limit there may be no fd to read it with (then -1 and null).
function peakRssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return -1;
  }
}

function memoryNow(): { heapMb: number; externalMb: number; rssMb: number } | null {
  try {
    const usage = process.memoryUsage();
    return { heapMb: Math.round(usage.heapUsed / 2 ** 20), externalMb: Math.round(usage.external / 2 ** 20), rssMb: Math.round(usage.rss / 2 ** 20) };
  } catch {
    return null;
  }
}

function bump(record: Record<string, number>, key: string | number): void {
  record[key] = (record[key] ?? 0) + 1;
}

function checkBytes(buffer: Uint8Array, index: number, length: number): boolean {
  const want = pattern(index);
  for (let i = 0; i < length; i++) if (buffer[i] !== want) return false;
  return true;
}

function readBack(fd: number, index: number, block: number): Uint8Array {
  const bytes = Buffer.alloc(block);
  readSync(fd, bytes, 0, block, index * block);
  return bytes;
}

async function aioBurst(impl: AioImpl, options: BurstOptions, fds: readonly number[]): Promise<Omit<BurstReport, 'impl' | 'elapsedMs' | 'peakRssMb'>> {
  const { count } = options;
  const block = options.block ?? 512;
  const k = impl.constants;
  const writing = options.op === 'write';
  const notified = new Uint16Array(count);
  const notify = (value: number | bigint): void => {
    const index = Number(value);
    if (index >= 0 && index < count) notified[index] = (notified[index] ?? 0) + 1;
  };
  const signo = k.SIGRTMIN + 2;
  const catcher = options.notify === 'signal' ? impl.catchSignal(signo, { restart: true }) : null;
  let counted = 0;
  const countSignals = (): void => {
    if (catcher === null) return;
    const received = catcher.received();
    for (; counted < received.length; counted++) notify((received[counted] as { value: number | bigint }).value);
  };
  const sigevent = (index: number) => {
    if (options.notify === 'thread') return { sigev_notify: k.SIGEV_THREAD, sigev_value: index, sigev_notify_function: notify };
    if (options.notify === 'signal') return { sigev_notify: k.SIGEV_SIGNAL, sigev_signo: signo, sigev_value: index };
    return { sigev_notify: k.SIGEV_NONE };
  };
  const cbs: ControlBlock[] = [];
  const buffers: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const buffer = impl.buffer(block);
    if (writing) buffer.fill(pattern(index));
    buffers.push(buffer);
    cbs.push(impl.aiocb({ aio_fildes: fds[index % fds.length] as number, aio_buf: buffer, aio_nbytes: block, aio_offset: index * block, aio_lio_opcode: writing ? k.LIO_WRITE : k.LIO_READ, aio_sigevent: sigevent(index) }));
  }
  const accepted = new Uint8Array(count);
  const refused: Record<string, number> = {};
  if (options.via === 'aio_read') {
    for (let index = 0; index < count; index++) {
      const cb = cbs[index] as ControlBlock;
      if ((writing ? impl.aio_write(cb) : impl.aio_read(cb)) === 0) accepted[index] = 1;
      else bump(refused, impl.errno());
    }
  } else {
    for (let first = 0; first < count; first += LIST_BATCH) {
      const list = cbs.slice(first, first + LIST_BATCH);
      const answer = impl.lio_listio(k.LIO_NOWAIT, list, list.length, null);
      const listErrno = answer === 0 ? 0 : impl.errno();
      list.forEach((cb, i) => {
        // After a -1 (EAGAIN, EIO), the entries that were queued are EINPROGRESS or done: aio_error
        // tells them apart from the ones never queued, which carry their refusal (or EAGAIN).
        const error = answer === 0 ? EINPROGRESS : impl.aio_error(cb);
        if (answer === 0 || error === EINPROGRESS || error === 0) accepted[first + i] = 1;
        else bump(refused, `${listErrno}/${error}`);
      });
    }
  }
  const afterSubmit = memoryNow();
  let filter: number | undefined;
  let ringInFlight: number | undefined;
  if (options.filterAfterSubmit !== undefined) {
    const { installSeccompFilter } = await import('./seccomp-self.js');
    const { first, last, errno, delayMs } = options.filterAfterSubmit;
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (impl.name === 'syslet') ringInFlight = (await import('../../index.js')).aioEngine().ringInFlight;
    filter = installSeccompFilter(first, last, errno);
  }
  const engine = impl.name === 'syslet' ? (await import('../../index.js')).aioEngine() : null;
  let peakRingInFlight = engine?.ringInFlight ?? 0;
  const deadline = performance.now() + (options.waitMs ?? 30_000);
  let from = 0;
  for (;;) {
    while (from < count && (accepted[from] === 0 || impl.aio_error(cbs[from] as ControlBlock) !== EINPROGRESS)) from++;
    if (from >= count || performance.now() > deadline) break;
    const pending: ControlBlock[] = [];
    for (let index = from; index < count && pending.length < 256; index++) if (accepted[index] === 1 && impl.aio_error(cbs[index] as ControlBlock) === EINPROGRESS) pending.push(cbs[index] as ControlBlock);
    if (pending.length === 0) break;
    impl.aio_suspend(pending, pending.length, { tv_sec: 0, tv_nsec: 100_000_000 });
    countSignals();
    if (engine !== null) peakRingInFlight = Math.max(peakRingInFlight, engine.ringInFlight);
    // SIGEV_THREAD functions (glibc's through koffi) run on this thread between turns.
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Let the last notifications arrive.
  if (options.notify === 'thread') await new Promise((resolve) => setTimeout(resolve, 200));
  if (catcher !== null) {
    await catcher.waitFor(count, 2000);
    countSignals();
  }
  const ended: Record<string, number> = {};
  let unfinished = 0;
  let notifiedNever = 0;
  let notifiedTwice = 0;
  let submitted = 0;
  for (let index = 0; index < count; index++) {
    if (accepted[index] === 0) continue;
    submitted++;
    const cb = cbs[index] as ControlBlock;
    const error = impl.aio_error(cb);
    if (error === EINPROGRESS) {
      unfinished++;
      continue;
    }
    const result = impl.aio_return(cb);
    if (error !== 0) bump(ended, error);
    else if (result !== block) bump(ended, `short:${result}`);
    else if (writing) bump(ended, checkBytes(readBack(fds[0] as number, index, block), index, block) ? 'ok' : 'wrong-data');
    else bump(ended, checkBytes(buffers[index] as Uint8Array, index, block) ? 'ok' : 'wrong-data');
    if (options.notify !== 'none') {
      if (notified[index] === 0) notifiedNever++;
      else if ((notified[index] ?? 0) > 1) notifiedTwice++;
    }
  }
  return { submitted, refused, ended, unfinished, notifiedNever, notifiedTwice, ...(filter === undefined ? {} : { filter, ringInFlight }), ...(engine === null ? {} : { peakRingInFlight }), ...(afterSubmit === null ? {} : { afterSubmit }) };
}

async function nodeBurst(options: BurstOptions, path: string): Promise<Omit<BurstReport, 'impl' | 'elapsedMs' | 'peakRssMb'>> {
  const block = options.block ?? 512;
  const ended: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const writing = options.op === 'write';
  let handle;
  try {
    handle = await open(path, writing ? 'r+' : 'r');
  } catch (error) {
    bump(refused, (error as NodeJS.ErrnoException).code ?? 'throw');
    return { submitted: 0, refused, ended, unfinished: 0, notifiedNever: 0, notifiedTwice: 0 };
  }
  const reads = [];
  for (let index = 0; index < options.count; index++) {
    const buffer = Buffer.alloc(block, writing ? pattern(index) : 0);
    const transfer = writing ? handle.write(buffer, 0, block, index * block).then(({ bytesWritten }) => bytesWritten) : handle.read(buffer, 0, block, index * block).then(({ bytesRead }) => bytesRead);
    reads.push(
      transfer.then(
        (bytes) => bump(ended, bytes !== block ? `short:${bytes}` : checkBytes(writing ? readBack(handle.fd, index, block) : buffer, index, block) ? 'ok' : 'wrong-data'),
        (error: NodeJS.ErrnoException) => bump(ended, error.code ?? 'throw'),
      ),
    );
  }
  await Promise.all(reads);
  await handle.close();
  return { submitted: options.count, refused, ended, unfinished: 0, notifiedNever: 0, notifiedTwice: 0 };
}

const SYS_fdatasync = 75;
const SYS_fadvise64 = 221;
const POSIX_FADV_DONTNEED = 4;

function dropPages(fd: number): void {
  syscall(SYS_fdatasync, fd);
  syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED);
}

const SYS_prlimit64 = 302;
const RLIMIT = { fsize: 1, as: 9, nofile: 7, nproc: 6, memlock: 8, sigpending: 11 } as const;

const SYS_fcntl = 72;
const F_GETFD = 1;

function openFds(): number {
  let open = 0;
  for (let fd = 0; fd < 4096; fd++) if (syscall(SYS_fcntl, fd, F_GETFD) >= 0) open++;
  return open;
}

/** The RLIMIT_NOFILE that leaves exactly `free` fd numbers unused below it (new fds take the lowest free number). */
function nofileLeaving(free: number): number {
  let limit = 0;
  for (let left = free; ; limit++) {
    if (syscall(SYS_fcntl, limit, F_GETFD) >= 0) continue;
    if (left === 0) return limit;
    left--;
  }
}

function queuedSignals(): number {
  return Number(/SigQ:\s+(\d+)\//.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
}

function vmSizeBytes(): number {
  return Number(/VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
}

function setLimit(resource: number, value: number): number {
  const block = allocNative(16, 8);
  const view = new DataView(block.buffer);
  view.setBigUint64(0, BigInt(value), true);
  view.setBigUint64(8, BigInt(value), true);
  return syscall(SYS_prlimit64, 0, resource, block.address, 0);
}

/** applyLimits - set `limits` on this process; returns the fds open then and each prlimit64 answer. */
function applyLimits(limits: NonNullable<BurstOptions['limitsAfterLoad']>): { fdsAtLimit: number; limitAnswers: number[] } {
  const fdsAtLimit = openFds();
  const limitAnswers: number[] = [];
  if (limits.nofileFree !== undefined) limitAnswers.push(setLimit(RLIMIT.nofile, nofileLeaving(limits.nofileFree)));
  if (limits.nproc !== undefined) limitAnswers.push(setLimit(RLIMIT.nproc, limits.nproc));
  if (limits.memlock !== undefined) limitAnswers.push(setLimit(RLIMIT.memlock, limits.memlock));
  if (limits.fsize !== undefined) limitAnswers.push(setLimit(RLIMIT.fsize, limits.fsize));
  if (limits.sigpendingFree !== undefined) limitAnswers.push(setLimit(RLIMIT.sigpending, queuedSignals() + limits.sigpendingFree));
  if (limits.asHeadroomMb !== undefined) limitAnswers.push(setLimit(RLIMIT.as, vmSizeBytes() + limits.asHeadroomMb * 2 ** 20));
  return { fdsAtLimit, limitAnswers };
}

/** runBurst - run one burst in this process and report it. */
export async function runBurst(options: BurstOptions): Promise<BurstReport> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-limits-'));
  try {
    const path = options.op === 'write' ? emptyFile(dir) : makeFile(dir, options.count, options.block ?? 512);
    if (options.impl === 'node') {
      const limited = options.limitsAfterLoad === undefined ? {} : applyLimits(options.limitsAfterLoad);
      const started = performance.now();
      const body = await nodeBurst(options, path);
      return { impl: 'node', ...body, ...limited, elapsedMs: Math.round(performance.now() - started), peakRssMb: peakRssMb() };
    }
    const impl = options.impl === 'glibc' ? (await import('./posix-impl-glibc.js')).createGlibc('') : (await import('./posix-impl-syslet.js')).createSyslet(false);
    const fds = Array.from({ length: options.fds ?? 1 }, () => openSync(path, options.op === 'write' ? 'r+' : 'r'));
    if (options.dropCache === true) dropPages(fds[0] as number);
    // The package is loaded (and glibc's AIO bound) before the limits, as a C program's libraries are.
    if (options.impl === 'syslet') await import('../../index.js');
    const limited = options.limitsAfterLoad === undefined ? {} : applyLimits(options.limitsAfterLoad);
    const started = performance.now();
    const body = await aioBurst(impl, options, fds);
    for (const fd of fds) closeSync(fd);
    let engine: BurstReport['engine'];
    if (options.impl === 'syslet') {
      const { aioEngine } = await import('../../index.js');
      const info = aioEngine().asyncEngine;
      engine = info.kind === 'threads' ? { kind: info.kind, reason: info.reason } : { kind: info.kind };
    }
    return { impl: options.impl, ...(engine === undefined ? {} : { engine }), ...body, ...limited, elapsedMs: Math.round(performance.now() - started), peakRssMb: peakRssMb() };
  } finally {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // At an fd limit rmSync may find no fd to scan the directory with: the exit handler retries.
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
  }
}

/** The line a burst child prints its report on. */
export const RESULT_PREFIX = 'LIMITS-RESULT ';

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const options = JSON.parse(process.argv[2] ?? '{}') as BurstOptions;
  const report = await runBurst(options);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(report)}\n`);
  // A C program returns from main with glibc's helpers still idle; so does this one.
  process.exit(0);
}
