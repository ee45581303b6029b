/**
 * Parsers for the system headers that the generated tables come from. The syscall numbers and
 * errno values are never typed by hand: they are read from the kernel's UAPI headers so that the
 * committed tables can be checked against the machine (test/generated-tables-match-headers).
 */
import { readFileSync } from 'node:fs';

/** Where Debian's linux-libc-dev puts the x86 UAPI headers. */
export const HEADER_PATHS = {
  unistd64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  unistd32: '/usr/include/x86_64-linux-gnu/asm/unistd_32.h',
  errnoBase: '/usr/include/asm-generic/errno-base.h',
  errno: '/usr/include/asm-generic/errno.h',
} as const;

/** Reads `#define __NR_name number` lines into a name → number map. */
export function parseUnistd(path: string): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^#define __NR_(\w+)\s+(\d+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) numbers.set(match[1], Number(match[2]));
  }
  return numbers;
}

/** One errno: its name, number and the message from the header's comment. */
export interface ErrnoEntry {
  name: string;
  number: number;
  message: string;
}

/** Reads `#define ENAME number comment` lines; aliases (`#define EWOULDBLOCK EAGAIN`) are skipped. */
export function parseErrno(paths: readonly string[]): ErrnoEntry[] {
  const entries: ErrnoEntry[] = [];
  for (const path of paths) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const match = /^#define\s+(E\w+)\s+(\d+)\s*\/\*\s*(.*?)\s*\*\//.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
        entries.push({ name: match[1], number: Number(match[2]), message: match[3] });
      }
    }
  }
  return entries.sort((a, b) => a.number - b.number);
}

/** One family of constants and the header it is read from. */
export interface ConstantSource {
  /** What the family is, for the generated file's comments (`'open(2) flags'`). */
  readonly title: string;
  /** The header the values are read from. */
  readonly path: string;
  /** What a C program includes to see them (glibc's `bits/` headers refuse to be included directly). */
  readonly include: string;
  /** The family: every name the pattern matches, or exactly these names. */
  readonly names: RegExp | readonly string[];
  /** Names the pattern matches that are left out, each for a reason given beside the list. */
  readonly exclude?: readonly string[];
}

const GLIBC_BITS = '/usr/include/x86_64-linux-gnu/bits';
const X86_ASM = '/usr/include/x86_64-linux-gnu/asm';

/**
 * The constants the library exports and uses, by family, each from the header that defines it
 * for the kernel (UAPI) or, where the kernel exports none (the socket families and flags,
 * eventfd/signalfd flags), from glibc's, which the kernel ABI matches.
 */
