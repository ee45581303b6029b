// Every pointer argument of every row of the syscall table takes its length from where the man
// page says (issue 15 item 11: ppoll took its sigmask's length from the sigmask pointer itself,
// argument 3, instead of sigsetsize, argument 4, and every ppoll with a sigmask gave -EFAULT).
// The expected column is written from the man pages (section 2, and the private calls' own
// contract in docs/syslets.md); a row added to the table without an entry here fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYSCALL_TABLE, isDenied } from '../engine/syscalls/table.js';
import type { ArgSpec, PointerArg } from '../engine/syscalls/types.js';

/**
 * Per call, per pointer argument: how long the memory is, in the man page's words — an argument
 * name (times a struct size), a struct size in bytes, `*name` (a socklen the named argument
 * points at), `iovec[name]`, `NUL` (a C string) or `msghdr`.
 */
const MAN_PAGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  read: { buf: 'count' }, // read(2): read(int fd, void buf[count], size_t count)
  write: { buf: 'count' },
  pread64: { buf: 'count' },
  pwrite64: { buf: 'count' },
  readv: { iov: 'iovec[iovcnt]' }, // readv(2): const struct iovec *iov, int iovcnt
  writev: { iov: 'iovec[iovcnt]' },
  preadv: { iov: 'iovec[iovcnt]' },
  pwritev: { iov: 'iovec[iovcnt]' },
  preadv2: { iov: 'iovec[iovcnt]' },
  pwritev2: { iov: 'iovec[iovcnt]' },
  openat: { pathname: 'NUL' },
  openat2: { pathname: 'NUL', how: 'size' }, // openat2(2): struct open_how *how, size_t size
  fstat: { statbuf: '144' }, // sizeof(struct stat) on x86-64
  newfstatat: { pathname: 'NUL', statbuf: '144' },
  statx: { pathname: 'NUL', statxbuf: '256' }, // sizeof(struct statx)
  copy_file_range: { off_in: '8', off_out: '8' }, // loff_t *
  sendfile: { offset: '8' }, // off_t *
  splice: { off_in: '8', off_out: '8' },
  unlinkat: { pathname: 'NUL' },
  renameat: { oldpath: 'NUL', newpath: 'NUL' },
  renameat2: { oldpath: 'NUL', newpath: 'NUL' },
  mkdirat: { pathname: 'NUL' },
  faccessat2: { pathname: 'NUL' },
  readlinkat: { pathname: 'NUL', buf: 'bufsiz' }, // readlinkat(2): char buf[bufsiz], size_t bufsiz
  getdents64: { dirp: 'count' }, // getdents64(2): void dirp[count], size_t count
  pipe2: { pipefd: '8' }, // int pipefd[2]
  socketpair: { sv: '8' }, // int sv[2]
  connect: { addr: 'addrlen' }, // connect(2): const struct sockaddr *addr, socklen_t addrlen
  bind: { addr: 'addrlen' },
  accept4: { addr: '*addrlen', addrlen: '4' }, // accept4(2): socklen_t *addrlen, value-result
  sendto: { buf: 'len', dest_addr: 'addrlen' },
  recvfrom: { buf: 'len', src_addr: '*addrlen', addrlen: '4' },
  sendmsg: { msg: 'msghdr' },
  recvmsg: { msg: 'msghdr' },
  getsockname: { addr: '*addrlen', addrlen: '4' },
  getpeername: { addr: '*addrlen', addrlen: '4' },
  setsockopt: { optval: 'optlen' }, // setsockopt(2): const void optval[optlen], socklen_t optlen
  getsockopt: { optval: '*optlen', optlen: '4' }, // getsockopt(2): socklen_t *restrict optlen
  rt_sigqueueinfo: { info: '128' }, // sizeof(siginfo_t)
  rt_tgsigqueueinfo: { info: '128' },
  nanosleep: { req: '16', rem: '16' }, // struct timespec
  clock_gettime: { tp: '16' },
  clock_nanosleep: { request: '16', remain: '16' },
  // ppoll(2): struct pollfd *fds (nfds of 8 bytes), const struct timespec *tmo_p,
  // const sigset_t *sigmask — and the raw syscall's fifth argument, sigsetsize, is its size.
  ppoll: { fds: 'nfds×8', tmo_p: '16', sigmask: 'sigsetsize' },
  // The private calls (docs/syslets.md §2.4).
  umem_add: { ptr: '8' },
  umem_add32: { ptr: '4' },
  aio_status: { result: '8', error_code: '4', return_value: 'width' },
  read_size: { want: '8', st: '144' },
  // compat32's i386 answers (engine/compat-calls.ts): open(2) and stat(2) with the i386 ABI's
  // 64-byte struct stat.
  open_nonlfs: { pathname: 'NUL' },
  openat_nonlfs: { pathname: 'NUL' },
  stat_compat: { pathname: 'NUL', statbuf: '64' },
  lstat_compat: { pathname: 'NUL', statbuf: '64' },
  fstat_compat: { statbuf: '64' },
};

