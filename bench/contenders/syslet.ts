/**
 * REGISTRATION POINT for this library's own contenders.
 *
 * They are written against the package root (index.ts) and the names below. Until a name exists,
 * the contender is reported "not available: <why>" and measures nothing: no row ever shows a
 * number that was not measured. When the API lands, adjust only the EXPECTED shapes and the
 * `find*` lookups below.
 *
 * EXPECTED (from the package root):
 * - POSIX: `Aiocb` (`new Aiocb({ aio_fildes, aio_buf, aio_nbytes, aio_offset })`), `aio_read`,
 *   `aio_write`, `aio_error`, `aio_return` (C conventions: 0/-1, EINPROGRESS, bytes) and
 *   `aio_suspend(list, nent, timeout)` returning a number or a Promise of one.
 * - Promise API: `aio.read(fd, buffer, position)` / `aio.write(fd, buffer, position)` resolving
 *   to the byte count.
 * - Plugin: the file.readAll canned syslet (openat+fstat+pread64 loop+close) through
 *   `readFileInto(engine, path, target)` from plugins/helpers.ts, resolving to the bytes read into
 *   a per-lane buffer (the Node peer resolves to a new Buffer: both hand the caller the bytes).
 */
import { allocNative, releaseNative, EINPROGRESS, type NativeBlock } from '../../engine/native/index.js';
import { checkTransfer, type ChainContender, type ContenderSet, type LatencyJob, type TransferJob } from './types.js';


/** A POSIX control block as the benchmark uses it. */
interface Aiocb {
  aio_offset: number;
}
interface PosixApi {
  Aiocb: new (init: { aio_fildes: number; aio_buf: Uint8Array; aio_nbytes: number; aio_offset: number }) => Aiocb;
  aio_read(cb: Aiocb): number;
  aio_write(cb: Aiocb): number;
  aio_suspend(list: readonly (Aiocb | null)[], nent: number, timeout: null): number | Promise<number>;
  aio_error(cb: Aiocb): number;
  aio_return(cb: Aiocb): number;
}
interface PromiseApi {
  read(fd: number, buffer: Uint8Array, position: number): Promise<number>;
  write(fd: number, buffer: Uint8Array, position: number): Promise<number>;
}
interface FilePlugin {
  readAll(path: string, target: Uint8Array): Promise<number>;
}

type Found<T> = { api: T; reason?: undefined } | { api?: undefined; reason: string };
type Module = Record<string, unknown>;

const isFn = (v: unknown): boolean => typeof v === 'function';

function findPosix(mod: Module): Found<PosixApi> {
  const missing = ['Aiocb', 'aio_read', 'aio_write', 'aio_suspend', 'aio_error', 'aio_return'].filter((n) => !isFn(mod[n]));
  return missing.length === 0 ? { api: mod as unknown as PosixApi } : { reason: `missing export ${missing.join(', ')}` };
}

function findPromises(mod: Module): Found<PromiseApi> {
  const aio = mod.aio as Module | undefined;
  return aio && isFn(aio.read) && isFn(aio.write) ? { api: aio as unknown as PromiseApi } : { reason: 'missing export aio.read/aio.write' };
}

async function findFilePlugin(mod: Module): Promise<Found<FilePlugin>> {
  const Engine = mod.Engine as (new () => unknown) | undefined;
  if (!isFn(Engine)) return { reason: 'missing export Engine' };
  try {
    const helpers = (await import(new URL('../../plugins/helpers.js', import.meta.url).href)) as Module;
    const readFileInto = helpers.readFileInto as (engine: unknown, path: string, target: Uint8Array) => Promise<number>;
    if (!isFn(readFileInto)) return { reason: 'missing plugins/helpers readFileInto' };
    const engine = new (Engine as new () => unknown)();
    return { api: { readAll: (path, target) => readFileInto(engine, path, target) } };
  } catch (e) {
    return { reason: `plugins/helpers did not load: ${(e as Error).message}` };
  }
}

/**
 * Start the POSIX layer's cachemiss threads before a measured run and keep them (idle time 60 s),
 * as a long-running program has them: a thread takes tens of milliseconds to start, which a
 * short run would otherwise measure instead of I/O. glibc's peer creates its threads in the run,
 * but a pthread costs microseconds. Cold start is reported in docs/performance.md.
 */
