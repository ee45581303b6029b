/**
 * The i386 `struct aiocb` living in a 32-bit arena: the small API through which the POSIX AIO
 * layer submits a 32-bit program's request and makes its status visible in the 32-bit fields.
 * Offsets come from layouts.ts (AIOCB32, SIGEVENT32), checked against `gcc -m32`.
 */
import { contains32, type Space32 } from './arena.js';
import { ConversionError, hex32 } from './errors.js';
import { AIOCB32, SIGEVENT32 } from './layouts.js';

/** The i386 `struct sigevent` fields, as plain numbers (pointers are 32-bit addresses). */
export interface Sigevent32 {
  /** sigev_value (an int or a 32-bit pointer, as stored). */
  readonly value: number;
  /** sigev_signo: the signal number to send. */
  readonly signo: number;
  /** sigev_notify: the notification method (`SIGEV_*`). */
  readonly notify: number;
  /** sigev_notify_function: the 32-bit address of the SIGEV_THREAD callback. */
  readonly notifyFunction: number;
  /** sigev_notify_attributes: the 32-bit address of the SIGEV_THREAD `pthread_attr_t`. */
  readonly notifyAttributes: number;
  /** The thread id for SIGEV_THREAD_ID (shares its word with notifyFunction). */
  readonly threadId: number;
}

/** The i386 `struct aiocb` fields, as plain numbers. */
export interface Aiocb32 {
  /** The aiocb's 32-bit address. */
  readonly address: number;
  /** aio_fildes: the file descriptor. */
  readonly fd: number;
  /** aio_lio_opcode: the lio_listio operation (`LIO_*`). */
  readonly lioOpcode: number;
  /** aio_reqprio: the request priority offset. */
  readonly reqprio: number;
  /** aio_buf: a 32-bit address in the arena. */
  readonly buf: number;
  /** aio_nbytes: the transfer length in bytes. */
  readonly nbytes: number;
  /**
   * aio_offset, 64-bit: a number up to 2^53 − 1, a bigint beyond, so that the offset submitted is
   * the one the program wrote (a number would round 2^63 − 100 up to 2^63, which pread64 refuses).
   */
  readonly offset: number | bigint;
  /** aio_sigevent: how completion is notified. */
  readonly sigevent: Sigevent32;
  /** glibc's `__error_code`: 0, EINPROGRESS, ECANCELED or a positive errno. */
  readonly errorCode: number;
  /** glibc's `__return_value`: the call's result (-1 on error), as a signed 32-bit value. */
  readonly returnValue: number;
}

const F = AIOCB32.fields;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const S = SIGEVENT32.fields;

function locate(space: Space32, address: number): number {
  if (address % 4 !== 0) throw new ConversionError(-1, address, 'aiocb', 'EINVAL', `aiocb ${hex32(address)} is not 4-byte aligned`);
  if (!contains32(space, address, AIOCB32.size)) {
    throw new ConversionError(-1, address, 'aiocb', 'EFAULT', `aiocb ${hex32(address)} (${AIOCB32.size} bytes) lies outside the 32-bit memory`);
  }
  return address - space.base;
}

/**
 * readAiocb32 - the fields of the i386 aiocb at a 32-bit address.
 *
 * @param space - the arena (or any 32-bit memory) holding it.
 * @param address - its 32-bit address.
 * @returns the fields; `buf` is checked to lie in `space` for `nbytes` bytes.
 * @throws ConversionError: EINVAL (misaligned aiocb or negative aio_offset), EFAULT (aiocb or
 *   its buffer outside the 32-bit memory).
 * @example
 * ```ts
 * const request = readAiocb32(arena, 0xc0000100);
 * engine.runChain(buildPread(request.fd, request.buf, request.nbytes, request.offset));
 * ```
 */
export function readAiocb32(space: Space32, address: number): Aiocb32 {
  const at = locate(space, address);
  const view = space.view;
  const s = at + F.aio_sigevent.offset;
  const offset = view.getBigInt64(at + F.aio_offset.offset, true);
  if (offset < 0n) throw new ConversionError(-1, address, 'aio_offset', 'EINVAL', `negative offset ${offset}`);
  const buf = view.getUint32(at + F.aio_buf.offset, true);
  const nbytes = view.getUint32(at + F.aio_nbytes.offset, true);
  if (nbytes > 0 && !contains32(space, buf, nbytes)) {
    throw new ConversionError(-1, address, 'aio_buf', 'EFAULT', `buffer ${hex32(buf)} (${nbytes} bytes) lies outside the 32-bit memory`);
  }
  return {
    address,
    fd: view.getInt32(at + F.aio_fildes.offset, true),
    lioOpcode: view.getInt32(at + F.aio_lio_opcode.offset, true),
    reqprio: view.getInt32(at + F.aio_reqprio.offset, true),
    buf,
    nbytes,
    offset: offset <= MAX_SAFE ? Number(offset) : offset,
    sigevent: {
      value: view.getUint32(s + S.sigev_value.offset, true),
      signo: view.getInt32(s + S.sigev_signo.offset, true),
      notify: view.getInt32(s + S.sigev_notify.offset, true),
      notifyFunction: view.getUint32(s + S.sigev_notify_function.offset, true),
      notifyAttributes: view.getUint32(s + S.sigev_notify_attributes.offset, true),
      threadId: view.getInt32(s + S.sigev_notify_thread_id.offset, true),
    },
    errorCode: view.getInt32(at + F.__error_code.offset, true),
    returnValue: view.getInt32(at + F.__return_value.offset, true),
  };
}

/**
 * writeAiocb32Status - publish a request's outcome in the i386 aiocb: `__return_value` first,
 * then `__error_code`, because aio_error() polls the error code and aio_return() must then
 * find its value already there (the same order as the engine's aio_status call).
 *
 * @param space - the arena holding the aiocb.
 * @param address - its 32-bit address.
 * @param errorCode - 0, EINPROGRESS, ECANCELED or an errno (positive).
 * @param returnValue - the call's result (-1 on error), stored as a 32-bit ssize_t.
 * @throws ConversionError (EINVAL/EFAULT) as {@link readAiocb32}.
 * @example writeAiocb32Status(arena, request.address, 0, 4096);
 */
export function writeAiocb32Status(space: Space32, address: number, errorCode: number, returnValue: number): void {
  const at = locate(space, address);
  space.view.setInt32(at + F.__return_value.offset, returnValue | 0, true);
  space.view.setInt32(at + F.__error_code.offset, errorCode | 0, true);
}

/**
 * aiocb32StatusAddresses - the 32-bit addresses of `__error_code` and `__return_value`, for a
 * chain's aio_status atom (with width 4) to write the status itself at completion.
 *
 * @param address - the aiocb's 32-bit address.
 * @returns both field addresses.
 */
export function aiocb32StatusAddresses(address: number): {
  /** The 32-bit address of `__error_code`. */
  readonly errorCode: number;
  /** The 32-bit address of `__return_value`. */
  readonly returnValue: number;
} {
  return { errorCode: address + F.__error_code.offset, returnValue: address + F.__return_value.offset };
}
