/**
 * The errno table's lookups as the package exports them: the arguments checked first (a coded
 * ERR_INVALID_ARG_TYPE, never V8's own error from inside the lookup), a one-word result taken as
 * a number or a bigint. The table and the unchecked lookups the library uses internally stay in
 * engine/native/errno.ts.
 */
import * as table from './native/errno.js';
import { invalidArgType } from './arguments.js';

/** The errno a number or bigint word names (its sign ignored), as a number. */
function errnoOf(errno: unknown): number {
  if (typeof errno === 'number') return errno;
  if (typeof errno === 'bigint') return Number(errno < 0n ? -errno : errno);
  throw invalidArgType('errno', 'of type number or bigint', errno);
}

/**
 * errnoName - the symbolic name of an errno.
 *
 * @param errno - a positive errno, or a negative one-word result, as a number or a bigint (its
 *   sign is ignored).
 * @returns e.g. `'EBADF'`, or `'E?'+n` for a number the kernel does not define.
 * @throws TypeError ERR_INVALID_ARG_TYPE for anything but a number or a bigint.
 * @example errnoName(-9) === 'EBADF'
 */
export function errnoName(errno: number | bigint): string {
  return table.errnoName(errnoOf(errno));
}

/**
 * errnoMessage - the kernel's message for an errno (sign ignored), like strerror(3).
 *
 * @param errno - as {@link errnoName}.
 * @returns e.g. `'Bad file descriptor'`, or `'Unknown error n'`.
 * @throws TypeError ERR_INVALID_ARG_TYPE for anything but a number or a bigint.
 * @example errnoMessage(9) === 'Bad file descriptor'
 */
export function errnoMessage(errno: number | bigint): string {
  return table.errnoMessage(errnoOf(errno));
}

/**
 * errnoNumber - the number of an errno name.
 *
 * @param name - e.g. `'EBADF'`.
 * @returns the number, or undefined when there is none.
 * @throws TypeError ERR_INVALID_ARG_TYPE when `name` is not a string.
 * @example errnoNumber('EBADF') === 9
 */
export function errnoNumber(name: string): number | undefined {
  if (typeof name !== 'string') throw invalidArgType('name', 'of type string', name);
  return table.errnoNumber(name);
}
