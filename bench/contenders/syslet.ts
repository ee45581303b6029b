/**
 * This library's contenders, written as a user writes them: everything comes from the package
 * root (`syslet-aio`, here `../../index.js`: the built `dist/index.js` when the bench runs built,
 * index.ts under tsx), with the defaults. No internal module, no pool configuration, no warm-up
 * of the engine's threads: the engine starts when the first request needs it, as in a program.
 * Buffers are plain `Buffer.alloc` per slot, as a user allocates them. test/bench-contenders-
 * import-only-the-package-root.test.ts checks the imports.
 *
 * - POSIX: `Aiocb`, `aio_read`/`aio_write`, `aio_suspend`, `aio_error`, `aio_return`: the glibc
 *   peer's loop with this library's functions.
 * - Promise API: `aio.read`/`aio.write`, QD async lanes sharing one cursor.
 * - Plugin: `readFileInto(engine, path, target)` (the file.readAll canned syslet) on a
 *   `new Engine()` with its defaults.
 */
import { Aiocb, aio, aio_error, aio_read, aio_return, aio_suspend, aio_write, aioEngine, Engine, EINPROGRESS, errno, errnoName, readFileInto } from '../../index.js';
import type { EngineReport } from '../host-protocol.js';
import { checkTransfer, type ChainContender, type ContenderSet, type LatencyJob, type LatencyContender, type ReadContender, type TransferJob, type WriteContender } from './types.js';

/** The engine the defaults picked, as the public API reports it (`Engine.asyncEngine`). */
interface AsyncEngineInfo {
  readonly kind: string;
  readonly reason?: string;
  readonly setupFlags?: string;
}

/**
 * engineReport - which engine the POSIX layer's default engine uses (and, when it is threads, why),
 * from `aioEngine().asyncEngine`; a build without the io_uring engine has only threads.
 *
 * @returns the engine kind and its detail.
 * @example engineReport().kind // 'io_uring' or 'threads'
 */
export function engineReport(): EngineReport {
  const info = (aioEngine() as unknown as { asyncEngine?: AsyncEngineInfo }).asyncEngine;
  if (info === undefined) return { kind: 'threads', detail: 'this build has no io_uring engine' };
  return { kind: info.kind, detail: info.kind === 'io_uring' ? (info.setupFlags ?? '') : (info.reason ?? '') };
}

/** One `Buffer.alloc(blockSize)` per slot, as a user's program has them. */
function slotBuffers(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, () => Buffer.alloc(size, 0x5a));
}

/** POSIX aio_read/aio_write, the glibc peer's loop with this library's functions. */
function posixTransfers(write: boolean) {
  const name = write ? 'syslet aio_write' : 'syslet aio_read';
  const submit = write ? aio_write : aio_read;
  let cbs: Aiocb[] = [];
  let list: (Aiocb | null)[] = [];
  const check = (r: number, cb: Aiocb): void => {
    if (r !== 0) throw new Error(`${name}: submission returned ${r}, errno ${errnoName(errno())}, that aiocb's aio_error ${aio_error(cb)}`);
  };
  return {
    name,
    setup: (j: TransferJob): void => {
      cbs = slotBuffers(j.qd, j.blockSize).map((buf) => new Aiocb({ aio_fildes: j.fd, aio_buf: buf, aio_nbytes: j.blockSize, aio_offset: 0 }));
      list = cbs.map(() => null);
    },
    run: (j: TransferJob): Promise<void> => {
      const ops = j.offsets.length;
      let issued = 0;
      let done = 0;
      for (let slot = 0; slot < cbs.length && issued < ops; slot++) {
        const cb = cbs[slot] as Aiocb;
        cb.aio_offset = (j.offsets[issued++] as number) * j.blockSize;
        check(submit(cb), cb);
        list[slot] = cb;
      }
      while (done < ops) {
        // aio_suspend blocks the calling thread, as in C (the completions are processed meanwhile).
        aio_suspend(list, list.length, null);
        for (let slot = 0; slot < list.length; slot++) {
          const cb = list[slot];
          if (!cb || aio_error(cb) === EINPROGRESS) continue;
          const r = aio_return(cb);
          if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
          done++;
          if (issued < ops) {
            cb.aio_offset = (j.offsets[issued++] as number) * j.blockSize;
            check(submit(cb), cb);
          } else list[slot] = null;
        }
      }
      return Promise.resolve();
    },
    latency: (j: LatencyJob): Promise<void> => {
      const cb = cbs[0] as Aiocb;
      const one = [cb];
      for (let i = 0; i < j.offsets.length; i++) {
        cb.aio_offset = (j.offsets[i] as number) * j.blockSize;
        const t0 = performance.now();
        check(submit(cb), cb);
        while (aio_error(cb) === EINPROGRESS) aio_suspend(one, 1, null);
        const r = aio_return(cb);
        j.samples[i] = (performance.now() - t0) * 1e6;
        if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
      }
      return Promise.resolve();
    },
    teardown: (): void => {
      cbs = [];
      list = [];
    },
  };
}

