/**
 * The syscall table's may-block calls as io_uring requests (koffi-free).
 *
 * For every call that may block there is either an opcode — with the indirect arguments the
 * engine copies into the request's own memory first, and a `prepare` that fills the SQE from the
 * atom's argument values as they were when it ran — or `none` with the reason the call stays on
 * cachemiss threads. Calls that never block run inline and need no opcode.
 *
 * `prepare` may also refuse one particular call (it returns the reason): the call then runs on a
 * thread as the syscall. That keeps every difference between an opcode and its syscall out of
 * the ring: pread64 with a negative offset must fail with EINVAL where IORING_OP_READ would read
 * at the file position; a sleep with an invalid timespec must fail with EINVAL; a length beyond
 * the SQE's 32 bits must not be truncated.
 */
import { IORING_FSYNC_DATASYNC, IORING_OP, IORING_TIMEOUT_ABS, IORING_TIMEOUT_BOOTTIME, IORING_TIMEOUT_REALTIME, type OpName, type Word } from './native/index.js';
import { MAX_RW_COUNT } from './syscalls/abi.js';
import { CLOCK_BOOTTIME, CLOCK_MONOTONIC, CLOCK_REALTIME } from './syscalls/constants.generated.js';

/** The SQE fields a call fills (every other field is zero). */
export interface SqeFields {
  opcode: number;
  fd: number;
  off: number;
  addr: number;
  len: number;
  opFlags: number;
  addr3: number;
  spliceFdIn: number;
}

/** newSqeFields - a reusable, zeroed field record. */
export function newSqeFields(): SqeFields {
  return { opcode: 0, fd: 0, off: 0, addr: 0, len: 0, opFlags: 0, addr3: 0, spliceFdIn: 0 };
}

/**
 * Indirect arguments the kernel reads after the atom's checks (at submission, or later): the
 * engine copies each into the request's own memory, checks the copy, and gives the kernel the
 * copy, so another chain changing the original in between cannot widen what the kernel touches.
 */
export const COPY = {
  /** An iovec array: `arg` the array, `count` its length argument; every entry is checked again. */
  iov: 1,
  /** A NUL-terminated path (at most PATH_MAX bytes with its NUL). */
  path: 2,
  /** A struct timespec (16 bytes), whose fields are checked as the syscall would. */
  timespec: 3,
  /** `count` bytes (struct open_how, a sockaddr): `count` is the argument holding the size. */
  sized: 4,
  /** A struct msghdr and its iovec array; the kernel writes namelen, controllen and flags back. */
  msghdr: 5,
  /** A socklen_t the kernel reads and writes when the call completes (accept4's *addrlen). */
  socklen: 6,
  /**
   * One struct pollfd (8 bytes): the SQE takes its fd and events (see {@link PolledFd}); the
   * events that came are written to the caller's revents when the request completes.
   */
  pollfd: 7,
} as const;

/** The fd and events of a {@link COPY.pollfd} copy, for the call's `prepare`. */
export interface PolledFd {
  readonly pollFd: number;
  readonly pollEvents: number;
}

/** One indirect argument to copy. */
export interface Copy {
  readonly kind: (typeof COPY)[keyof typeof COPY];
  /** The argument holding the pointer. */
  readonly arg: number;
  /** For `iov` the count argument; for `sized` the size argument; for `socklen` the buffer it sizes. */
  readonly count?: number;
  /** For `msghdr`: the kernel writes msg_namelen, msg_controllen and msg_flags back (recvmsg). */
  readonly writeBack?: boolean;
}

