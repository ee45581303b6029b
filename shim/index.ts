/**
 * The POSIX AIO shim's public surface, glibc-style: one module per function (rt/aio_*.c), one
 * request engine (requests.ts), one notification module (notify.ts), signal reception
 * (signals.ts), and the Promise twins. Internals (request records, fd queues) stay out.
 */
export {
  AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, AIO_PRIO_DELTA_MAX, AIOCB, EAGAIN, EBADF, ECANCELED, EFAULT, EINPROGRESS, EINTR, EINVAL, EIO,
  ENOSYS, ESPIPE, LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, O_APPEND, O_DSYNC, O_SYNC, SIGEVENT, SIGEV_NONE, SIGEV_SIGNAL,
  SIGEV_THREAD, SIGRTMAX, SIGRTMIN, SI_ASYNCIO, _POSIX_ASYNCHRONOUS_IO, _POSIX_PRIORITIZED_IO, _SC_AIO_LISTIO_MAX, _SC_AIO_MAX,
  _SC_AIO_PRIO_DELTA_MAX, _SC_ASYNCHRONOUS_IO, sysconf,
} from './constants.js';
export { Aiocb, Sigevent, type AioCompletion, type AiocbInit, type SigeventInit, type SigevNotifyFunction } from './aiocb.js';
export { aio_read, aio_read64 } from './aio_read.js';
export { aio_write, aio_write64 } from './aio_write.js';
export { aio_fsync, aio_fsync64 } from './aio_fsync.js';
export { aio_error, aio_error64 } from './aio_error.js';
export { aio_return, aio_return64 } from './aio_return.js';
export { aio_suspend, aio_suspend64, type AiocbListEntry, type Timespec } from './aio_suspend.js';
export { aio_cancel, aio_cancel64 } from './aio_cancel.js';
export { lio_listio, lio_listio64 } from './lio_listio.js';
export { aio_init, type AioInit } from './aio_init.js';
export { aioConfig, aioEngine, type AioConfig } from './context.js';
export { errno } from './errno.js';
export { receiveSignals, signalInterruptFd, drainSignals, type AioSignalInfo, type AioSignalHandler, type SignalReceiver } from './signals.js';
export { submitRaw, RawAioRequest, type RawSubmission } from './raw.js';
export {
  aio, read, write, fsync, suspend, listio, AioError, AioCanceledError, isAioError, type AioOptions, type AioTransferOptions, type FdLike, type ListioResult,
  type SuspendOptions,
} from './promises.js';
