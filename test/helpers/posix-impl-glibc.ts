/**
 * The glibc side of the adapter (posix-impl.ts): glibc's real AIO through koffi (engine/native/glibc-aio.ts), with
 * aiocbs, buffers, lists, sigevents and aioinit in native memory, as in a C program.
 */
import { addressOf, allocNative } from '../../engine/native/index.js';
import {
  AIOCB, AIOINIT, SIGEVENT, glibcAio, sigevNotifyFunction, writeSigevent, type GlibcAio,
  AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, O_DSYNC, O_SYNC, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD,
} from '../../engine/native/glibc-aio.js';
import { catchSignalInC, hasGcc } from './posix-os.js';
import { pollingCatcher, Unsupported, type AioImpl, type AiocbFields, type ControlBlock, type SigevNotifyFunction, type SignalInfo } from './posix-impl.js';

class GlibcControlBlock implements ControlBlock {
  readonly address: number;
  readonly view: DataView;
  #buffer: Uint8Array | null = null;
  #bufferAddress = 0;

  constructor() {
    const block = allocNative(AIOCB.size, 64);
    this.address = block.address;
    this.view = new DataView(block.buffer);
  }

  get aio_fildes(): number {
    return this.view.getInt32(AIOCB.aio_fildes, true);
  }
  get aio_lio_opcode(): number {
    return this.view.getInt32(AIOCB.aio_lio_opcode, true);
  }
  get aio_reqprio(): number {
    return this.view.getInt32(AIOCB.aio_reqprio, true);
  }
  get aio_buf(): Uint8Array | bigint {
    const pointer = this.view.getBigUint64(AIOCB.aio_buf, true);
    if (this.#buffer !== null && pointer === BigInt(this.#bufferAddress)) return this.#buffer;
    return pointer;
  }
  get aio_nbytes(): number {
    return Number(this.view.getBigInt64(AIOCB.aio_nbytes, true));
  }
  get aio_offset(): number {
    return Number(this.view.getBigInt64(AIOCB.aio_offset, true));
  }
  get sigev_notify(): number {
    return this.view.getInt32(AIOCB.aio_sigevent + SIGEVENT.sigev_notify, true);
  }

  assign(fields: AiocbFields): void {
    const v = this.view;
    if (fields.aio_fildes !== undefined) v.setInt32(AIOCB.aio_fildes, fields.aio_fildes, true);
    if (fields.aio_lio_opcode !== undefined) v.setInt32(AIOCB.aio_lio_opcode, fields.aio_lio_opcode, true);
    if (fields.aio_reqprio !== undefined) v.setInt32(AIOCB.aio_reqprio, fields.aio_reqprio, true);
    if (fields.aio_buf !== undefined) {
      this.#buffer = fields.aio_buf;
      this.#bufferAddress = fields.aio_buf === null ? 0 : addressOf(fields.aio_buf);
      v.setBigUint64(AIOCB.aio_buf, BigInt(this.#bufferAddress), true);
    }
    // size_t and off_t: -1 stays all ones, as in C.
    if (fields.aio_nbytes !== undefined) v.setBigInt64(AIOCB.aio_nbytes, BigInt(fields.aio_nbytes), true);
    if (fields.aio_offset !== undefined) v.setBigInt64(AIOCB.aio_offset, BigInt(fields.aio_offset), true);
    const sig = fields.aio_sigevent;
    if (sig !== undefined) {
      if (sig.sigev_notify !== undefined) v.setInt32(AIOCB.aio_sigevent + SIGEVENT.sigev_notify, sig.sigev_notify, true);
      if (sig.sigev_signo !== undefined) v.setInt32(AIOCB.aio_sigevent + SIGEVENT.sigev_signo, sig.sigev_signo, true);
      if (sig.sigev_value !== undefined) v.setBigInt64(AIOCB.aio_sigevent + SIGEVENT.sigev_value, BigInt.asIntN(64, BigInt(sig.sigev_value)), true);
      if (sig.sigev_notify_function !== undefined) {
        const pointer = sig.sigev_notify_function === null ? 0 : glibcNotifyPointer(sig.sigev_notify_function);
        v.setBigUint64(AIOCB.aio_sigevent + SIGEVENT.sigev_notify_function, BigInt(pointer), true);
      }
    }
  }

  zero(): void {
    new Uint8Array(this.view.buffer, this.view.byteOffset, AIOCB.size).fill(0);
    this.#buffer = null;
    this.#bufferAddress = 0;
  }
}

const glibcCallbacks = new Map<SigevNotifyFunction, number>();

// glibc calls sigev_notify_function(sigev_value) on a thread of its own; koffi brings the call to
// the JS thread (see sigevNotifyFunction in glibc-aio.ts).
function glibcNotifyPointer(fn: SigevNotifyFunction): number {
  let pointer = glibcCallbacks.get(fn);
  if (pointer === undefined) {
    pointer = sigevNotifyFunction((value) => fn(value));
    glibcCallbacks.set(fn, pointer);
  }
  return pointer;
}

function glibcPointerList(list: readonly (ControlBlock | null)[], nent: number): number {
  const block = allocNative(Math.max(1, nent) * 8, 8);
  const view = new DataView(block.buffer);
  for (let i = 0; i < nent; i++) {
    const cb = list[i];
    view.setBigUint64(i * 8, cb == null ? 0n : BigInt(cb.address), true);
  }
  return block.address;
}

/** createGlibc - the adapter over glibc's POSIX names ('') or LFS names ('64'). */
export function createGlibc(suffix: '' | '64'): AioImpl {
  const aio: GlibcAio = glibcAio(suffix);
  let lastErrno = 0;
  // The binding folds -1 + errno into -errno; C callers see -1 and errno.
  const c = (result: number): number => {
    if (result >= 0) return result;
    lastErrno = -result;
    return -1;
  };
  const own = (cb: ControlBlock): number => cb.address;
  let lfs: AioImpl | null = null;
  const impl: AioImpl = {
    name: 'glibc',
    constants: {
      AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE, LIO_READ, LIO_WRITE, LIO_NOP, LIO_WAIT, LIO_NOWAIT, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, O_SYNC, O_DSYNC,
      // glibc reserves 32 and 33 for itself: SIGRTMIN is 34 for applications.
      SIGRTMIN: 34,
      SIGRTMAX: 64,
    },
    get lfs() {
      lfs ??= suffix === '64' ? impl : createGlibc('64');
      return lfs;
    },
    buffer: (size) => Buffer.from(allocNative(Math.max(1, size), 64).buffer, 0, size),
    aiocb: (fields = {}) => {
      const cb = new GlibcControlBlock();
      cb.assign(fields);
      return cb;
    },
    aio_read: (cb) => c(aio.read(own(cb))),
    aio_write: (cb) => c(aio.write(own(cb))),
    aio_fsync: (op, cb) => c(aio.fsync(op, own(cb))),
    aio_error: (cb) => aio.error(own(cb)),
    aio_return: (cb) => aio.return(own(cb)),
    aio_suspend: (list, nent, timeout) => {
      let spec = 0;
      if (timeout !== null) {
        const block = allocNative(16, 8);
        const view = new DataView(block.buffer);
        view.setBigInt64(0, BigInt(timeout.tv_sec), true);
        view.setBigInt64(8, BigInt(timeout.tv_nsec), true);
        spec = block.address;
      }
      return c(aio.suspend(glibcPointerList(list, nent), nent, spec));
    },
    aio_cancel: (fd, cb) => c(aio.cancel(fd, cb === null ? 0 : own(cb))),
    lio_listio: (mode, list, nent, sig) => {
      let event = 0;
      if (sig !== null) {
        const block = allocNative(SIGEVENT.size, 8);
        const fn = sig.sigev_notify_function ?? null;
        writeSigevent(new DataView(block.buffer), 0, sig.sigev_notify ?? SIGEV_SIGNAL, sig.sigev_signo ?? 0, sig.sigev_value ?? 0, fn === null ? 0 : glibcNotifyPointer(fn));
        event = block.address;
      }
      return c(aio.listio(mode, glibcPointerList(list, nent), nent, event));
    },
    aio_init: (init) => {
      const block = allocNative(AIOINIT.size, 8);
      const view = new DataView(block.buffer);
      view.setInt32(AIOINIT.aio_threads, init.aio_threads, true);
      view.setInt32(AIOINIT.aio_num, init.aio_num, true);
      view.setInt32(AIOINIT.aio_idle_time, init.aio_idle_time, true);
      aio.init(block.address);
    },
    errno: () => lastErrno,
    catchSignal: (signo, options) => {
      if (!hasGcc()) throw new Unsupported('gcc is not installed: the C signal handler the glibc side needs cannot be built');
      const recorder = catchSignalInC(signo, options.restart);
      const list: SignalInfo[] = [];
      return pollingCatcher(() => {
        list.push(...recorder.drain());
      }, list);
    },
  };
  return impl;
}
