/**
 * The inline path's non-blocking probes: a call that may block is first made in a form that
 * cannot (preadv2/pwritev2 with RWF_NOWAIT, MSG_DONTWAIT, a zero-timeout ppoll, openat2 with
 * RESOLVE_CACHED); "would block" becomes {@link HANDOFF} and the chain moves on to the io_uring
 * engine or a cachemiss thread. A short positional read is finished here while the rest comes
 * without blocking. Split from executor.ts (which decides when to probe) by job.
 */
import * as nativeExports from './native/index.js';
import type { Word } from './native/index.js';
import * as compiledTableExports from './compiled-table.js';
import type { CompiledSyscall } from './compiled-table.js';
import * as confinementExports from './confinement.js';
import type { Confinement } from './confinement.js';
import * as abiExports from './syscalls/abi.js';
import * as nrExports from './syscalls/nr.js';
import * as wordsExports from './words.js';
import * as constantsGeneratedExports from './syscalls/constants.generated.js';
import * as fdTypeExports from './fd-type.js';
import * as openProbeExports from './open-probe.js';
import * as remoteMountsExports from './remote-mounts.js';
import type { ExecutorOptions } from './executor-types.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: the probe is made once per cached read).
const { syscall, preadv2, EAGAIN, EINTR, EINVAL, EOPNOTSUPP } = nativeExports;
const { PROBE } = compiledTableExports;
const { PRIVATE_LAYOUT } = confinementExports;
const { RESOLVE_CACHED, RWF_NOWAIT } = abiExports;
const { NR } = nrExports;
const { setWord } = wordsExports;
const { fileTypeOf, typedDevice } = fdTypeExports;
const { OPEN_WOULD_BLOCK, probeOpenFlags, settleProbedOpen } = openProbeExports;
const { ON_REMOTE_MOUNT, openat2OffRemote, rememberLocalFd } = remoteMountsExports;
const { MSG_DONTWAIT, MSG_WAITALL, O_CREAT, O_TMPFILE, POLLIN, SEEK_CUR, S_IFBLK, S_IFCHR, S_IFIFO, S_IFREG } = constantsGeneratedExports;
// The probe kinds as numbers (a field of an imported object is a map check and a load a use).
const PROBE_RWF_READ = PROBE.rwfRead;
const PROBE_RWF_WRITE = PROBE.rwfWrite;
const PROBE_DONTWAIT = PROBE.dontwait;
const PROBE_POLL_IN = PROBE.pollIn;
const PROBE_RESOLVE_CACHED = PROBE.resolveCached;
const PROBE_ZERO_TIMEOUT = PROBE.zeroTimeout;
const PRIVATE_PROBE = PRIVATE_LAYOUT.probe;
const PRIVATE_IOVECS = PRIVATE_LAYOUT.iovecs;

const SYS_preadv2 = NR.preadv2;
const SYS_pwritev2 = NR.pwritev2;
const SYS_ppoll = NR.ppoll;
const SYS_lseek = NR.lseek;
/** struct stat (x86-64), for the fstat that tells a descriptor's kind by its st_mode. */

/** Descriptor numbers whose EOPNOTSUPP write probes are remembered (a 64 KiB table per executor). */
const WRITE_SKIP_FDS = 1 << 16;
/** Writes handed off without a probe after one that answered EOPNOTSUPP. */
const WRITE_SKIPS = 64;

/** Marker result: the call would block, hand the chain off. */
export const HANDOFF = Symbol('handoff');

/**
 * The most bytes one read or write is made inline (on the event loop's thread). A cached read
 * of 200 MB copied in one preadv2(RWF_NOWAIT) held the event loop for 171-178 ms (Node's
 * readFile of it: longest gap 3.6-9 ms, its thread pool reading 512 KiB at a time); a larger
 * call goes to the cachemiss engine whole (io_uring with IOSQE_ASYNC: an io-wq worker copies),
 * so one call holds the loop for about a millisecond at most.
 */
export const INLINE_COPY_BYTES = 1 << 20;
const INLINE_COPY_BIGINT = BigInt(INLINE_COPY_BYTES);

