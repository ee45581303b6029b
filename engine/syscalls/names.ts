/**
 * Every kernel syscall name that the table refers to, on either ABI. The generator reads their
 * numbers from the system headers; this list is the only place names are spelled for it.
 */
export const SYSCALL_NAMES = [
  // File I/O (x86-64 name first; i386 variants follow where the name differs).
  'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2',
  'pwritev2', 'openat', 'openat2', 'close', 'lseek', 'fstat', 'fstat64', 'newfstatat', 'fstatat64',
  'statx', 'fsync', 'fdatasync', 'ftruncate', 'ftruncate64', 'fallocate', 'copy_file_range',
  'sendfile', 'sendfile64', 'splice', 'tee', 'fadvise64', 'fadvise64_64', 'unlinkat', 'renameat',
  'renameat2', 'mkdirat', 'sync_file_range', 'readahead', 'getdents64', 'dup', 'dup3', 'pipe2',
  'faccessat2', 'readlinkat',
  // i386 calls whose compat entry answers differently from any x86-64 call (non-LFS open, the
  // old 64-byte struct stat): compat32 runs them as syslet-private calls (compat-calls.ts).
  'open', 'stat', 'lstat',
  // Sockets.
  'socket', 'socketpair', 'connect', 'bind', 'listen', 'accept4', 'sendto', 'recvfrom', 'sendmsg',
  'recvmsg', 'shutdown', 'getsockname', 'getpeername', 'setsockopt', 'getsockopt',
  // Signals to self and identity.
  'getpid', 'gettid', 'getppid', 'getuid', 'kill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
  // Time and scheduling.
  'nanosleep', 'clock_gettime', 'clock_nanosleep', 'sched_yield',
  // Events.
  'eventfd2', 'ppoll',
  // Calls the library makes itself (probes, waits, signal plumbing), never as atoms.
  'fcntl', 'signalfd4', 'sync', 'fstatfs', 'timer_create', 'timer_settime', 'timer_delete',
  // The hard deny-list: syscalls that would break the process from inside a syslet.
  'fork', 'vfork', 'clone', 'clone3', 'execve', 'execveat', 'exit', 'exit_group', 'mmap', 'mmap2',
  'munmap', 'mprotect', 'mremap', 'brk', 'madvise', 'rt_sigreturn', 'sigreturn', 'rt_sigaction',
  'rt_sigprocmask', 'sigaltstack', 'ptrace', 'prctl', 'arch_prctl', 'seccomp', 'setuid', 'setgid',
  'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups', 'capset',
  'unshare', 'setns', 'set_tid_address', 'set_robust_list', 'rseq', 'process_vm_writev',
  'io_uring_setup', 'io_uring_enter', 'io_uring_register', 'kexec_load', 'reboot', 'bpf',
] as const;

/** A kernel syscall name known to the table. */
export type SyscallName = (typeof SYSCALL_NAMES)[number];
