/**
 * openPipe - a pipe made with pipe2(2) through the library's own FFI boundary, for tests that
 * need a read end that blocks until they write (a chain parked on a cachemiss thread or in the
 * ring) without going through Node's streams, which would set O_NONBLOCK or read the pipe
 * themselves. Child scripts import it by URL: `helperUrl('pipe')`.
 *
 * @param flags - pipe2 flags; O_CLOEXEC by default (add O_NONBLOCK for a non-blocking pair).
 * @returns the two descriptors, `reader` and `writer`; the caller closes them.
 * @throws Error naming the errno when pipe2 fails (EMFILE, ENFILE).
 */
import { addressOf, errnoName, syscall } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import { O_CLOEXEC } from '../../engine/syscalls/constants.generated.js';

export interface PipeEnds {
  readonly reader: number;
  readonly writer: number;
}

export function openPipe(flags: number = O_CLOEXEC): PipeEnds {
  const pair = Buffer.alloc(8);
  const result = syscall(NR.pipe2, addressOf(pair), flags);
  if (result !== 0) throw new Error(`pipe2: ${errnoName(result)}`);
  return { reader: pair.readInt32LE(0), writer: pair.readInt32LE(4) };
}
