/**
 * The canned syslets behind POSIX AIO. Each is the operation itself plus a syslet-private
 * `aio_status` atom that turns the one-word result into the aiocb's (__error_code,
 * __return_value) pair — so the final status is already visible to whatever runs after it in the
 * chain (a notify.signal atom, composed on the end) and to aio_error() the moment the chain ends.
 *
 * Parameters shared by all of them: `fd`, and `error_code` / `return_value` (the addresses of the
 * aiocb's status fields); `width` is 8 for x86-64 aiocbs and 4 for i386 ones (compat32).
 */
import { defineBuiltinPlugin } from '../plugin.js';

const status = (operation: number) => ({
  call: 'aio_status',
  args: [{ resultRef: operation }, { param: 'error_code' }, { param: 'return_value' }, { param: 'width' }],
}) as const;

/** aio.read: pread64(fd, buf, nbytes, offset), then publish the status. */
export const aioRead = defineBuiltinPlugin({
  name: 'aio.read',
  description: 'POSIX aio_read: pread64 at aio_offset, status into the aiocb',
  params: { fd: 'fd', buf: 'ptr', nbytes: 'size', offset: 'off64', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'pread64', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'nbytes' }, { param: 'offset' }] }, status(0)],
});

/** aio.readStream: read(fd, buf, nbytes) for pipes and sockets (pread64 gives ESPIPE there, as in glibc). */
export const aioReadStream = defineBuiltinPlugin({
  name: 'aio.readStream',
  description: 'POSIX aio_read on a pipe or socket: read(), status into the aiocb',
  params: { fd: 'fd', buf: 'ptr', nbytes: 'size', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'read', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'nbytes' }] }, status(0)],
});

/** aio.write: pwrite64(fd, buf, nbytes, offset) (Linux appends regardless of offset on O_APPEND fds). */
export const aioWrite = defineBuiltinPlugin({
  name: 'aio.write',
  description: 'POSIX aio_write: pwrite64 at aio_offset, status into the aiocb',
  params: { fd: 'fd', buf: 'ptr', nbytes: 'size', offset: 'off64', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'pwrite64', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'nbytes' }, { param: 'offset' }] }, status(0)],
});

/** aio.writeStream: write(fd, buf, nbytes) for pipes and sockets. */
export const aioWriteStream = defineBuiltinPlugin({
  name: 'aio.writeStream',
  description: 'POSIX aio_write on a pipe or socket: write(), status into the aiocb',
  params: { fd: 'fd', buf: 'ptr', nbytes: 'size', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'write', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'nbytes' }] }, status(0)],
});

/** aio.fsync: fsync(fd) (aio_fsync with O_SYNC). */
export const aioFsync = defineBuiltinPlugin({
  name: 'aio.fsync',
  description: 'POSIX aio_fsync(O_SYNC): fsync, status into the aiocb',
  params: { fd: 'fd', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'fsync', args: [{ param: 'fd' }] }, status(0)],
});

/** aio.fdatasync: fdatasync(fd) (aio_fsync with O_DSYNC). */
export const aioFdatasync = defineBuiltinPlugin({
  name: 'aio.fdatasync',
  description: 'POSIX aio_fsync(O_DSYNC): fdatasync, status into the aiocb',
  params: { fd: 'fd', error_code: 'ptr', return_value: 'ptr', width: 'uint' },
  atoms: [{ call: 'fdatasync', args: [{ param: 'fd' }] }, status(0)],
});
