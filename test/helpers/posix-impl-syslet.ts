/**
 * The syslet side of the adapter (posix-impl.ts): the project's POSIX shim through its public API
 * only, the package root (index.ts).
 */
import * as syslet from '../../index.js';
import { pollingCatcher, type AioImpl, type AiocbFields, type ControlBlock, type SignalInfo } from './posix-impl.js';

class SysletControlBlock implements ControlBlock {
  readonly raw: syslet.Aiocb;

  constructor() {
    // A zeroed C aiocb asks for SIGEV_SIGNAL (0) with signal 0; `new Aiocb()` alone would be SIGEV_NONE.
    this.raw = new syslet.Aiocb({ aio_sigevent: { sigev_notify: syslet.SIGEV_SIGNAL, sigev_signo: 0 } });
  }

  get address(): number {
    return this.raw.address;
  }
  get aio_fildes(): number {
    return this.raw.aio_fildes;
  }
  get aio_lio_opcode(): number {
    return this.raw.aio_lio_opcode;
  }
  get aio_reqprio(): number {
    return this.raw.aio_reqprio;
  }
  get aio_buf(): Uint8Array | bigint {
    const buf = this.raw.aio_buf;
    return typeof buf === 'bigint' ? buf : (buf as Uint8Array);
  }
  get aio_nbytes(): number {
    return this.raw.aio_nbytes;
  }
  get aio_offset(): number {
    return Number(this.raw.aio_offset);
  }
  get sigev_notify(): number {
    return this.raw.aio_sigevent.sigev_notify;
  }

  assign(fields: AiocbFields): void {
    const cb = this.raw;
    if (fields.aio_fildes !== undefined) cb.aio_fildes = fields.aio_fildes;
    if (fields.aio_lio_opcode !== undefined) cb.aio_lio_opcode = fields.aio_lio_opcode;
    if (fields.aio_reqprio !== undefined) cb.aio_reqprio = fields.aio_reqprio;
    if (fields.aio_buf !== undefined) cb.aio_buf = fields.aio_buf;
    if (fields.aio_nbytes !== undefined) cb.aio_nbytes = fields.aio_nbytes;
    if (fields.aio_offset !== undefined) cb.aio_offset = fields.aio_offset;
    const sig = fields.aio_sigevent;
    if (sig !== undefined) {
      const target = cb.aio_sigevent;
      if (sig.sigev_notify !== undefined) target.sigev_notify = sig.sigev_notify;
      if (sig.sigev_signo !== undefined) target.sigev_signo = sig.sigev_signo;
      if (sig.sigev_value !== undefined) target.sigev_value = sig.sigev_value;
      if (sig.sigev_notify_function !== undefined) target.sigev_notify_function = sig.sigev_notify_function;
    }
  }

  zero(): void {
    const cb = this.raw;
    cb.aio_buf = null;
    cb.aio_fildes = 0;
    cb.aio_lio_opcode = 0;
    cb.aio_reqprio = 0;
    cb.aio_nbytes = 0;
    cb.aio_offset = 0;
    cb.aio_sigevent = { sigev_notify: 0, sigev_signo: 0, sigev_value: 0, sigev_notify_function: null, sigev_notify_attributes: 0 };
    cb.__error_code = 0;
    cb.__return_value = 0;
  }
}

function raw(cb: ControlBlock | null): syslet.Aiocb | null {
  return cb === null ? null : (cb as SysletControlBlock).raw;
}

/** createSyslet - the adapter over the POSIX names, or (lfsNames) the LFS `*64` names. */
export function createSyslet(lfsNames: boolean): AioImpl {
  const f = lfsNames
    ? { read: syslet.aio_read64, write: syslet.aio_write64, fsync: syslet.aio_fsync64, error: syslet.aio_error64, ret: syslet.aio_return64, suspend: syslet.aio_suspend64, cancel: syslet.aio_cancel64, listio: syslet.lio_listio64 }
    : { read: syslet.aio_read, write: syslet.aio_write, fsync: syslet.aio_fsync, error: syslet.aio_error, ret: syslet.aio_return, suspend: syslet.aio_suspend, cancel: syslet.aio_cancel, listio: syslet.lio_listio };
  let lfs: AioImpl | null = null;
  const impl: AioImpl = {
    name: 'syslet',
    constants: {
      AIO_CANCELED: syslet.AIO_CANCELED,
      AIO_NOTCANCELED: syslet.AIO_NOTCANCELED,
      AIO_ALLDONE: syslet.AIO_ALLDONE,
      LIO_READ: syslet.LIO_READ,
      LIO_WRITE: syslet.LIO_WRITE,
      LIO_NOP: syslet.LIO_NOP,
      LIO_WAIT: syslet.LIO_WAIT,
      LIO_NOWAIT: syslet.LIO_NOWAIT,
      SIGEV_NONE: syslet.SIGEV_NONE,
      SIGEV_SIGNAL: syslet.SIGEV_SIGNAL,
      SIGEV_THREAD: syslet.SIGEV_THREAD,
      O_SYNC: syslet.O_SYNC,
      O_DSYNC: syslet.O_DSYNC,
      SIGRTMIN: syslet.SIGRTMIN,
      SIGRTMAX: syslet.SIGRTMAX,
    },
    get lfs() {
      lfs ??= lfsNames ? impl : createSyslet(true);
      return lfs;
    },
    buffer: (size) => Buffer.alloc(size),
    aiocb: (fields = {}) => {
      const cb = new SysletControlBlock();
      cb.assign(fields);
      return cb;
    },
    aio_read: (cb) => f.read(raw(cb) as syslet.Aiocb),
    aio_write: (cb) => f.write(raw(cb) as syslet.Aiocb),
    aio_fsync: (op, cb) => f.fsync(op, raw(cb) as syslet.Aiocb),
    aio_error: (cb) => f.error(raw(cb) as syslet.Aiocb),
    aio_return: (cb) => f.ret(raw(cb) as syslet.Aiocb),
    aio_suspend: (list, nent, timeout) => f.suspend(list.map(raw), nent, timeout),
    aio_cancel: (fd, cb) => f.cancel(fd, raw(cb)),
    lio_listio: (mode, list, nent, sig) => f.listio(mode, list.map(raw), nent, sig),
    aio_init: (init) => syslet.aio_init(init),
    errno: () => syslet.errno(),
    catchSignal: (signo) => {
      const list: SignalInfo[] = [];
      syslet.receiveSignals(signo, (info) => {
        list.push({ signo: info.signo, code: info.code, pid: info.pid, uid: info.uid, value: info.value, int: info.int });
      });
      // The handler runs on the event loop (or inside an interrupted wait): nothing to poll.
      return pollingCatcher(() => undefined, list);
    },
  };
  return impl;
}
