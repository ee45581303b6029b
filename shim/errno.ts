/**
 * errno for the POSIX layer. C keeps it per thread; here there is one JS thread calling the
 * POSIX functions, so one module variable is the honest equivalent. Only a function that returns
 * -1 writes it (as in C, a successful call leaves it alone).
 */

let current = 0;

/**
 * errno - the error number the most recent failing POSIX AIO call set.
 *
 * @returns a positive Linux errno (EINVAL, EBADF, EAGAIN, EINTR, EIO...); whatever it was before
 *   when no call has failed since.
 * @example
 * ```ts
 * if (aio_read(cb) === -1) console.error(errnoName(errno()));
 * ```
 */
export function errno(): number {
  return current;
}

/** @internal setErrno - record `value` and return -1, the C failure convention, in one expression. */
export function failWith(value: number): -1 {
  current = value;
  return -1;
}

/** @internal setErrno - set errno without failing (lio_listio, aio_suspend paths that return -1 later). */
export function setErrno(value: number): void {
  current = value;
}