async function warmPool(): Promise<void> {
  const context = (await import(new URL('../../shim/context.js', import.meta.url).href)) as {
    aioEngine(): { configurePool(threads: number, idleMs: number): void; warm(count: number): Promise<void>; readonly threads: number };
  };
  const engine = context.aioEngine();
  const threads = 8;
  engine.configurePool(threads, 60_000);
  await engine.warm(threads);
}

/** Native buffers, one per slot: the engine's threads may touch them after the submitting call. */
class Slots {
  block: NativeBlock | undefined;
  views: Uint8Array[] = [];
  alloc(count: number, size: number): void {
    this.block = allocNative(count * size, 4096);
    const bytes = new Uint8Array(this.block.buffer).fill(0x5a);
    this.views = Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  }
  free(): void {
    if (this.block) releaseNative(this.block);
    this.block = undefined;
    this.views = [];
  }
}

/** POSIX aio_read/aio_write, the glibc peer's loop with this library's functions. */
function posixTransfers(api: PosixApi, write: boolean) {
  const name = write ? 'syslet aio_write' : 'syslet aio_read';
  const slots = new Slots();
  let cbs: Aiocb[] = [];
  let list: (Aiocb | null)[] = [];
  const submit = write ? api.aio_write.bind(api) : api.aio_read.bind(api);
  const check = (r: number): void => {
    if (r !== 0) throw new Error(`${name}: submission returned ${r}, aio_error ${api.aio_error(cbs[0] as Aiocb)}`);
  };
  return {
    name,
    setup: async (j: TransferJob): Promise<void> => {
      await warmPool();
      slots.alloc(j.qd, j.blockSize);
      cbs = slots.views.map((buf) => new api.Aiocb({ aio_fildes: j.fd, aio_buf: buf, aio_nbytes: j.blockSize, aio_offset: 0 }));
      list = cbs.map(() => null);
    },
    run: async (j: TransferJob): Promise<void> => {
      const ops = j.offsets.length;
      let issued = 0;
      let done = 0;
      for (let slot = 0; slot < cbs.length && issued < ops; slot++) {
        const cb = cbs[slot] as Aiocb;
        cb.aio_offset = (j.offsets[issued++] as number) * j.blockSize;
        check(submit(cb));
        list[slot] = cb;
      }
      while (done < ops) {
        await api.aio_suspend(list, list.length, null);
        for (let slot = 0; slot < list.length; slot++) {
          const cb = list[slot];
          if (!cb || api.aio_error(cb) === EINPROGRESS) continue;
          const r = api.aio_return(cb);
          if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
          done++;
          if (issued < ops) {
            cb.aio_offset = (j.offsets[issued++] as number) * j.blockSize;
            check(submit(cb));
          } else list[slot] = null;
        }
      }
    },
    latency: async (j: LatencyJob): Promise<void> => {
      const cb = cbs[0] as Aiocb;
      const one = [cb];
      for (let i = 0; i < j.offsets.length; i++) {
        cb.aio_offset = (j.offsets[i] as number) * j.blockSize;
        const t0 = performance.now();
        check(submit(cb));
        while (api.aio_error(cb) === EINPROGRESS) await api.aio_suspend(one, 1, null);
        const r = api.aio_return(cb);
        j.samples[i] = (performance.now() - t0) * 1e6;
        if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
      }
    },
    teardown: (): void => {
      slots.free();
      cbs = [];
      list = [];
    },
  };
}

/** The Promise API: `qd` async lanes sharing one cursor, like the FileHandle peer. */
function promiseTransfers(api: PromiseApi, write: boolean) {
  const name = write ? 'syslet aio.write' : 'syslet aio.read';
  const slots = new Slots();
  const op = write ? api.write.bind(api) : api.read.bind(api);
  return {
    name,
    setup: async (j: TransferJob): Promise<void> => {
      await warmPool();
      slots.alloc(j.qd, j.blockSize);
    },
    run: async (j: TransferJob): Promise<void> => {
      let next = 0;
      const lane = async (buf: Uint8Array): Promise<void> => {
        while (next < j.offsets.length) {
          const r = await op(j.fd, buf, (j.offsets[next++] as number) * j.blockSize);
          if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
        }
      };
      await Promise.all(slots.views.map(lane));
    },
    latency: async (j: LatencyJob): Promise<void> => {
      const buf = slots.views[0] as Uint8Array;
      for (let i = 0; i < j.offsets.length; i++) {
        const t0 = performance.now();
        const r = await op(j.fd, buf, (j.offsets[i] as number) * j.blockSize);
        j.samples[i] = (performance.now() - t0) * 1e6;
        if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
      }
    },
    teardown: (): void => {
      slots.free();
    },
  };
}

