/** Re-exports for aio-error.test.ts, plus EISDIR from the errno table. */
import { errnoNumber } from '../index.js';
export { Aiocb, aio_read, aio_error, aio_error64, aio_suspend, errno, EBADF, EINPROGRESS, EINVAL } from '../index.js';
/** EISDIR's Linux value, from the one errno table. */
export const EISDIR_VALUE = errnoNumber('EISDIR') as number;
