/**
 * The architecture-independent syscall table (Linus, 2007: "make a new architecture-independent
 * system call enumeration for the async interface ... and put the limitations and rules for those
 * system calls there"). One row per call: numbers from the headers, argument kinds, may-block
 * class and probe, policy, and the i386 shape for compat32. Everything else derives from it.
 */
import { SYSCALL_NUMBERS } from './numbers.generated.js';
import type { ArgSpec, I386Shape, PointerArg, PointerLength, ScalarArg, ScalarKind, SyscallSpec } from './types.js';
import type { SyscallName } from './names.js';
import { COMPAT_STAT } from './stat-layouts.js';

const s = (name: string, kind: ScalarKind): ScalarArg => ({ name, kind });
const fd = (name = 'fd'): ScalarArg => s(name, 'fd');
const int = (name: string): ScalarArg => s(name, 'int');
const uint = (name: string): ScalarArg => s(name, 'uint');
const size = (name: string): ScalarArg => s(name, 'size');
const off = (name: string): ScalarArg => s(name, 'off64');
const flags = (name = 'flags'): ScalarArg => s(name, 'flags');
const ptr = (name: string, dir: PointerArg['dir'], len: PointerLength, nullable = false): PointerArg =>
  nullable ? { name, kind: 'ptr', dir, len, nullable } : { name, kind: 'ptr', dir, len };
const path = (name = 'pathname'): PointerArg => ptr(name, 'in', 'cstring');

/** Sizes of the x86-64 structs that the table checks by size. */
export const STRUCT_SIZES = {
  stat: 144,
  statx: 256,
  timespec: 16,
  siginfo: 128,
  open_how: 24,
  socklen: 4,
  loff: 8,
  pollfd: 8,
  fdPair: 8,
  word: 8,
  iovec: 16,
  msghdr: 56,
} as const;

const ALLOW = { allow: true } as const;
const deny = (reason: string) => ({ deny: reason }) as const;

/** Offset halves: i386 passes a 64-bit offset as two 32-bit words, low first. */
const split = (at: number): readonly [{ lo: number }, { hi: number }] => [{ lo: at }, { hi: at }];

interface Row {
  readonly args: readonly ArgSpec[];
  readonly block?: SyscallSpec['block'];
  readonly watchdog?: SyscallSpec['watchdog'];
  readonly probe?: SyscallSpec['probe'];
  readonly flagsArg?: number;
  readonly policy?: SyscallSpec['policy'];
  readonly i386?: I386Shape;
}

const IOV_IN = (countArg: number) => ptr('iov', 'in', { iovCountArg: countArg });
const IOV_OUT = (countArg: number) => ptr('iov', 'out', { iovCountArg: countArg });
const ITERS = { structs: { 1: 'iovec' } } as const;