/** One executor's probes, on the probe scratch of its private block (see engine/confinement.ts). */
export class Prober {
  // Probe scratch: an iovec, an open_how, a pollfd and a zero timespec, in the private block.
  readonly #scratch: DataView;
  readonly #scratchAddress: number;
  readonly #confinement: Confinement;
  readonly #unprobeableWrite: ExecutorOptions['unprobeableWrite'];
  /**
   * Per descriptor number below {@link WRITE_SKIP_FDS}: how many more writes hand off without a
   * RWF_NOWAIT probe, because the last probe answered EOPNOTSUPP (ext4 and most file systems
   * refuse buffered NOWAIT writes, so on them every write's probe is a failed syscall: 0.72 µs in
   * C, ~1 µs with the FFI, out of 2.5-3 µs a cached aio_write). The memory is a hint, not a fact
   * about the file: the program may close the number and get it again for a pipe, which the
   * engine cannot see (and an fstat to tell costs as much as the probe it saves). A stale hint
   * costs only speed — a handed-off write is the same call made where it may block — and it runs
   * out after {@link WRITE_SKIPS} writes, when the probe is made again. (The io_uring engine keeps
   * the same kind of memory for reads that keep missing the page cache: uring-probe-memory.ts.)
   */
  readonly #writeSkips = new Uint8Array(WRITE_SKIP_FDS);
  /** Set when a short RWF_NOWAIT preadv moved the private iovecs on (they no longer describe the call); the caller clears it. */
  iovecsAdvanced = false;
  /**
   * Set when a write handed off on the memory of an earlier EOPNOTSUPP, with no probe made: the
   * handoff then says nothing about the fd (a probe refused with ESPIPE would have shown a pipe;
   * a stale hint for a reused number must not let the ring write "at an offset" on one). The
   * caller clears it.
   */
  writeProbeSkipped = false;
  /**
   * Set when an open's probe found a FIFO or a device (open-probe.ts): the open is made on a
   * cachemiss thread, never by the ring, whose inline try adds O_NONBLOCK. The caller clears it.
   */
  openNeedsThread = false;

  /**
   * @param confinement - the executor's confinement: its private block holds the scratch, and
   *   its copied iovecs are what a short preadv continues on.
   * @param unprobeableWrite - what a write does when RWF_NOWAIT cannot be probed (ExecutorOptions).
   */
  constructor(confinement: Confinement, unprobeableWrite: ExecutorOptions['unprobeableWrite']) {
    this.#confinement = confinement;
    this.#scratch = confinement.view;
    this.#scratchAddress = confinement.address + PRIVATE_PROBE;
    this.#unprobeableWrite = unprobeableWrite;
  }