/** A call the ring can make. */
export interface RingCall {
  readonly op: OpName;
  /** First kernel with the opcode (the engine still asks IORING_REGISTER_PROBE). */
  readonly since: string;
  /** Indirect arguments copied first (their arguments then hold the copies' addresses). */
  readonly copies: readonly Copy[];
  /**
   * `'current'`: the call reads or writes at the file position. io_uring does not serialise the
   * position as read(2)/write(2) do (8 READs at offset -1 in flight on one file all read block
   * 0), so such calls go to the ring only on fds without one (pipes, sockets).
   * `'explicit'`: positional; on a pipe, socket or eventfd io_uring would ignore the offset
   * where the syscall fails with ESPIPE, and on a character device its non-blocking first try
   * may stop short where the syscall goes on, so such calls go to the ring only on regular files
   * and block devices (see positionAllows).
   */
  readonly position?: 'current' | 'explicit';
  /**
   * Fill `sqe` from the arguments (and, for a pollfd copy, the fd and events read from it);
   * return null, or the reason this call must not use the ring.
   */
  readonly prepare: (args: readonly Word[], sqe: SqeFields, copied?: PolledFd) => string | null;
  /**
   * The syscall's result from the CQE's res, where they differ: `'timeout'`, a timer's expiry
   * (-ETIME) is the sleep's success; `'poll'`, res is the events that came (they go to the
   * pollfd's revents) and the call answers 1, the one fd ready.
   */
  readonly result?: 'timeout' | 'poll';
  /**
   * The arguments holding fds that may be pipes, sockets or terminals. The syscall answers
   * -EAGAIN at once on such an fd opened O_NONBLOCK; io_uring arms a poll and waits for data.
   * So a call on a non-seekable O_NONBLOCK fd goes to a thread, which gets the syscall's answer.
   * (On a regular file O_NONBLOCK changes nothing, for the syscall or the ring.)
   */
  readonly streams?: readonly number[];
}

/** A call that stays on cachemiss threads, and why. */
export interface ThreadCall {
  readonly none: string;
}

/** read/write clamp their count to MAX_RW_COUNT; the SQE's len is 32 bits, so clamp the same way. */
const TIMER_ABSTIME = 1;

const BIGINT = 'a 64-bit argument beyond 2^53 (never a valid address or size here): made by the syscall';
// read(2) and write(2) hand a zero count to the file's own read/write, which answers as the file
// does (a directory EISDIR, an eventfd EINVAL, an unconnected UDP socket EDESTADDRREQ); a READ or
// WRITE of length 0 answers 0 without asking it.
const ZERO_LENGTH = 'a zero count: the file itself answers read(2)/write(2) of 0 bytes, the opcode answers 0';
// io_uring checks a v2 call's RWF_* flags its own way: RWF_HIPRI fails on a ring without IOPOLL
// where the syscall ignores it on buffered files, RWF_NOWAIT answers EAGAIN where the syscall
// answers EOPNOTSUPP, and a file the flags do not suit fails with another errno first.
const RWF_FLAGS = 'RWF_* flags: io_uring checks them in another order than the syscall, which makes them on a thread';

function fill(sqe: SqeFields, op: number, fd: number, off: number, addr: number, len: number, opFlags = 0, addr3 = 0, spliceFdIn = 0): null {
  sqe.opcode = op;
  sqe.fd = fd;
  sqe.off = off;
  sqe.addr = addr;
  sqe.len = len;
  sqe.opFlags = opFlags >>> 0;
  sqe.addr3 = addr3;
  sqe.spliceFdIn = spliceFdIn;
  return null;
}

/** The first `count` arguments as numbers, or null when one is a bigint. */
function numbers(args: readonly Word[], count: number): readonly number[] | null {
  for (let i = 0; i < count; i++) if (typeof args[i] !== 'number') return null;
  return args as readonly number[];
}

/** read/write at the file position, or at a non-negative offset. */
function rw(op: number, positional: boolean): RingCall['prepare'] {
  return (args, sqe) => {
    const a = numbers(args, positional ? 4 : 3);
    if (a === null) return BIGINT;
    const offset = positional ? (a[3] as number) : -1;
    if (positional && offset < 0) return 'negative offset: the syscall fails with EINVAL, the opcode would use the file position';
    if (a[2] === 0) return ZERO_LENGTH;
    return fill(sqe, op, a[0] as number, offset, a[1] as number, Math.min(a[2] as number, MAX_RW_COUNT));
  };
}

/** readv/writev family: `posArg` < 0 means "at the file position"; the v2 calls carry RWF_* flags. */
function rwv(op: number, posArg: number, flagsArg: number): RingCall['prepare'] {
  return (args, sqe) => {
    const a = numbers(args, Math.max(3, posArg + 1, flagsArg + 1));
    if (a === null) return BIGINT;
    // On x86-64, pos_l carries the whole offset (pos_from_hilo shifts pos_h out).
    const pos = posArg < 0 ? -1 : (a[posArg] as number);
    // preadv/pwritev refuse any negative offset; the v2 calls take -1 as "file position".
    if (posArg >= 0 && (pos < -1 || (pos === -1 && flagsArg < 0))) return 'negative offset: the syscall fails with EINVAL';
    if (flagsArg >= 0 && a[flagsArg] !== 0) return RWF_FLAGS;
    return fill(sqe, op, a[0] as number, pos, a[1] as number, a[2] as number, flagsArg < 0 ? 0 : (a[flagsArg]));
  };
}