/** The supported calls, keyed by their x86-64 kernel name (`satisfies`: the keys stay a literal union, {@link SupportedCall}). */
const SUPPORTED = {
  read: { args: [fd(), ptr('buf', 'out', { arg: 2 }), size('count')], block: 'probe', probe: 'rwf_nowait_read', watchdog: 'streams' },
  write: { args: [fd(), ptr('buf', 'in', { arg: 2 }), size('count')], block: 'probe', probe: 'rwf_nowait_write' },
  pread64: {
    args: [fd(), ptr('buf', 'out', { arg: 2 }), size('count'), off('offset')],
    block: 'probe', probe: 'rwf_nowait_read',
    i386: { args: ['as64', 'as64', 'as64', ...split(3)] },
  },
  pwrite64: {
    args: [fd(), ptr('buf', 'in', { arg: 2 }), size('count'), off('offset')],
    block: 'probe', probe: 'rwf_nowait_write',
    i386: { args: ['as64', 'as64', 'as64', ...split(3)] },
  },
  readv: { args: [fd(), IOV_OUT(2), int('iovcnt')], block: 'probe', probe: 'rwf_nowait_read', watchdog: 'streams', i386: ITERS },
  writev: { args: [fd(), IOV_IN(2), int('iovcnt')], block: 'probe', probe: 'rwf_nowait_write', i386: ITERS },
  preadv: {
    args: [fd(), IOV_OUT(2), int('iovcnt'), off('pos_l'), uint('pos_h')],
    block: 'probe', probe: 'rwf_nowait_read',
    i386: { args: ['as64', 'as64', 'as64', ...split(3)], structs: { 1: 'iovec' } },
  },
  pwritev: {
    args: [fd(), IOV_IN(2), int('iovcnt'), off('pos_l'), uint('pos_h')],
    block: 'probe', probe: 'rwf_nowait_write',
    i386: { args: ['as64', 'as64', 'as64', ...split(3)], structs: { 1: 'iovec' } },
  },
  preadv2: {
    args: [fd(), IOV_OUT(2), int('iovcnt'), off('pos_l'), uint('pos_h'), flags()],
    block: 'probe', probe: 'rwf_nowait_read', watchdog: 'streams',
    i386: { args: ['as64', 'as64', 'as64', { lo: 3 }, { hi: 3 }, { lo: 5 }], structs: { 1: 'iovec' } },
  },
  pwritev2: {
    args: [fd(), IOV_IN(2), int('iovcnt'), off('pos_l'), uint('pos_h'), flags()],
    block: 'probe', probe: 'rwf_nowait_write',
    i386: { args: ['as64', 'as64', 'as64', { lo: 3 }, { hi: 3 }, { lo: 5 }], structs: { 1: 'iovec' } },
  },
  openat: { args: [fd('dirfd'), path(), flags(), s('mode', 'mode')], block: 'probe', probe: 'resolve_cached', i386: { compat: 'openat_nonlfs' } },
  openat2: { args: [fd('dirfd'), path(), ptr('how', 'in', { arg: 3 }), size('size')], block: 'handoff' },
  close: { args: [fd()] },
  lseek: { args: [fd(), off('offset'), int('whence')], i386: { args: ['as64', 'as64', 'as64'] } },
  fstat: { args: [fd(), ptr('statbuf', 'out', { size: STRUCT_SIZES.stat })], i386: { name: 'fstat64', structs: { 1: 'stat64' } } },
  newfstatat: {
    args: [fd('dirfd'), path(), ptr('statbuf', 'out', { size: STRUCT_SIZES.stat }), flags()],
    block: 'handoff',
    i386: { name: 'fstatat64', structs: { 2: 'stat64' } },
  },
  statx: { args: [fd('dirfd'), path(), flags(), uint('mask'), ptr('statxbuf', 'out', { size: STRUCT_SIZES.statx })], block: 'handoff' },
  fsync: { args: [fd()], block: 'handoff' },
  fdatasync: { args: [fd()], block: 'handoff' },
  ftruncate: { args: [fd(), off('length')], block: 'handoff', i386: { name: 'ftruncate64', args: ['as64', ...split(1)] } },
  fallocate: {
    args: [fd(), int('mode'), off('offset'), off('len')],
    block: 'handoff',
    i386: { args: ['as64', 'as64', ...split(2), ...split(3)] },
  },
  copy_file_range: {
    args: [fd('fd_in'), ptr('off_in', 'inout', { size: STRUCT_SIZES.loff }, true), fd('fd_out'), ptr('off_out', 'inout', { size: STRUCT_SIZES.loff }, true), size('len'), flags()],
    block: 'handoff',
  },
  sendfile: {
    args: [fd('out_fd'), fd('in_fd'), ptr('offset', 'inout', { size: STRUCT_SIZES.loff }, true), size('count')],
    block: 'handoff',
    i386: { name: 'sendfile64' },
  },
  splice: {
    args: [fd('fd_in'), ptr('off_in', 'inout', { size: STRUCT_SIZES.loff }, true), fd('fd_out'), ptr('off_out', 'inout', { size: STRUCT_SIZES.loff }, true), size('len'), flags()],
    block: 'handoff',
  },
  tee: { args: [fd('fd_in'), fd('fd_out'), size('len'), flags()], block: 'handoff' },
  fadvise64: {
    args: [fd(), off('offset'), off('len'), int('advice')],
    i386: { name: 'fadvise64_64', args: ['as64', ...split(1), ...split(2), 'as64'] },
  },
  unlinkat: { args: [fd('dirfd'), path(), flags()], block: 'handoff' },
  renameat: { args: [fd('olddirfd'), path('oldpath'), fd('newdirfd'), path('newpath')], block: 'handoff' },
  renameat2: { args: [fd('olddirfd'), path('oldpath'), fd('newdirfd'), path('newpath'), flags()], block: 'handoff' },
  mkdirat: { args: [fd('dirfd'), path(), s('mode', 'mode')], block: 'handoff' },
  faccessat2: { args: [fd('dirfd'), path(), int('mode'), flags()], block: 'handoff' },
  // readlinkat(2): ssize_t readlinkat(int dirfd, const char *pathname, char buf[bufsiz], size_t bufsiz);
  // an empty pathname reads the link dirfd names (an O_PATH|O_NOFOLLOW fd): no lookup then.
  readlinkat: { args: [fd('dirfd'), path(), ptr('buf', 'out', { arg: 3 }), size('bufsiz')], block: 'handoff' },
  sync_file_range: {
    args: [fd(), off('offset'), off('nbytes'), flags()],
    block: 'handoff',
    i386: { args: ['as64', ...split(1), ...split(2), 'as64'] },
  },
  readahead: { args: [fd(), off('offset'), size('count')], block: 'handoff', i386: { args: ['as64', ...split(1), 'as64'] } },
  getdents64: { args: [fd(), ptr('dirp', 'out', { arg: 2 }), uint('count')], block: 'handoff' },
  dup: { args: [fd('oldfd')] },
  dup3: { args: [fd('oldfd'), fd('newfd'), flags()] },
  pipe2: { args: [ptr('pipefd', 'out', { size: STRUCT_SIZES.fdPair }), flags()] },
  socket: { args: [int('domain'), int('type'), int('protocol')] },
  socketpair: { args: [int('domain'), int('type'), int('protocol'), ptr('sv', 'out', { size: STRUCT_SIZES.fdPair })] },
  connect: { args: [fd('sockfd'), ptr('addr', 'in', { arg: 2 }), uint('addrlen')], block: 'handoff' },
  bind: { args: [fd('sockfd'), ptr('addr', 'in', { arg: 2 }), uint('addrlen')] },
  listen: { args: [fd('sockfd'), int('backlog')] },
  accept4: {
    args: [fd('sockfd'), ptr('addr', 'out', { lenPtr: 2 }, true), ptr('addrlen', 'inout', { size: STRUCT_SIZES.socklen }, true), flags()],
    block: 'probe', probe: 'poll_in', watchdog: 'always',
  },
  sendto: {
    args: [fd('sockfd'), ptr('buf', 'in', { arg: 2 }), size('len'), flags(), ptr('dest_addr', 'in', { arg: 5 }, true), uint('addrlen')],
    block: 'probe', probe: 'msg_dontwait', flagsArg: 3,
  },
  recvfrom: {
    args: [fd('sockfd'), ptr('buf', 'out', { arg: 2 }), size('len'), flags(), ptr('src_addr', 'out', { lenPtr: 5 }, true), ptr('addrlen', 'inout', { size: STRUCT_SIZES.socklen }, true)],
    block: 'probe', probe: 'msg_dontwait', flagsArg: 3, watchdog: 'always',
  },
  sendmsg: { args: [fd('sockfd'), ptr('msg', 'in', 'msghdr'), flags()], block: 'probe', probe: 'msg_dontwait', flagsArg: 2, i386: { structs: { 1: 'msghdr' } } },
  recvmsg: { args: [fd('sockfd'), ptr('msg', 'inout', 'msghdr'), flags()], block: 'probe', probe: 'msg_dontwait', flagsArg: 2, watchdog: 'always', i386: { structs: { 1: 'msghdr' } } },
  shutdown: { args: [fd('sockfd'), int('how')] },
  getsockname: { args: [fd('sockfd'), ptr('addr', 'out', { lenPtr: 2 }), ptr('addrlen', 'inout', { size: STRUCT_SIZES.socklen })] },
  getpeername: { args: [fd('sockfd'), ptr('addr', 'out', { lenPtr: 2 }), ptr('addrlen', 'inout', { size: STRUCT_SIZES.socklen })] },
  setsockopt: { args: [fd('sockfd'), int('level'), int('optname'), ptr('optval', 'in', { arg: 4 }, true), uint('optlen')] },
  getsockopt: { args: [fd('sockfd'), int('level'), int('optname'), ptr('optval', 'out', { lenPtr: 4 }), ptr('optlen', 'inout', { size: STRUCT_SIZES.socklen })] },
  getpid: { args: [] },
  gettid: { args: [] },
  getppid: { args: [] },
  getuid: { args: [] },
  kill: { args: [s('pid', 'pid'), s('sig', 'signo')], policy: { allow: true, selfArg: 0, signalArg: 1 } },
  tgkill: { args: [s('tgid', 'pid'), s('tid', 'pid'), s('sig', 'signo')], policy: { allow: true, selfArg: 0, signalArg: 2 } },
  rt_sigqueueinfo: {
    args: [s('tgid', 'pid'), s('sig', 'signo'), ptr('info', 'in', { size: STRUCT_SIZES.siginfo })],
    policy: { allow: true, selfArg: 0, signalArg: 1 },
    i386: { structs: { 2: 'siginfo' } },
  },
  rt_tgsigqueueinfo: {
    args: [s('tgid', 'pid'), s('tid', 'pid'), s('sig', 'signo'), ptr('info', 'in', { size: STRUCT_SIZES.siginfo })],
    policy: { allow: true, selfArg: 0, signalArg: 2 },
    i386: { structs: { 3: 'siginfo' } },
  },
  nanosleep: {
    args: [ptr('req', 'in', { size: STRUCT_SIZES.timespec }), ptr('rem', 'out', { size: STRUCT_SIZES.timespec }, true)],
    block: 'handoff',
    i386: { structs: { 0: 'timespec', 1: 'timespec' } },
  },
  clock_gettime: { args: [s('clockid', 'clock'), ptr('tp', 'out', { size: STRUCT_SIZES.timespec })], i386: { structs: { 1: 'timespec' } } },
  clock_nanosleep: {
    args: [s('clockid', 'clock'), flags(), ptr('request', 'in', { size: STRUCT_SIZES.timespec }), ptr('remain', 'out', { size: STRUCT_SIZES.timespec }, true)],
    block: 'handoff',
    i386: { structs: { 2: 'timespec', 3: 'timespec' } },
  },
  sched_yield: { args: [] },
  eventfd2: { args: [uint('initval'), flags()] },
  ppoll: {
    args: [ptr('fds', 'inout', { arg: 1, scale: STRUCT_SIZES.pollfd }), uint('nfds'), ptr('tmo_p', 'in', { size: STRUCT_SIZES.timespec }, true), ptr('sigmask', 'in', { arg: 4 }, true), size('sigsetsize')],
    block: 'probe', probe: 'zero_timeout',
    i386: { structs: { 2: 'timespec' } },
  },
} satisfies Partial<Record<SyscallName, Row>>;