  /**
   * probe - try the non-blocking form of a may-block call.
   *
   * @param compiled - the call's compiled row (its probe kind, iovec and offset arguments).
   * @param nr - the call's number.
   * @param args - its checked argument values (a MSG_DONTWAIT probe changes one and puts it back).
   * @returns the call's result, or {@link HANDOFF} when it would block.
   */
  probe(compiled: CompiledSyscall, nr: number, args: Word[]): number | typeof HANDOFF {
    const scratch = this.#scratch;
    const at = this.#scratchAddress;
    switch (compiled.probe) {
      case PROBE_RWF_READ:
      case PROBE_RWF_WRITE: {
        const write = compiled.probe === PROBE_RWF_WRITE;
        let iov: Word;
        let count: Word;
        let position: Word;
        let extraFlags: Word = 0;
        if (compiled.iovArg >= 0) {
          iov = args[1] as Word;
          count = args[2] as Word;
          position = compiled.posArg >= 0 ? (args[compiled.posArg] as Word) : -1;
          if (compiled.spec.name === 'preadv2' || compiled.spec.name === 'pwritev2') extraFlags = args[5] as Word;
        } else {
          // read(2)/write(2) of 0 bytes is answered by the file itself (EISDIR, EINVAL, ...), a
          // readv of 0 bytes is not: the thread makes the call as it is.
          if (args[2] === 0) return HANDOFF;
          setWord(scratch, 0, args[1] as Word);
          setWord(scratch, 8, args[2] as Word);
          iov = at;
          count = 1;
          position = compiled.posArg >= 0 ? (args[compiled.posArg] as Word) : -1;
        }
        // pread64(-1) must fail with EINVAL (at once: no probe); preadv2(-1) means "current
        // position" and is probed as a readv is (made as it is, it waited inline on an empty
        // blocking pipe, and the event loop with it).
        const currentV2 = position === -1 && (compiled.spec.name === 'preadv2' || compiled.spec.name === 'pwritev2');
        if (compiled.posArg >= 0 && !currentV2 && (typeof position === 'bigint' ? position < 0n : position < 0)) {
          return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        }
        const fd = args[0];
        // A write to a descriptor whose last probes answered EOPNOTSUPP hands off without another
        // (see #writeSkips). Never with unprobeableWrite 'inline' (that would make the write
        // inline unprobed, and a reused number may be a full pipe) nor a caller's own RWF_NOWAIT.
        const hinted = write && this.#unprobeableWrite === 'handoff' && typeof fd === 'number' && fd >= 0 && fd < WRITE_SKIP_FDS;
        if (hinted && extraFlags === 0) {
          const skips = this.#writeSkips[fd] as number;
          if (skips > 0) {
            this.#writeSkips[fd] = skips - 1;
            this.writeProbeSkipped = true;
            return HANDOFF;
          }
        }
        const flags = typeof extraFlags === 'bigint' ? extraFlags | BigInt(RWF_NOWAIT) : extraFlags | RWF_NOWAIT;
        // (A read through glibc's five-argument preadv2 when that is the same call: fewer FFI arguments.)
        const result = write ? syscall(SYS_pwritev2, fd, iov, count, position, 0, flags) : preadv2(fd as Word, iov, count, position, flags);
        // A caller's own RWF_NOWAIT makes the probe the call itself: its answer (EAGAIN,
        // EOPNOTSUPP, a short count) is the call's.
        if (extraFlags !== 0 && callerNowait(extraFlags)) return result;
        if (result === -EAGAIN) return HANDOFF;
        if (!write && result > 0 && typeof position === 'number') {
          // RWF_NOWAIT stops early where a blocking read goes on: at the first uncached page of a
          // file, or, in devices that copy in chunks (/dev/zero), whenever the task should
          // reschedule — so a short count says nothing about the end of the file. A short
          // positional read is continued here while the rest comes without blocking, until a read
          // returns 0 (the end); if the rest would block, the whole call is made again on a
          // cachemiss thread, which is safe because positional reads are idempotent. (A caller's
          // own RWF_NOWAIT asked for the short answer.) A short read at the file position
          // (position -1) is continued the same way on a file that keeps a position; if the rest
          // would block, the position is moved back by what was read and the whole call is made
          // again, as a positional one is (answering the part read instead returned 2 MiB of an
          // 8 MiB file whose tail was uncached: fuzz seed 1182217503 case 2342). On a stream (a
          // pipe, a socket: lseek answers ESPIPE) a short count is the syscall's own answer, and
          // another read could join two datagrams.
          if (compiled.iovArg < 0) {
            const wanted = args[2];
            if (typeof wanted === 'number' && result < wanted && (position >= 0 || keepsPosition(args[0] as Word))) return this.#finishShortRead(args, result, wanted, position);
          } else if (result < this.#confinement.iovecBytes && !callerNowait(extraFlags) && (position >= 0 || keepsPosition(args[0] as Word))) {
            return this.#finishShortReadv(args[0] as Word, result, position, flags);
          }
        }
        if (result === -EOPNOTSUPP) {
          if (hinted) this.#writeSkips[fd] = WRITE_SKIPS;
          if (write && this.#unprobeableWrite === 'inline') {
            return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
          }
          // A FIFO opened by its path (mkfifo's, or a pipe reached through /dev/stdin) refuses
          // RWF_NOWAIT (no FMODE_NOWAIT: only pipe(2)'s ends have it): a zero-timeout poll says
          // whether bytes (or the writer's end: the read answers 0) are there to read now, as the
          // poll_in probe does. Handed off, each 64 KiB of `cat file | node app` reading
          // /dev/stdin went through the ring and the event loop (readFile of 64 MB: 370-1,500 ms,
          // Node 140-280). (Another reader of the same FIFO could take the bytes between the two
          // calls, as with every poll_in probe: the read would then wait for more.)
          if (!write && position === -1 && fileTypeOf(fd as Word) === S_IFIFO) return this.#readIfReady(nr, args);
          return HANDOFF;
        }
        return result;
      }
      case PROBE_DONTWAIT: {
        const flagsArg = compiled.flagsArg;
        const original = args[flagsArg] as Word;
        // MSG_WAITALL asks to wait for the whole buffer: a DONTWAIT probe would return it short.
        if ((typeof original === 'number' ? original & MSG_WAITALL : Number(original & BigInt(MSG_WAITALL))) !== 0) return HANDOFF;
        if ((typeof original === 'number' ? original & MSG_DONTWAIT : original & BigInt(MSG_DONTWAIT)) !== 0 && original !== 0) {
          return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        }
        args[flagsArg] = typeof original === 'number' ? original | MSG_DONTWAIT : original | BigInt(MSG_DONTWAIT);
        const result = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        // The call is made later without the probe's MSG_DONTWAIT (by the ring, from these args).
        args[flagsArg] = original;
        return result === -EAGAIN ? HANDOFF : result;
      }
      case PROBE_POLL_IN:
        return this.#readIfReady(nr, args);
      case PROBE_ZERO_TIMEOUT: {
        // ppoll(fds, n, NULL, ...) made with a zero timeout: what it answers when something is
        // ready now (the revents it writes are the blocking call's), a hand-off when nothing is.
        // (A FIFO read's poll — file.pollRead — found its bytes waiting and still cost a thread's
        // or the ring's round trip: 170-340 µs a FileHandle.read of a FIFO with data.) Only
        // without a timeout: with one, the kernel writes the time left back, which the call made
        // later must do.
        if (args[2] !== 0 && args[2] !== 0n) return HANDOFF;
        setWord(scratch, 64, 0);
        setWord(scratch, 72, 0);
        const ready = syscall(nr, args[0], args[1], at + 64, args[3], args[4], 0);
        // EINTR is the probe's, not the call's: a signal with a handler reached this (the
        // JavaScript) thread during it, which the call made later on a cachemiss thread or in the
        // ring does not see. Answered, it ended a FIFO read EINTR (ESHUTDOWN in syslet-aio/fs)
        // under a signal storm (hunt30).
        return ready === 0 || ready === -EINTR ? HANDOFF : ready;
      }
      case PROBE_RESOLVE_CACHED: {
        const openFlags = Number(args[2]) >>> 0;
        // With O_NONBLOCK added (open-probe.ts): a FIFO's or a device's open may wait even when
        // the whole path is in the dcache.
        const probeFlags = probeOpenFlags(openFlags);
        // struct open_how { u64 flags; u64 mode; u64 resolve; } — openat2 insists mode is 0
        // unless the call creates a file.
        setWord(scratch, 16, probeFlags);
        setWord(scratch, 24, (openFlags & (O_CREAT | O_TMPFILE)) !== 0 ? Number(args[3]) & 0o7777 : 0);
        setWord(scratch, 32, RESOLVE_CACHED);
        // Not made on a FUSE, NFS... mount (remote-mounts.ts): its open (and the fstat or read a
        // chain makes next, inline) waits for the server however cached the path is. A cachemiss
        // thread opens it: the ring's inline try of an OPENAT would wait in the submitting thread.
        const result = openat2OffRemote(args[0] as Word, args[1] as Word, openFlags, scratch, 16, at + 16);
        if (result === ON_REMOTE_MOUNT) {
          this.openNeedsThread = true;
          return HANDOFF;
        }
        // EAGAIN: not all in the dcache (or a lease O_NONBLOCK would not wait for). EINVAL/ENOSYS:
        // openat2 is stricter or missing; the real openat decides, on a cachemiss thread.
        if (result === -EAGAIN || result === -EINVAL || result === -38) return HANDOFF;
        const settled = settleProbedOpen(result, openFlags, probeFlags);
        // The fd settleProbedOpen kept was just asked its type by statx, whose st_dev tells its
        // mount: the run's fstat and close of it need no check of their own (remote-mounts.ts).
        if (settled >= 0 && probeFlags !== openFlags) rememberLocalFd(settled, typedDevice(settled));
        if (settled !== OPEN_WOULD_BLOCK) return settled;
        // A FIFO or a device: a cachemiss thread makes the open as the caller wrote it (the ring
        // would try it with O_NONBLOCK first, and answer a FIFO's fd without waiting for its writer).
        this.openNeedsThread = true;
        return HANDOFF;
      }
      default:
        return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    }
  }