/** The table's length of one pointer argument, in the vocabulary of MAN_PAGES. */
function describe(arg: PointerArg, args: readonly ArgSpec[]): string {
  const len = arg.len;
  const name = (index: number): string => args[index]?.name ?? `?${index}`;
  if (len === 'cstring') return 'NUL';
  if (len === 'msghdr') return 'msghdr';
  if ('size' in len) return String(len.size);
  if ('lenPtr' in len) return `*${name(len.lenPtr)}`;
  if ('iovCountArg' in len) return `iovec[${name(len.iovCountArg)}]`;
  return len.scale === undefined || len.scale === 1 ? name(len.arg) : `${name(len.arg)}×${len.scale}`;
}

const ROWS = SYSCALL_TABLE.filter((spec) => !isDenied(spec));

test('every pointer argument takes its length from where the man page says', () => {
  const problems: string[] = [];
  for (const spec of ROWS) {
    const expected = MAN_PAGES[spec.name];
    const pointers = spec.args.filter((arg): arg is PointerArg => arg.kind === 'ptr');
    if (pointers.length === 0) continue;
    if (expected === undefined) {
      problems.push(`${spec.name}: not listed here (add its man-page lengths)`);
      continue;
    }
    for (const pointer of pointers) {
      const got = describe(pointer, spec.args);
      if (expected[pointer.name] !== got) problems.push(`${spec.name}.${pointer.name}: table says ${got}, man page ${String(expected[pointer.name])}`);
    }
    for (const name of Object.keys(expected)) {
      if (!pointers.some((pointer) => pointer.name === name)) problems.push(`${spec.name}: no pointer argument named ${name}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('length references are well formed: a count is a scalar, a socklen is a 4-byte pointer, never the pointer itself', () => {
  const problems: string[] = [];
  for (const spec of ROWS) {
    spec.args.forEach((arg, index) => {
      if (arg.kind !== 'ptr' || typeof arg.len !== 'object') return;
      const len = arg.len;
      const at = (i: number): ArgSpec | undefined => spec.args[i];
      if ('arg' in len) {
        const target = at(len.arg);
        if (len.arg === index || target === undefined || target.kind === 'ptr') problems.push(`${spec.name}.${arg.name}: length from argument ${len.arg}, which is not a scalar`);
      } else if ('iovCountArg' in len) {
        const target = at(len.iovCountArg);
        if (target === undefined || target.kind !== 'int') problems.push(`${spec.name}.${arg.name}: iovec count from argument ${len.iovCountArg}, which is not an int`);
      } else if ('lenPtr' in len) {
        const target = at(len.lenPtr);
        const isSocklen = target !== undefined && target.kind === 'ptr' && typeof target.len === 'object' && 'size' in target.len && target.len.size === 4;
        if (len.lenPtr === index || !isSocklen) problems.push(`${spec.name}.${arg.name}: length through argument ${len.lenPtr}, which is not a socklen_t pointer`);
      }
    });
  }
  assert.deepEqual(problems, []);
});