/** A kernel call a syslet atom may make: every supported row of the table (the deny-list excluded). */
export type SupportedCall = keyof typeof SUPPORTED;

/** Why each call on the hard deny-list must never run from inside a syslet. */
const DENIED: Partial<Record<SyscallName, string>> = {
  fork: 'would duplicate the process from a cachemiss thread, with the engine mid-chain',
  vfork: 'would suspend the caller and share its memory with a child running a syslet',
  clone: 'creates tasks the engine cannot see or wait for',
  clone3: 'creates tasks the engine cannot see or wait for',
  execve: 'would replace the process image under the event loop',
  execveat: 'would replace the process image under the event loop',
  exit: 'would end a cachemiss thread (or the main thread) without unwinding the engine',
  exit_group: 'would end the whole process from inside a chain',
  mmap: 'changes the address space the confinement checks rely on',
  mmap2: 'changes the address space the confinement checks rely on',
  munmap: 'could unmap engine memory or V8 heap pages under live views',
  mprotect: 'could make engine or V8 memory unreadable or executable',
  mremap: 'could move engine memory under live views',
  brk: 'moves the heap that malloc owns',
  madvise: 'MADV_DONTNEED zeroes memory the engine or V8 is using',
  rt_sigreturn: 'restores a register frame: a syslet has no signal frame',
  sigreturn: 'restores a register frame: a syslet has no signal frame',
  rt_sigaction: 'would replace signal handlers that Node and the engine installed',
  rt_sigprocmask: 'would change the mask of whichever thread runs the chain',
  sigaltstack: 'would change the signal stack of whichever thread runs the chain',
  ptrace: 'debugging another task from a syslet escapes every policy',
  prctl: 'changes process attributes (seccomp, dumpable, no_new_privs) for all threads',
  arch_prctl: 'changes the FS/GS base under V8',
  seccomp: 'installs filters for the whole thread group',
  setuid: 'changes credentials (and would leave io_uring-style privilege confusion)',
  setgid: 'changes credentials',
  setreuid: 'changes credentials',
  setregid: 'changes credentials',
  setresuid: 'changes credentials',
  setresgid: 'changes credentials',
  setfsuid: 'changes credentials',
  setfsgid: 'changes credentials',
  setgroups: 'changes credentials',
  capset: 'changes capabilities',
  unshare: 'moves the thread into new namespaces',
  setns: 'moves the thread into another namespace',
  set_tid_address: 'owned by the thread library',
  set_robust_list: 'owned by the thread library',
  rseq: 'owned by the thread library',
  process_vm_writev: 'writes another process\'s memory, outside any confinement',
  io_uring_setup: 'a syscall multiplexer inside a multiplexer bypasses the policy (io_uring vs seccomp)',
  io_uring_enter: 'a syscall multiplexer inside a multiplexer bypasses the policy',
  io_uring_register: 'a syscall multiplexer inside a multiplexer bypasses the policy',
  kexec_load: 'loads a new kernel',
  reboot: 'reboots the machine',
  bpf: 'loads kernel programs',
};