  /**
   * tooLargeInline - whether a probed read or write moves more than {@link INLINE_COPY_BYTES}:
   * then it is not tried inline (nor by the ring in the submitting thread) at all, however cached
   * its data. A caller's own RWF_NOWAIT keeps the call as it is (its answer is the probe's).
   * Asked after the confinement check, which summed a vector call's iovecs.
   */
  tooLargeInline(compiled: CompiledSyscall, args: readonly Word[]): boolean {
    if (compiled.iovArg < 0) {
      const count = args[2];
      return typeof count === 'bigint' ? count > INLINE_COPY_BIGINT : (count as number) > INLINE_COPY_BYTES;
    }
    if (this.#confinement.iovecBytes <= INLINE_COPY_BYTES) return false;
    return !((compiled.spec.name === 'preadv2' || compiled.spec.name === 'pwritev2') && callerNowait(args[5] as Word));
  }

  /** Completes a short RWF_NOWAIT pread without blocking, or hands the whole call off. */
  /** The call made now if a zero-timeout ppoll finds args[0] readable (POLLIN, or its peer gone), else HANDOFF. */
  #readIfReady(nr: number, args: Word[]): number | typeof HANDOFF {
    const scratch = this.#scratch;
    const at = this.#scratchAddress;
    scratch.setInt32(48, Number(args[0]), true);
    scratch.setInt16(52, POLLIN, true);
    scratch.setInt16(54, 0, true);
    setWord(scratch, 64, 0);
    setWord(scratch, 72, 0);
    const ready = syscall(SYS_ppoll, at + 48, 1, at + 64, 0, 8);
    // Not ready, or the poll said nothing: EINTR when a signal with a handler reached this (the
    // JavaScript) thread during the ppoll (hunt30). Making the call then waited inline, in read(2)
    // of an empty FIFO, until its writer wrote: timers and I/O stopped (a 400 ms gap per pause).
    if (ready <= 0) return HANDOFF;
    return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  }

