/**
 * The kind of file an fd names now, for the rules that depend on it: which positional calls the
 * ring may make (uring-fd-rules.ts), whether a short read can be continued at its position
 * (probe.ts), whether a cachemiss thread's watchdog may interrupt a read (cachemiss-watchdog.ts).
 * Each asks the kernel when the call runs, never from memory: the program may close a number and
 * get it again for another kind of file.
 */
import { allocNative, syscall, type Word } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { STRUCT_SIZES } from './syscalls/table.js';
import { STAT_X86_64 } from './syscalls/stat-layouts.js';
import { S_IFMT } from './syscalls/constants.generated.js';

const SYS_fstat = NR.fstat;
const ST_MODE = STAT_X86_64.st_mode;
// Allocated with the module, not at the first call: native memory that appeared in the middle of a
// run read as growth in P6's check (144 B between 100k and 1M requests).
const statBlock = allocNative(STRUCT_SIZES.stat, 8);
const statView = new DataView(statBlock.buffer);

/**
 * fileTypeOf - the file type of `fd` now (st_mode & S_IFMT: S_IFREG, S_IFIFO, S_IFSOCK...), by
 * fstat(2).
 *
 * @param fd - the descriptor (a bigint is never one).
 * @returns the type bits, or -1 when fstat refuses the number (EBADF...).
 * @example
 * ```ts
 * const isPipe = fileTypeOf(fd) === S_IFIFO;
 * ```
 */
export function fileTypeOf(fd: Word): number {
  if (typeof fd !== 'number' || syscall(SYS_fstat, fd, statBlock.address) !== 0) return -1;
  return statView.getUint32(ST_MODE, true) & S_IFMT;
}