export const CONSTANT_SOURCES: readonly ConstantSource[] = [
  // O_LARGEFILE is left out: the kernel's value (0o100000) and glibc's on x86-64 (0) differ, and
  // the kernel sets it itself on every 64-bit open.
  { title: 'open(2) flags', path: '/usr/include/asm-generic/fcntl.h', include: 'linux/fcntl.h', names: /^O_[A-Z]+$/, exclude: ['O_LARGEFILE'] },
  { title: 'fcntl(2) commands and fd flags', path: '/usr/include/asm-generic/fcntl.h', include: 'linux/fcntl.h', names: ['F_DUPFD', 'F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL', 'FD_CLOEXEC', 'FASYNC'] },
  { title: '*at(2) directory fd and flags', path: '/usr/include/linux/fcntl.h', include: 'linux/fcntl.h', names: /^AT_[A-Z_]+$/ },
  // The kernel's header spells it F_LINUX_SPECIFIC_BASE + 6, with the base in another header; glibc's has the number.
  { title: 'Linux fcntl(2) commands', path: `${GLIBC_BITS}/fcntl-linux.h`, include: 'fcntl.h', names: ['F_DUPFD_CLOEXEC'] },
  { title: 'file types and mode bits (st_mode)', path: '/usr/include/linux/stat.h', include: 'sys/stat.h', names: /^S_I[A-Z]+$/ },
  { title: 'statx(2) mask bits', path: '/usr/include/linux/stat.h', include: 'linux/stat.h', names: ['STATX_TYPE', 'STATX_MODE'] },
  { title: 'lseek(2) whence', path: '/usr/include/linux/fs.h', include: 'linux/fs.h', names: /^SEEK_[A-Z]+$/ },
  { title: 'preadv2/pwritev2 flags', path: '/usr/include/linux/fs.h', include: 'linux/fs.h', names: ['RWF_HIPRI', 'RWF_DSYNC', 'RWF_SYNC', 'RWF_NOWAIT', 'RWF_APPEND'] },
  { title: 'openat2(2) resolve flags', path: '/usr/include/linux/openat2.h', include: 'linux/openat2.h', names: /^RESOLVE_[A-Z_]+$/ },
  { title: 'address families', path: `${GLIBC_BITS}/socket.h`, include: 'sys/socket.h', names: /^AF_[A-Z0-9_]+$/ },
  { title: 'socket types and socket(2) flags', path: `${GLIBC_BITS}/socket_type.h`, include: 'sys/socket.h', names: /^SOCK_[A-Z]+$/ },
  { title: 'send/recv flags', path: `${GLIBC_BITS}/socket.h`, include: 'sys/socket.h', names: /^MSG_[A-Z_]+$/ },
  // POLLFREE is the kernel's own wake-up key for a dying wait queue, never an event a caller asks for.
  { title: 'poll(2) events', path: '/usr/include/asm-generic/poll.h', include: 'asm/poll.h', names: /^POLL[A-Z]+$/, exclude: ['POLLFREE'] },
  { title: 'mmap(2) protections', path: '/usr/include/asm-generic/mman-common.h', include: 'linux/mman.h', names: ['PROT_NONE', 'PROT_READ', 'PROT_WRITE', 'PROT_EXEC'] },
  { title: 'mmap(2) flags', path: '/usr/include/linux/mman.h', include: 'linux/mman.h', names: ['MAP_SHARED', 'MAP_PRIVATE'] },
  { title: 'mmap(2) flags', path: '/usr/include/asm-generic/mman-common.h', include: 'linux/mman.h', names: ['MAP_FIXED', 'MAP_ANONYMOUS', 'MAP_POPULATE', 'MAP_FIXED_NOREPLACE'] },
  { title: 'mmap(2) flags (x86)', path: `${X86_ASM}/mman.h`, include: 'linux/mman.h', names: ['MAP_32BIT'] },
  { title: 'sigevent notification kinds', path: '/usr/include/asm-generic/siginfo.h', include: 'asm/siginfo.h', names: ['SIGEV_SIGNAL', 'SIGEV_NONE', 'SIGEV_THREAD', 'SIGEV_THREAD_ID'] },
  { title: 'siginfo si_code values', path: '/usr/include/asm-generic/siginfo.h', include: 'asm/siginfo.h', names: ['SI_USER', 'SI_KERNEL', 'SI_QUEUE', 'SI_TIMER', 'SI_MESGQ', 'SI_ASYNCIO', 'SI_SIGIO', 'SI_TKILL'] },
  { title: 'sigprocmask(2) how', path: '/usr/include/asm-generic/signal-defs.h', include: 'asm-generic/signal-defs.h', names: ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'] },
  { title: 'clock ids', path: '/usr/include/linux/time.h', include: 'linux/time.h', names: ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_BOOTTIME'] },
  { title: 'eventfd(2) flags', path: `${GLIBC_BITS}/eventfd.h`, include: 'sys/eventfd.h', names: /^EFD_[A-Z]+$/ },
  { title: 'signalfd(2) flags', path: `${GLIBC_BITS}/signalfd.h`, include: 'sys/signalfd.h', names: /^SFD_[A-Z]+$/ },
];

/** One constant read from a header. */
export interface HeaderConstant {
  /** Its C name, `O_CLOEXEC`. */
  readonly name: string;
  /** Its value. */
  readonly value: number;
  /** The base the header writes it in (8 for `02000000`, 16 for `0x40`, 10 otherwise), kept for the generated file. */
  readonly radix: 8 | 10 | 16;
  /** The header's comment on the line, if any (`set close_on_exec`). */
  readonly comment: string;
}

/** A `#define NAME expr` or an enum's `NAME = expr,` as written, with the line's comment. */
interface RawDefinition {
  readonly expression: string;
  readonly comment: string;
}

const rawCache = new Map<string, Map<string, RawDefinition>>();

/**
 * Every object-like `#define` and every enumerator with an explicit value in `path`, as
 * written. The first definition of a name wins (headers guard alternatives with #ifndef); a
 * glibc `#define MSG_OOB MSG_OOB` (the enumerator naming itself) is skipped.
 */
function rawDefinitions(path: string): Map<string, RawDefinition> {
  const cached = rawCache.get(path);
  if (cached !== undefined) return cached;
  const found = new Map<string, RawDefinition>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const define = /^\s*#\s*define\s+([A-Za-z_]\w*)\s+([^/\n\\]+?)\s*(?:\/\*\s*(.*?)\s*(?:\*\/.*)?)?$/.exec(line);
    const enumerator = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*([^,/\n]+?)\s*,?\s*(?:\/\*\s*(.*?)\s*(?:\*\/.*)?)?$/.exec(line);
    const match = define ?? enumerator;
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const [, name, expression, comment = ''] = match;
    if (expression === name || found.has(name)) continue;
    found.set(name, { expression, comment: comment.replace(/\s*\*\/.*$/, '') });
  }
  rawCache.set(path, found);
  return found;
}

/** A value and the base its first literal was written in. */
interface Evaluated {
  readonly value: number;
  readonly radix: 8 | 10 | 16;
}

/**
 * Evaluates a constant C expression of integer literals (any base, with U/L suffixes), names
 * defined in the same header, casts to a type (`(__kernel_rwf_t)0x8`) and the operators
 * `| & ^ + - << >> ~` and parentheses: what these headers use.
 */
function evaluate(expression: string, lookup: (name: string) => Evaluated): Evaluated {
  const tokens = expression.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|>>|[|&^+\-~()]/g) ?? [];
  let at = 0;
  let radix: 8 | 10 | 16 | null = null;
  const peek = (): string | undefined => tokens[at];
  const next = (): string => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`unexpected end of '${expression}'`);
    return token;
  };
  const primary = (): number => {
    const token = next();
    if (token === '(') {
      // A cast: '(' type ')' followed by a value. The type is a name no header here defines.
      const type = peek();
      if (type !== undefined && /^[A-Za-z_]\w*$/.test(type) && tokens[at + 1] === ')' && !isDefined(type)) {
        at += 2;
        return unary();
      }
      const value = or();
      if (next() !== ')') throw new Error(`missing ')' in '${expression}'`);
      return value;
    }
    if (/^\d/.test(token)) {
      const digits = token.replace(/[uUlL]+$/, '');
      const base = /^0[xX]/.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
      radix ??= base;
      return base === 8 ? parseInt(digits.slice(1), 8) : Number(digits);
    }
    if (/^[A-Za-z_]/.test(token)) {
      const resolved = lookup(token);
      radix ??= resolved.radix;
      return resolved.value;
    }
    throw new Error(`unexpected '${token}' in '${expression}'`);
  };
  const unary = (): number => {
    const token = peek();
    if (token === '-') return (at++, -unary());
    if (token === '+') return (at++, unary());
    if (token === '~') return (at++, ~unary());
    return primary();
  };
  const binary = (operators: readonly string[], operand: () => number, apply: (op: string, a: number, b: number) => number) => (): number => {
    let value = operand();
    for (let op = peek(); op !== undefined && operators.includes(op); op = peek()) {
      at++;
      value = apply(op, value, operand());
    }
    return value;
  };
  const additive = binary(['+', '-'], unary, (op, a, b) => (op === '+' ? a + b : a - b));
  const shift = binary(['<<', '>>'], additive, (op, a, b) => (op === '<<' ? a * 2 ** b : Math.floor(a / 2 ** b)));
  // Bitwise operators in 32 bits would turn 0x80000000 negative; every flag here fits below 2^31.
  const and = binary(['&'], shift, (_op, a, b) => a & b);
  const xor = binary(['^'], and, (_op, a, b) => a ^ b);
  const or = binary(['|'], xor, (_op, a, b) => a | b);
  const isDefined = (name: string): boolean => {
    try {
      lookup(name);
      return true;
    } catch {
      return false;
    }
  };
  const value = or();
  if (at !== tokens.length) throw new Error(`trailing tokens in '${expression}'`);
  return { value, radix: radix ?? 10 };
}

/**
 * parseConstants - the values of one family, read from its header.
 *
 * @returns the constants in the header's order.
 * @throws Error when a wanted name is missing or its expression cannot be evaluated.
 */
export function parseConstants(source: ConstantSource): HeaderConstant[] {
  const raw = rawDefinitions(source.path);
  const resolving = new Set<string>();
  const lookup = (name: string): Evaluated => {
    const definition = raw.get(name);
    if (definition === undefined) throw new Error(`${name} is not defined in ${source.path}`);
    if (resolving.has(name)) throw new Error(`${name} is defined through itself in ${source.path}`);
    resolving.add(name);
    try {
      return evaluate(definition.expression, lookup);
    } finally {
      resolving.delete(name);
    }
  };
  const wanted = Array.isArray(source.names) ? (source.names as readonly string[]) : [...raw.keys()].filter((name) => (source.names as RegExp).test(name));
  return wanted
    .filter((name) => !(source.exclude ?? []).includes(name))
    .map((name) => {
      const { value, radix } = lookup(name);
      return { name, value, radix, comment: raw.get(name)?.comment ?? '' };
    });
}
