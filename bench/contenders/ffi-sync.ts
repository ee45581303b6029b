/**
 * The floors: the same system calls this library makes, issued one at a time, synchronously,
 * through the same FFI boundary (engine/native `syscall`, i.e. koffi into glibc's syscall stub).
 * Whatever the engine adds on top of these is its own overhead; whatever it wins is concurrency.
 * Buffers are native memory allocated in setup, so the loops allocate nothing.
 */
import { allocNative, releaseNative, syscall, type NativeBlock } from '../../engine/native/index.js';
import { checkTransfer, type ChainContender, type LatencyContender, type LatencyJob, type ReadContender, type TransferJob, type WriteContender } from './types.js';
import { NR } from '../../engine/syscalls/nr.js';
import { AT_FDCWD, STAT_SIZE_OFFSET } from '../../engine/syscalls/abi.js';
import { STRUCT_SIZES } from '../../engine/syscalls/table.js';

const SYS_read = NR.read;
const SYS_pread64 = NR.pread64;
const SYS_pwrite64 = NR.pwrite64;
const SYS_close = NR.close;
const SYS_fstat = NR.fstat;
const SYS_openat = NR.openat;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

/** A synchronous pread64/pwrite64 loop: one block of native memory, one syscall per op. */
class SyncLoop {
  #block: NativeBlock | undefined;

  constructor(
    readonly name: string,
    private readonly nr: number,
  ) {}

  setup(j: TransferJob): void {
    this.#block = allocNative(j.blockSize, 4096);
    new Uint8Array(this.#block.buffer).fill(0x5a);
  }

  run(j: TransferJob): Promise<void> {
    const address = (this.#block as NativeBlock).address;
    const size = j.blockSize;
    for (let i = 0; i < j.offsets.length; i++) {
      const r = syscall(this.nr, j.fd, address, size, (j.offsets[i] as number) * size);
      if (r !== size) checkTransfer(this.name, r, size);
    }
    return Promise.resolve();
  }

  teardown(): void {
    if (this.#block) releaseNative(this.#block);
    this.#block = undefined;
  }
}

/** The read floor: `pread64` in a loop through engine/native `syscall`. */
export function ffiReadContenders(): ReadContender[] {
  const loop = new SyncLoop('pread (FFI sync)', SYS_pread64);
  return [{ name: loop.name, family: 'ffi', sync: true, setup: (j) => loop.setup(j), runReads: (j) => loop.run(j), teardown: () => loop.teardown() }];
}

/** The write floor: `pwrite64` in a loop through engine/native `syscall`. */
export function ffiWriteContenders(): WriteContender[] {
  const loop = new SyncLoop('pwrite (FFI sync)', SYS_pwrite64);
  return [{ name: loop.name, family: 'ffi', sync: true, setup: (j) => loop.setup(j), runWrites: (j) => loop.run(j), teardown: () => loop.teardown() }];
}

/** The latency floor: one pread64 through the FFI, timed alone. */
export function ffiLatencyContenders(): LatencyContender[] {
  let block: NativeBlock | undefined;
  return [
    {
      name: 'pread (FFI sync)',
      family: 'ffi',
      sync: true,
      setup(j: LatencyJob) {
        block = allocNative(j.blockSize, 4096);
      },
      runLatency(j: LatencyJob) {
        const address = (block as NativeBlock).address;
        const size = j.blockSize;
        for (let i = 0; i < j.offsets.length; i++) {
          const t0 = performance.now();
          const r = syscall(SYS_pread64, j.fd, address, size, (j.offsets[i] as number) * size);
          j.samples[i] = (performance.now() - t0) * 1e6;
          if (r !== size) checkTransfer('pread (FFI sync)', r, size);
        }
        return Promise.resolve();
      },
      teardown() {
        if (block) releaseNative(block);
        block = undefined;
      },
    },
  ];
}

/**
 * The chain done by hand (issue #5): openat, fstat, read, close for each file, one syscall at a
 * time from JS through the FFI, what file.readAll does in one submission. Paths are encoded once,
 * NUL-terminated, into native memory in setup.
 */
export function ffiChainContenders(): ChainContender[] {
  let paths: NativeBlock | undefined;
  let starts = new Float64Array(0);
  let scratch: NativeBlock | undefined;
  return [
    {
      name: 'syscalls one by one (FFI)',
      family: 'ffi',
      sync: true,
      setup(j) {
        const encoded = j.paths.map((p) => Buffer.from(`${p}\0`));
        paths = allocNative(encoded.reduce((n, b) => n + b.length, 0));
        starts = new Float64Array(encoded.length);
        const bytes = new Uint8Array(paths.buffer);
        let at = 0;
        encoded.forEach((b, i) => {
          bytes.set(b, at);
          starts[i] = paths!.address + at;
          at += b.length;
        });
        // One block: the stat buffer, then room for the largest file.
        scratch = allocNative(STRUCT_SIZES.stat + Math.max(j.fileSize, 1), 4096);
      },
      runChain(j) {
        const stat = (scratch as NativeBlock).address;
        const data = stat + STRUCT_SIZES.stat;
        const view = new DataView((scratch as NativeBlock).buffer);
        let bytes = 0;
        for (let i = 0; i < j.paths.length; i++) {
          const fd = syscall(SYS_openat, AT_FDCWD, starts[i], O_RDONLY | O_CLOEXEC);
          if (fd < 0) throw new Error(`openat ${j.paths[i]}: ${fd}`);
          let r = syscall(SYS_fstat, fd, stat);
          if (r === 0) {
            const size = Math.min(view.getUint32(STAT_SIZE_OFFSET, true), j.fileSize);
            r = syscall(SYS_read, fd, data, size);
          }
          syscall(SYS_close, fd);
          if (r < 0) throw new Error(`fstat/read ${j.paths[i]}: ${r}`);
          bytes += r;
        }
        return Promise.resolve(bytes);
      },
      teardown() {
        if (paths) releaseNative(paths);
        if (scratch) releaseNative(scratch);
        paths = scratch = undefined;
      },
    },
  ];
}