/**
 * Signals a chain may never send to its own process, even though signals to self are allowed
 * (the self-only rule), each with the reason. A chain signals its process to *notify* it (POSIX
 * AIO's SIGEV_SIGNAL, the canned notify.signal: a real-time signal or one the program handles);
 * none of these is ever a notification:
 * - SIGKILL and SIGSTOP cannot be caught: they could only kill or stop the process;
 * - SIGTSTP, SIGTTIN and SIGTTOU stop the whole process by default (Node does not handle them);
 * - SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV and SIGSYS report a fault of the thread that
 *   got them: sent by a chain, they fake a crash (the default action dumps core);
 * - SIGRTMAX (64) is the engine's own wake signal: it would interrupt other chains' calls.
 * Any other number is the kernel's to answer (0 probes, above 64 is -EINVAL).
 */
export const SELF_SIGNALS_DENIED: Readonly<Record<number, { readonly name: string; readonly reason: string }>> = {
  4: { name: 'SIGILL', reason: 'a fault signal: sent by a chain it fakes a crash' },
  5: { name: 'SIGTRAP', reason: 'a fault signal: sent by a chain it fakes a crash' },
  6: { name: 'SIGABRT', reason: 'a fault signal: sent by a chain it fakes a crash' },
  7: { name: 'SIGBUS', reason: 'a fault signal: sent by a chain it fakes a crash' },
  8: { name: 'SIGFPE', reason: 'a fault signal: sent by a chain it fakes a crash' },
  9: { name: 'SIGKILL', reason: 'it cannot be caught: it would only kill the process' },
  11: { name: 'SIGSEGV', reason: 'a fault signal: sent by a chain it fakes a crash' },
  19: { name: 'SIGSTOP', reason: 'it cannot be caught: it would only stop the process' },
  20: { name: 'SIGTSTP', reason: 'it stops the whole process by default' },
  21: { name: 'SIGTTIN', reason: 'it stops the whole process by default' },
  22: { name: 'SIGTTOU', reason: 'it stops the whole process by default' },
  31: { name: 'SIGSYS', reason: 'a fault signal: sent by a chain it fakes a crash' },
  64: { name: 'SIGRTMAX', reason: 'the engine\'s own wake signal: it would interrupt other chains\' calls' },
};

