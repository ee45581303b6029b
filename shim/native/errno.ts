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

/** Linux errno values used by name in the library (the full list is {@link ERRNO_LIST}). */
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const ERANGE = 34;
export const EDEADLK = 35;
export const ENOSYS = 38;
export const ELOOP = 40;
export const EOPNOTSUPP = 95;
export const ESHUTDOWN = 108;
export const EINPROGRESS = 115;
export const ECANCELED = 125;
export const EOWNERDEAD = 130;

export { ERRNO_LIST };