  #finishShortRead(args: Word[], done: number, wanted: number, position: number): number | typeof HANDOFF {
    const scratch = this.#scratch;
    const buffer = args[1] as number;
    let total = done;
    while (total < wanted) {
      setWord(scratch, 0, buffer + total);
      setWord(scratch, 8, wanted - total);
      const more = syscall(SYS_preadv2, args[0], this.#scratchAddress, 1, position < 0 ? -1 : position + total, 0, RWF_NOWAIT);
      if (more === 0) return total;
      if (more < 0) return more === -EAGAIN && (position >= 0 || rewound(args[0] as Word, total)) ? HANDOFF : total;
      total += more;
    }
    return total;
  }

  /**
   * Completes a short RWF_NOWAIT preadv/preadv2 the same way, on the private copy of its iovecs
   * (advanced past what was read), or hands the whole call off.
   */
  #finishShortReadv(fd: Word, done: number, position: number, flags: Word): number | typeof HANDOFF {
    const confinement = this.#confinement;
    const total = confinement.iovecBytes;
    const count = confinement.iovecCount;
    const iovecs = confinement.address + PRIVATE_IOVECS;
    let sum = done;
    this.iovecsAdvanced = true;
    let first = confinement.advanceIovecs(0, done);
    while (sum < total && first < count) {
      const more = syscall(SYS_preadv2, fd, iovecs + first * 16, count - first, position < 0 ? -1 : position + sum, 0, flags);
      if (more === 0) return sum;
      if (more < 0) return more === -EAGAIN && (position >= 0 || rewound(fd, sum)) ? HANDOFF : sum;
      sum += more;
      first = confinement.advanceIovecs(first, more);
    }
    return sum;
  }
}

/**
 * Whether `fd` is a file that keeps a position a short read can be continued at: a regular file,
 * a block device, or a character device that seeks (/dev/zero). Not a stream (lseek: ESPIPE), nor
 * an eventfd or a timerfd (no file type; lseek answers 0, but each read takes a count). Asked only
 * after a short read, so a full one costs nothing.
 */
function keepsPosition(fd: Word): boolean {
  const type = fileTypeOf(fd);
  return type === S_IFREG || type === S_IFBLK || (type === S_IFCHR && syscall(SYS_lseek, fd, 0, SEEK_CUR) >= 0);
}

/**
 * Moves the file position of `fd` back by the `done` bytes a short read at the file position
 * took, so that the whole read can be made again where it would block. The file keeps a position
 * ({@link keepsPosition}); where lseek refuses anyway, the short count stays the answer.
 */
function rewound(fd: Word, done: number): boolean {
  return syscall(SYS_lseek, fd, -done, SEEK_CUR) >= 0;
}

/** Whether a preadv2's own flags already ask for RWF_NOWAIT (then a short count is the answer). */
function callerNowait(flags: Word): boolean {
  return typeof flags === 'bigint' ? (flags & BigInt(RWF_NOWAIT)) !== 0n : (flags & RWF_NOWAIT) !== 0;
}