/**
 * Signals whose default action ends the process (signal(7)'s Term and Core, less those in
 * SELF_SIGNALS_DENIED), by number, with their names: SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2,
 * SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR and
 * the real-time signals 32-63. A chain may send one of these to its own process only while the
 * process handles it for good (process.on, receiveSignals, SIG_IGN): at SIG_DFL, or under Node's
 * own one-shot SIGINT/SIGTERM handler, the "notification" would end the process (hunt26: SIGUSR2,
 * SIGTERM, SIGALRM, SIGHUP and SIGRTMIN+1 did, every run). The executor asks the disposition when
 * the atom runs (a handler may come and go: process.on/off).
 * SIGCHLD, SIGURG, SIGWINCH (ignored by default) and SIGCONT go through as they are.
 */
export const SELF_SIGNALS_ENDING_BY_DEFAULT: Readonly<Record<number, string>> = (() => {
  const named: Record<number, string> = {
    1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 10: 'SIGUSR1', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM',
    15: 'SIGTERM', 16: 'SIGSTKFLT', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF',
    29: 'SIGIO', 30: 'SIGPWR', 32: 'signal 32', 33: 'signal 33',
  };
  // glibc's SIGRTMIN is 34 (it keeps 32 and 33); SIGRTMAX (64) is denied outright.
  for (let signo = 34; signo < 64; signo++) named[signo] = `SIGRTMIN+${String(signo - 34)}`;
  return named;
})();