/** file.readAll over every file with `qd` in flight. */
function readAllChain(found: Found<FilePlugin>): ChainContender {
  return {
    name: 'syslet file.readAll',
    family: 'syslet',
    unavailable: found.reason,
    setup() {},
    async runChain(j) {
      const plugin = found.api as FilePlugin;
      let next = 0;
      let bytes = 0;
      const lane = async (): Promise<void> => {
        // One buffer per lane, reused: the chain reads each file into it.
        const target = new Uint8Array(64 * 1024);
        while (next < j.paths.length) {
          // Not `bytes += await ...`: that reads `bytes` before the await and loses other lanes' adds.
          const read = await plugin.readAll(j.paths[next++] as string, target);
          bytes += read;
        }
      };
      await Promise.all(Array.from({ length: j.qd }, lane));
      return bytes;
    },
    teardown() {},
  };
}

/**
 * sysletContenders - this library's contenders, each "not available" until its API exists.
 *
 * @returns reads (aio_read, aio.read), writes (aio_write, aio.write), latency (both at QD1) and
 *   chains (file.readAll). Never throws: an import failure becomes the `unavailable` reason.
 * @example
 * ```ts
 * const mine = await sysletContenders();
 * mine.reads.filter((c) => !c.unavailable);
 * ```
 */
export async function sysletContenders(): Promise<ContenderSet> {
  let mod: Module = {};
  let importError: string | undefined;
  try {
    // A computed specifier: the package root may not exist yet, and this must not fail to compile.
    const entry = new URL('../../index.js', import.meta.url).href;
    mod = (await import(entry)) as Module;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    importError = err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes('/index.') ? 'package root index.ts does not exist yet' : `package root did not load: ${err.message.split('\n')[0] ?? ''}`;
  }
  const posix: Found<PosixApi> = importError ? { reason: importError } : findPosix(mod);
  const promises: Found<PromiseApi> = importError ? { reason: importError } : findPromises(mod);
  const plugin: Found<FilePlugin> = importError ? { reason: importError } : await findFilePlugin(mod);
  const pr = posix.api ? posixTransfers(posix.api, false) : undefined;
  const pw = posix.api ? posixTransfers(posix.api, true) : undefined;
  const qr = promises.api ? promiseTransfers(promises.api, false) : undefined;
  const qw = promises.api ? promiseTransfers(promises.api, true) : undefined;
  const base = { family: 'syslet' as const, teardown: () => {} };
  const off = { ...base, setup: () => {} };
  const never = (): Promise<void> => Promise.reject(new Error('not available'));
  return {
    reads: [
      pr ? { ...base, name: pr.name, setup: pr.setup, runReads: pr.run, teardown: pr.teardown } : { ...off, name: 'syslet aio_read', unavailable: posix.reason, runReads: never },
      qr ? { ...base, name: qr.name, setup: qr.setup, runReads: qr.run, teardown: qr.teardown } : { ...off, name: 'syslet aio.read', unavailable: promises.reason, runReads: never },
    ],
    writes: [
      pw ? { ...base, name: pw.name, setup: pw.setup, runWrites: pw.run, teardown: pw.teardown } : { ...off, name: 'syslet aio_write', unavailable: posix.reason, runWrites: never },
      qw ? { ...base, name: qw.name, setup: qw.setup, runWrites: qw.run, teardown: qw.teardown } : { ...off, name: 'syslet aio.write', unavailable: promises.reason, runWrites: never },
    ],
    latency: [
      pr ? { ...base, name: pr.name, setup: pr.setup, runLatency: pr.latency, teardown: pr.teardown } : { ...off, name: 'syslet aio_read', unavailable: posix.reason, runLatency: never },
      qr ? { ...base, name: qr.name, setup: qr.setup, runLatency: qr.latency, teardown: qr.teardown } : { ...off, name: 'syslet aio.read', unavailable: promises.reason, runLatency: never },
    ],
    chains: [readAllChain(plugin)],
  };
}
