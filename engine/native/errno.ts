/**
 * The one errno table. Numbers, names and messages come from the kernel headers through
 * errno.generated.ts; everything in the library that needs an errno name or message asks here.
 */
import { ERRNO_LIST } from './errno.generated.js';

const names = new Map<number, string>();
const messages = new Map<number, string>();
const numbers = new Map<string, number>();
for (const [number, name, message] of ERRNO_LIST) {
  names.set(number, name);
  messages.set(number, message);
  numbers.set(name, number);
}
// POSIX aliases that the headers define in terms of another name.
numbers.set('EWOULDBLOCK', 11);
numbers.set('EDEADLOCK', 35);
numbers.set('ENOTSUP', 95);

/**
 * errnoName - the symbolic name of an errno.
 *
 * @param errno - a positive errno, or a negative one-word result (its sign is ignored).
 * @returns e.g. `'EBADF'`, or `'E?'+n` for a number the kernel does not define.
 * @example errnoName(-9) === 'EBADF'
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return names.get(n) ?? `E?${n}`;
}

/** errnoMessage - the kernel's message for an errno (sign ignored), like strerror(3). */
export function errnoMessage(errno: number): string {
  const n = Math.abs(errno);
  return messages.get(n) ?? `Unknown error ${n}`;
}

/** errnoNumber - the number of an errno name, or undefined when there is none. */
export function errnoNumber(name: string): number | undefined {
  return numbers.get(name);
}

/** errnoOf - the number of an errno name the kernel headers define (the generated list). */
function errnoOf(name: string): number {
  const number = numbers.get(name);
  if (number === undefined) throw new Error(`errno ${name} is not in the kernel headers' list`);
  return number;
}

/**
 * Linux errno values used by name in the library, taken from the one generated list
 * ({@link ERRNO_LIST}) rather than typed again.
 */
export const EPERM = errnoOf('EPERM');
export const ENOENT = errnoOf('ENOENT');
export const ENFILE = errnoOf('ENFILE');
export const EMFILE = errnoOf('EMFILE');
export const ESRCH = errnoOf('ESRCH');
export const EINTR = errnoOf('EINTR');
export const EIO = errnoOf('EIO');
export const EBADF = errnoOf('EBADF');
export const EAGAIN = errnoOf('EAGAIN');
export const ENOMEM = errnoOf('ENOMEM');
export const EFAULT = errnoOf('EFAULT');
export const EBUSY = errnoOf('EBUSY');
export const EEXIST = errnoOf('EEXIST');
export const EINVAL = errnoOf('EINVAL');
export const ENOSPC = errnoOf('ENOSPC');
export const ESPIPE = errnoOf('ESPIPE');
export const ERANGE = errnoOf('ERANGE');
export const EDEADLK = errnoOf('EDEADLK');
export const ENOSYS = errnoOf('ENOSYS');
export const ELOOP = errnoOf('ELOOP');
export const EOPNOTSUPP = errnoOf('EOPNOTSUPP');
export const ESHUTDOWN = errnoOf('ESHUTDOWN');
export const EINPROGRESS = errnoOf('EINPROGRESS');
export const ECANCELED = errnoOf('ECANCELED');
export const EOWNERDEAD = errnoOf('EOWNERDEAD');
export const EFBIG = errnoOf('EFBIG');
export const ENAMETOOLONG = errnoOf('ENAMETOOLONG');
export const ENXIO = errnoOf('ENXIO');
export const EISDIR = errnoOf('EISDIR');
export const ENOTDIR = errnoOf('ENOTDIR');
export const EXDEV = errnoOf('EXDEV');
export const EOVERFLOW = errnoOf('EOVERFLOW');
export const ETIME = errnoOf('ETIME');

export { ERRNO_LIST };