/**
 * The syslet-private syscall numbers: far above any kernel number, the same on both ABIs where a
 * call has an i386 form (read_size has none).
 */
export const SYSLET_NR = {
  /** umem_add(unsigned long *ptr, unsigned long inc): *ptr += inc, returns the new value. */
  umem_add: 1024,
  /** umem_add32(u32 *ptr, u32 inc): the compat32 form, on 32-bit words. */
  umem_add32: 1025,
  /**
   * aio_status(long *result, int *error_code, void *return_value, unsigned width): turns a
   * one-word result into POSIX AIO's (error, return) pair — error = result < 0 ? -result : 0,
   * return = result < 0 ? -1 : result, stored `width` (8 or 4) bytes wide — and returns result.
   * This is how a canned AIO syslet makes its final status visible before its notify atom runs.
   */
  aio_status: 1026,
  /**
   * read_size(unsigned long *want, const struct stat *st, unsigned long done, unsigned long chunk):
   * how much the next read of a file should ask for, from the st_size an fstat left at `st`
   * (fs.promises.readFile's rule). Returns 0 when `chunk` is 0 or when `done` has reached a
   * non-zero st_size; else min(chunk, st_size - done), or `chunk` when st_size is 0 (procfs and
   * the like report 0: read until a read returns 0). The value returned is also stored in *want,
   * where the next read takes its count from.
   */
  read_size: 1027,
  /**
   * The i386 answers compat32 needs (engine/compat-calls.ts), x86-64 only. open_nonlfs(path,
   * flags, mode) and openat_nonlfs(dirfd, path, flags, mode): open without a forced O_LARGEFILE,
   * -EOVERFLOW for a regular file past 2 GiB − 1. stat_compat(path, buf), lstat_compat(path,
   * buf), fstat_compat(fd, buf): fill the i386 64-byte struct stat, -EOVERFLOW when the size,
   * inode or link count does not fit.
   */
  open_nonlfs: 1040,
  openat_nonlfs: 1041,
  stat_compat: 1042,
  lstat_compat: 1043,
  fstat_compat: 1044,
} as const;

/** A syslet-private call (umem_add, aio_status, read_size...). */
export type PrivateCall = keyof typeof SYSLET_NR;

/** Every call an atom may name: the supported kernel calls and the syslet-private ones. */
export type AtomCall = SupportedCall | PrivateCall;

const PRIVATE: readonly SyscallSpec[] = [
  {
    name: 'umem_add', x86_64: SYSLET_NR.umem_add, i386: -1, block: 'never', policy: ALLOW, private: true,
    args: [ptr('ptr', 'inout', { size: 8 }), size('inc')],
  },
  {
    name: 'umem_add32', x86_64: SYSLET_NR.umem_add32, i386: SYSLET_NR.umem_add, block: 'never', policy: ALLOW, private: true,
    args: [ptr('ptr', 'inout', { size: 4 }), size('inc')],
  },
  {
    name: 'aio_status', x86_64: SYSLET_NR.aio_status, i386: SYSLET_NR.aio_status, block: 'never', policy: ALLOW, private: true,
    args: [ptr('result', 'in', { size: 8 }), ptr('error_code', 'out', { size: 4 }), ptr('return_value', 'out', { arg: 3 }), uint('width')],
  },
  {
    // Not offered to compat32: an i386 struct stat has another layout, and no 32-bit chain needs it.
    name: 'read_size', x86_64: SYSLET_NR.read_size, i386: -1, block: 'never', policy: ALLOW, private: true,
    args: [ptr('want', 'out', { size: STRUCT_SIZES.word }), ptr('st', 'in', { size: STRUCT_SIZES.stat }), size('done'), size('chunk')],
  },
  // compat32's i386 answers: each is the i386 number's row (open, stat, lstat, fstat), or named by
  // openat's i386Shape.compat. Blocking as their x86-64 counterparts: the opens probe the dcache.
  {
    name: 'open_nonlfs', x86_64: SYSLET_NR.open_nonlfs, i386: numbersOf('open').i386, block: 'probe', probe: 'resolve_cached', policy: ALLOW, private: true,
    args: [path(), flags(), s('mode', 'mode')],
  },
  {
    name: 'openat_nonlfs', x86_64: SYSLET_NR.openat_nonlfs, i386: -1, block: 'probe', probe: 'resolve_cached', policy: ALLOW, private: true,
    args: [fd('dirfd'), path(), flags(), s('mode', 'mode')],
  },
  {
    name: 'stat_compat', x86_64: SYSLET_NR.stat_compat, i386: numbersOf('stat').i386, block: 'handoff', policy: ALLOW, private: true,
    args: [path(), ptr('statbuf', 'out', { size: COMPAT_STAT.size })],
  },
  {
    name: 'lstat_compat', x86_64: SYSLET_NR.lstat_compat, i386: numbersOf('lstat').i386, block: 'handoff', policy: ALLOW, private: true,
    args: [path(), ptr('statbuf', 'out', { size: COMPAT_STAT.size })],
  },
  {
    name: 'fstat_compat', x86_64: SYSLET_NR.fstat_compat, i386: numbersOf('fstat').i386, block: 'never', policy: ALLOW, private: true,
    args: [fd(), ptr('statbuf', 'out', { size: COMPAT_STAT.size })],
  },
];