/** The Promise API: `qd` async lanes sharing one cursor, like the FileHandle peer. */
function promiseTransfers(write: boolean) {
  const name = write ? 'syslet aio.write' : 'syslet aio.read';
  const op = write ? aio.write : aio.read;
  let buffers: Buffer[] = [];
  return {
    name,
    setup: (j: TransferJob): void => {
      buffers = slotBuffers(j.qd, j.blockSize);
    },
    run: async (j: TransferJob): Promise<void> => {
      let next = 0;
      const lane = async (buf: Buffer): Promise<void> => {
        while (next < j.offsets.length) {
          const r = await op(j.fd, buf, (j.offsets[next++] as number) * j.blockSize);
          if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
        }
      };
      await Promise.all(buffers.map(lane));
    },
    latency: async (j: LatencyJob): Promise<void> => {
      const buf = buffers[0] as Buffer;
      for (let i = 0; i < j.offsets.length; i++) {
        const t0 = performance.now();
        const r = await op(j.fd, buf, (j.offsets[i] as number) * j.blockSize);
        j.samples[i] = (performance.now() - t0) * 1e6;
        if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
      }
    },
    teardown: (): void => {
      buffers = [];
    },
  };
}

/** file.readAll over every file with `qd` in flight, on one `new Engine()` with the defaults. */
function readAllChain(): ChainContender {
  let engine: Engine | undefined;
  return {
    name: 'syslet file.readAll',
    family: 'syslet',
    setup() {
      engine ??= new Engine();
    },
    async runChain(j) {
      const e = engine as Engine;
      let next = 0;
      let bytes = 0;
      const lane = async (): Promise<void> => {
        // One buffer per lane, reused: the chain reads each file into it.
        const target = Buffer.alloc(64 * 1024);
        while (next < j.paths.length) {
          // Not `bytes += await ...`: that reads `bytes` before the await and loses other lanes' adds.
          const read = await readFileInto(e, j.paths[next++] as string, target);
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
 * sysletContenders - this library's contenders.
 *
 * @returns reads (aio_read, aio.read), writes (aio_write, aio.write), latency (both at QD1) and
 *   chains (file.readAll).
 * @example
 * ```ts
 * const mine = await sysletContenders();
 * mine.reads.map((c) => c.name); // ['syslet aio_read', 'syslet aio.read']
 * ```
 */
export function sysletContenders(): Promise<ContenderSet> {
  const pr = posixTransfers(false);
  const pw = posixTransfers(true);
  const qr = promiseTransfers(false);
  const qw = promiseTransfers(true);
  const family = 'syslet' as const;
  const reads: ReadContender[] = [
    { name: pr.name, family, setup: pr.setup, runReads: pr.run, teardown: pr.teardown },
    { name: qr.name, family, setup: qr.setup, runReads: qr.run, teardown: qr.teardown },
  ];
  const writes: WriteContender[] = [
    { name: pw.name, family, setup: pw.setup, runWrites: pw.run, teardown: pw.teardown },
    { name: qw.name, family, setup: qw.setup, runWrites: qw.run, teardown: qw.teardown },
  ];
  const latency: LatencyContender[] = [
    { name: pr.name, family, setup: pr.setup, runLatency: pr.latency, teardown: pr.teardown },
    { name: qr.name, family, setup: qr.setup, runLatency: qr.latency, teardown: qr.teardown },
  ];
  return Promise.resolve({ reads, writes, latency, chains: [readAllChain()] });
}