const IOV = (arg: number, count: number): Copy => ({ kind: COPY.iov, arg, count });
const PATH = (arg: number): Copy => ({ kind: COPY.path, arg });

/** Every call the table says may block, by name. */
export const RING_CALLS: Readonly<Record<string, RingCall | ThreadCall>> = {
  read: { op: 'READ', since: '5.6', copies: [], position: 'current', streams: [0], prepare: rw(IORING_OP.READ, false) },
  write: { op: 'WRITE', since: '5.6', copies: [], position: 'current', streams: [0], prepare: rw(IORING_OP.WRITE, false) },
  pread64: { op: 'READ', since: '5.6', copies: [], position: 'explicit', prepare: rw(IORING_OP.READ, true) },
  pwrite64: { op: 'WRITE', since: '5.6', copies: [], position: 'explicit', prepare: rw(IORING_OP.WRITE, true) },
  readv: { op: 'READV', since: '5.1', copies: [IOV(1, 2)], position: 'current', streams: [0], prepare: rwv(IORING_OP.READV, -1, -1) },
  writev: { op: 'WRITEV', since: '5.1', copies: [IOV(1, 2)], position: 'current', streams: [0], prepare: rwv(IORING_OP.WRITEV, -1, -1) },
  preadv: { op: 'READV', since: '5.1', copies: [IOV(1, 2)], position: 'explicit', prepare: rwv(IORING_OP.READV, 3, -1) },
  pwritev: { op: 'WRITEV', since: '5.1', copies: [IOV(1, 2)], position: 'explicit', prepare: rwv(IORING_OP.WRITEV, 3, -1) },
  // -1 is the file position for the v2 calls: the engine looks at the offset (see positionOf).
  preadv2: { op: 'READV', since: '5.1', copies: [IOV(1, 2)], position: 'explicit', streams: [0], prepare: rwv(IORING_OP.READV, 3, 5) },
  pwritev2: { op: 'WRITEV', since: '5.1', copies: [IOV(1, 2)], position: 'explicit', streams: [0], prepare: rwv(IORING_OP.WRITEV, 3, 5) },
  openat: {
    op: 'OPENAT', since: '5.6', copies: [PATH(1)],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      return a === null ? BIGINT : fill(sqe, IORING_OP.OPENAT, a[0] as number, 0, a[1] as number, a[3] as number, a[2]);
    },
  },
  openat2: {
    op: 'OPENAT2', since: '5.6', copies: [PATH(1), { kind: COPY.sized, arg: 2, count: 3 }],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      // The open_how pointer goes in addr2 (the `off` word).
      return a === null ? BIGINT : fill(sqe, IORING_OP.OPENAT2, a[0] as number, a[2] as number, a[1] as number, a[3] as number);
    },
  },
  statx: {
    op: 'STATX', since: '5.6', copies: [PATH(1)],
    prepare: (args, sqe) => {
      const a = numbers(args, 5);
      return a === null ? BIGINT : fill(sqe, IORING_OP.STATX, a[0] as number, a[4] as number, a[1] as number, a[3] as number, a[2]);
    },
  },
  newfstatat: { none: 'writes a struct stat; IORING_OP_STATX fills a struct statx (a conversion at completion would be a second layout to keep right)' },
  fsync: { op: 'FSYNC', since: '5.1', copies: [], prepare: (args, sqe) => (typeof args[0] === 'number' ? fill(sqe, IORING_OP.FSYNC, args[0], 0, 0, 0) : BIGINT) },
  fdatasync: { op: 'FSYNC', since: '5.1', copies: [], prepare: (args, sqe) => (typeof args[0] === 'number' ? fill(sqe, IORING_OP.FSYNC, args[0], 0, 0, 0, IORING_FSYNC_DATASYNC) : BIGINT) },
  ftruncate: {
    op: 'FTRUNCATE', since: '6.9', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 2);
      return a === null ? BIGINT : fill(sqe, IORING_OP.FTRUNCATE, a[0] as number, a[1] as number, 0, 0);
    },
  },
  fallocate: {
    op: 'FALLOCATE', since: '5.6', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      // FALLOCATE: offset in off, length in addr, mode in len.
      return a === null ? BIGINT : fill(sqe, IORING_OP.FALLOCATE, a[0] as number, a[2] as number, a[3] as number, a[1] as number);
    },
  },
  copy_file_range: { none: 'no opcode' },
  sendfile: { none: 'no opcode (two SPLICEs through a pipe would change what a partial transfer leaves behind)' },
  splice: { none: 'IORING_OP_SPLICE takes offsets by value and does not update *off_in/*off_out' },
  tee: {
    streams: [0, 1],
    op: 'TEE', since: '5.8', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      if (a === null) return BIGINT;
      if ((a[2] as number) > 0xffffffff) return 'len beyond 32 bits';
      return fill(sqe, IORING_OP.TEE, a[1] as number, 0, 0, a[2] as number, a[3], 0, a[0]);
    },
  },
  unlinkat: {
    op: 'UNLINKAT', since: '5.11', copies: [PATH(1)],
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      return a === null ? BIGINT : fill(sqe, IORING_OP.UNLINKAT, a[0] as number, 0, a[1] as number, 0, a[2]);
    },
  },
  renameat: {
    op: 'RENAMEAT', since: '5.11', copies: [PATH(1), PATH(3)],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      return a === null ? BIGINT : fill(sqe, IORING_OP.RENAMEAT, a[0] as number, a[3] as number, a[1] as number, a[2] as number);
    },
  },
  renameat2: {
    op: 'RENAMEAT', since: '5.11', copies: [PATH(1), PATH(3)],
    prepare: (args, sqe) => {
      const a = numbers(args, 5);
      return a === null ? BIGINT : fill(sqe, IORING_OP.RENAMEAT, a[0] as number, a[3] as number, a[1] as number, a[2] as number, a[4]);
    },
  },
  mkdirat: {
    op: 'MKDIRAT', since: '5.15', copies: [PATH(1)],
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      return a === null ? BIGINT : fill(sqe, IORING_OP.MKDIRAT, a[0] as number, 0, a[1] as number, a[2] as number);
    },
  },
  faccessat2: { none: 'no opcode' },
  readlinkat: { none: 'no opcode' },
  sync_file_range: {
    op: 'SYNC_FILE_RANGE', since: '5.2', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      if (a === null) return BIGINT;
      if ((a[2] as number) > 0xffffffff) return 'nbytes beyond 32 bits (the SQE len)';
      return fill(sqe, IORING_OP.SYNC_FILE_RANGE, a[0] as number, a[1] as number, 0, a[2] as number, a[3]);
    },
  },
  readahead: { none: 'no opcode (FADVISE WILLNEED is not the same call)' },
  getdents64: { none: 'no opcode' },
  connect: {
    streams: [0],
    op: 'CONNECT', since: '5.5', copies: [{ kind: COPY.sized, arg: 1, count: 2 }],
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      // addrlen travels by value in addr2.
      return a === null ? BIGINT : fill(sqe, IORING_OP.CONNECT, a[0] as number, a[2] as number, a[1] as number, 0);
    },
  },
  accept4: {
    streams: [0],
    op: 'ACCEPT', since: '5.5', copies: [{ kind: COPY.socklen, arg: 2, count: 1 }],
    prepare: (args, sqe) => {
      const a = numbers(args, 4);
      return a === null ? BIGINT : fill(sqe, IORING_OP.ACCEPT, a[0] as number, a[2] as number, a[1] as number, 0, a[3]);
    },
  },
  sendto: {
    streams: [0],
    op: 'SEND', since: '5.6', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 6);
      if (a === null) return BIGINT;
      if (a[4] !== 0) return 'sendto with an address: made by the syscall';
      if ((a[2] as number) > 0xffffffff) return 'len beyond 32 bits';
      return fill(sqe, IORING_OP.SEND, a[0] as number, 0, a[1] as number, a[2] as number, a[3]);
    },
  },
  recvfrom: {
    streams: [0],
    op: 'RECV', since: '5.6', copies: [],
    prepare: (args, sqe) => {
      const a = numbers(args, 6);
      if (a === null) return BIGINT;
      if (a[4] !== 0) return 'recvfrom with an address: made by the syscall';
      if ((a[2] as number) > 0xffffffff) return 'len beyond 32 bits';
      return fill(sqe, IORING_OP.RECV, a[0] as number, 0, a[1] as number, a[2] as number, a[3]);
    },
  },
  sendmsg: {
    streams: [0],
    op: 'SENDMSG', since: '5.3', copies: [{ kind: COPY.msghdr, arg: 1 }],
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      return a === null ? BIGINT : fill(sqe, IORING_OP.SENDMSG, a[0] as number, 0, a[1] as number, 1, a[2]);
    },
  },
  recvmsg: {
    streams: [0],
    op: 'RECVMSG', since: '5.3', copies: [{ kind: COPY.msghdr, arg: 1, writeBack: true }],
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      return a === null ? BIGINT : fill(sqe, IORING_OP.RECVMSG, a[0] as number, 0, a[1] as number, 1, a[2]);
    },
  },
  nanosleep: {
    op: 'TIMEOUT', since: '5.4', copies: [{ kind: COPY.timespec, arg: 0 }], result: 'timeout',
    // A pure timeout: count 0 in off, the timespec in addr, len 1. *rem is never written: a ring
    // timeout is not interrupted by signals, only cancelled (then the sleep reads as -EINTR).
    prepare: (args, sqe) => (typeof args[0] === 'number' ? fill(sqe, IORING_OP.TIMEOUT, -1, 0, args[0], 1, 0) : BIGINT),
  },
  clock_nanosleep: {
    op: 'TIMEOUT', since: '5.4 (BOOTTIME/REALTIME 5.15)', copies: [{ kind: COPY.timespec, arg: 2 }], result: 'timeout',
    prepare: (args, sqe) => {
      const a = numbers(args, 3);
      if (a === null) return BIGINT;
      const clock = a[0] as number;
      const flags = a[1] as number;
      const clockFlag = clock === CLOCK_MONOTONIC ? 0 : clock === CLOCK_BOOTTIME ? IORING_TIMEOUT_BOOTTIME : clock === CLOCK_REALTIME ? IORING_TIMEOUT_REALTIME : -1;
      if (clockFlag < 0) return `clock ${clock} has no ring timeout`;
      if ((flags & ~TIMER_ABSTIME) !== 0) return 'unknown clock_nanosleep flags: the syscall decides';
      return fill(sqe, IORING_OP.TIMEOUT, -1, 0, a[2] as number, 1, clockFlag | ((flags & TIMER_ABSTIME) !== 0 ? IORING_TIMEOUT_ABS : 0));
    },
  },
  ppoll: {
    // One pollfd, no timeout, no signal mask: a FIFO read that waits for its writer (file.pollRead)
    // waits in the ring instead of on a cachemiss thread (which cannot even start in a deleted
    // working directory). Several pollfds, a timeout or a sigmask: no single opcode does it all.
    op: 'POLL_ADD', since: '5.1', copies: [{ kind: COPY.pollfd, arg: 0 }], result: 'poll',
    prepare: (args, sqe, copied) => {
      if (args[1] !== 1 || args[2] !== 0 || args[3] !== 0 || copied === undefined) return 'several pollfds, a timeout or a sigmask: no single opcode does all of it';
      return fill(sqe, IORING_OP.POLL_ADD, copied.pollFd, 0, 0, 0, copied.pollEvents);
    },
  },
  // compat32's private calls (engine/compat-calls.ts): the open or stat is made with the i386
  // ABI's checks around it (EOVERFLOW), which no opcode has.
  open_nonlfs: { none: 'syslet-private (compat32): an open followed by the i386 ABI\'s EOVERFLOW check' },
  openat_nonlfs: { none: 'syslet-private (compat32): an openat followed by the i386 ABI\'s EOVERFLOW check' },
  stat_compat: { none: 'syslet-private (compat32): a stat converted into the i386 struct stat' },
  lstat_compat: { none: 'syslet-private (compat32): an lstat converted into the i386 struct stat' },
};

/** isRingCall - whether the entry names an opcode. */
export function isRingCall(entry: RingCall | ThreadCall | undefined): entry is RingCall {
  return entry !== undefined && 'op' in entry;
}