function numbersOf(name: SyscallName): { x86_64: number; i386: number } {
  return SYSCALL_NUMBERS[name];
}

function build(): readonly SyscallSpec[] {
  const specs: SyscallSpec[] = [];
  for (const [name, row] of Object.entries(SUPPORTED) as [SyscallName, Row][]) {
    const numbers = numbersOf(name);
    const i386Name = row.i386?.name as SyscallName | undefined;
    const spec: SyscallSpec = {
      name,
      x86_64: numbers.x86_64,
      i386: i386Name === undefined ? numbers.i386 : numbersOf(i386Name).i386,
      args: row.args,
      block: row.block ?? 'never',
      policy: row.policy ?? ALLOW,
      ...(row.watchdog === undefined ? {} : { watchdog: row.watchdog }),
      ...(row.probe === undefined ? {} : { probe: row.probe }),
      ...(row.flagsArg === undefined ? {} : { flagsArg: row.flagsArg }),
      ...(row.i386 === undefined ? {} : { i386Shape: row.i386 }),
    };
    specs.push(spec);
  }
  for (const [name, reason] of Object.entries(DENIED) as [SyscallName, string][]) {
    const numbers = numbersOf(name);
    specs.push({ name, x86_64: numbers.x86_64, i386: numbers.i386, args: [], block: 'never', policy: deny(reason) });
  }
  specs.push(...PRIVATE);
  return specs;
}

/** Every row: supported calls, hard-denied calls (with reasons) and syslet-private calls. */
export const SYSCALL_TABLE: readonly SyscallSpec[] = build();

const byName = new Map<string, SyscallSpec>();
const byX64 = new Map<number, SyscallSpec>();
const byI386 = new Map<number, SyscallSpec>();
for (const spec of SYSCALL_TABLE) {
  byName.set(spec.name, spec);
  if (spec.x86_64 >= 0) byX64.set(spec.x86_64, spec);
  if (spec.i386 >= 0) byI386.set(spec.i386, spec);
}

/** syscallByName - the row for an architecture-independent name, or undefined. */
export function syscallByName(name: string): SyscallSpec | undefined {
  return byName.get(name);
}

/** syscallByNumber - the row for an x86-64 (default) or i386 number, or undefined when unknown. */
export function syscallByNumber(nr: number, abi: 'x86_64' | 'i386' = 'x86_64'): SyscallSpec | undefined {
  return (abi === 'x86_64' ? byX64 : byI386).get(nr);
}

/** Every name of {@link AtomCall}, in table order: what an atom's `call` may be. */
export const ATOM_CALLS: readonly AtomCall[] = SYSCALL_TABLE.filter((spec) => !('deny' in spec.policy) && spec.x86_64 >= 0).map((spec) => spec.name as AtomCall);

/** isDenied - whether a row is on the hard deny-list. */
export function isDenied(spec: SyscallSpec): spec is SyscallSpec & { policy: { deny: string } } {
  return 'deny' in spec.policy;
}
