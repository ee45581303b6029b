/**
 * Paths as the kernel takes them: a C string in one of a request slot's path buffers
 * (requests.ts), refused before any call when it cannot be one (too long, or a NUL inside).
 */
import { EINVAL, ENAMETOOLONG } from '../engine/native/index.js';

/** PATH_MAX: the longest path the kernel accepts, NUL included. */
export const PATH_BYTES = 4096;

const encoder = new TextEncoder();
/**
 * A string of at most this many UTF-16 units always fits a path buffer with its NUL: UTF-8 takes
 * at most 3 bytes per unit (a surrogate pair is 4 bytes for 2 units, a lone surrogate becomes the
 * 3-byte U+FFFD).
 */
const SURE_FIT_UNITS = Math.floor((PATH_BYTES - 1) / 3);

/**
 * putPath - copy a path into a slot's path buffer as a C string.
 *
 * @returns 0 when it fits; ENAMETOOLONG when it does not (PATH_MAX bytes with the NUL), EINVAL
 *   for a NUL inside it (which would silently shorten the path).
 */
export function putPath(target: Uint8Array, path: string | Uint8Array): number {
  let length: number;
  if (typeof path === 'string') {
    if (path.includes('\0')) return EINVAL;
    if (path.length <= SURE_FIT_UNITS && target instanceof Buffer) {
      // Every path a server uses: written in place, where encodeInto needed a subarray view and
      // a result object per call (about 1 % of a cached stat's CPU). Buffer.write replaces lone
      // surrogates with U+FFFD as encodeInto does.
      length = target.write(path, 0, 'utf8');
      target[length] = 0;
      return 0;
    }
    const { read, written } = encoder.encodeInto(path, target.subarray(0, PATH_BYTES - 1));
    if (read !== path.length) return ENAMETOOLONG;
    length = written;
  } else {
    if (path.length >= PATH_BYTES) return ENAMETOOLONG;
    if (path.includes(0)) return EINVAL;
    target.set(path);
    length = path.length;
  }
  target[length] = 0;
  return 0;
}
