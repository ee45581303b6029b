/**
 * The syscall table compiled for the executor: an array indexed by x86-64 number whose entries
 * hold only what the hot path needs (pointer checks as small records, block class and probe as
 * small integers). Built once per thread from the one table.
 */
import { SYSCALL_TABLE, isDenied } from './syscalls/table.js';
import type { PointerArg, SyscallSpec } from './syscalls/types.js';
import { PRIVATE_IMPLS, type PrivateImpl } from './private-syscalls.js';

/** How a pointer's length is found (see PointerLength). */
export const LEN = { arg: 0, size: 1, lenPtr: 2, cstring: 3, iov: 4, msghdr: 5 } as const;
/** Block classes as integers. */
/** CompiledSyscall.watchdog: when a cachemiss thread's watchdog may interrupt the call (SyscallSpec.watchdog). */
export const WATCHDOG = { off: 0, always: 1, streams: 2 } as const;

export const BLOCK = { never: 0, probe: 1, handoff: 2 } as const;
/** Probes as integers. */
export const PROBE = { none: 0, rwfRead: 1, rwfWrite: 2, dontwait: 3, pollIn: 4, resolveCached: 5, zeroTimeout: 6 } as const;

/** One pointer argument to check before the call. */
export interface PointerCheck {
  readonly index: number;
  readonly len: (typeof LEN)[keyof typeof LEN];
  /** Argument index (arg, lenPtr, iov count) or byte size (size). */
  readonly n: number;
  readonly scale: number;
  readonly nullable: boolean;
  /** Whether the kernel writes through it: a copied msghdr's lengths and flags are copied back. */
  readonly writes: boolean;
  /** For C strings: which of the executor's private path buffers the copy goes to (0 or 1). */
  readonly slot: number;
}


/** One compiled row. */
export interface CompiledSyscall {
  readonly spec: SyscallSpec;
  readonly checks: readonly PointerCheck[];
  readonly block: number;
  /** When a cachemiss thread's watchdog may interrupt the call: a {@link WATCHDOG} value (SyscallSpec.watchdog). */
  readonly watchdog: number;
  readonly probe: number;
  readonly flagsArg: number;
  /** For signals-to-self calls: the argument that must equal our pid; -1 otherwise. */
  readonly selfArg: number;
  /** For signals-to-self calls: the argument holding the signal number; -1 otherwise. */
  readonly signalArg: number;
  /**
   * Whether a check depends on memory the call's pointers name (an iovec array, a socklen, a
   * msghdr, a C string): those are copied into the executor's private memory, checked there, and
   * the kernel gets the copy (see engine/confinement.ts).
   */
  readonly copies: boolean;
  /** The arguments the checks read (pointers, and the arguments their lengths come from), each once. */
  readonly confinedArgs: readonly number[];
  /** The iovec-array argument (readv family), -1 otherwise. */
  readonly iovArg: number;
  /** The offset argument for positional probes, -1 for "current position". */
  readonly posArg: number;
  readonly impl: PrivateImpl | null;
}

function compilePointer(index: number, arg: PointerArg, slot: number): PointerCheck {
  const common = { index, nullable: arg.nullable === true, writes: arg.dir !== 'in', slot: 0, scale: 1, n: 0 };
  const len = arg.len;
  if (len === 'cstring') return { ...common, len: LEN.cstring, slot };
  if (len === 'msghdr') return { ...common, len: LEN.msghdr };
  if ('size' in len) return { ...common, len: LEN.size, n: len.size };
  if ('lenPtr' in len) return { ...common, len: LEN.lenPtr, n: len.lenPtr };
  if ('iovCountArg' in len) return { ...common, len: LEN.iov, n: len.iovCountArg };
  return { ...common, len: LEN.arg, n: len.arg, scale: len.scale ?? 1 };
}

/** The private copies one executor has room for per call (see engine/confinement.ts). */
export const COPY_LIMITS = { cstrings: 2, socklens: 1, iovecArrays: 1 } as const;

const PROBES: Record<string, number> = {
  rwf_nowait_read: PROBE.rwfRead,
  rwf_nowait_write: PROBE.rwfWrite,
  msg_dontwait: PROBE.dontwait,
  poll_in: PROBE.pollIn,
  resolve_cached: PROBE.resolveCached,
  zero_timeout: PROBE.zeroTimeout,
};

/** compileOne - the executor's form of one table row. */
export function compileOne(spec: SyscallSpec): CompiledSyscall {
  const checks: PointerCheck[] = [];
  // A socklen that another argument takes its length from is checked, copied and written back
  // with that argument (the kernel ignores it when that argument is NULL): no check of its own.
  const lengthPointers = new Set<number>();
  for (const arg of spec.args) if (arg.kind === 'ptr' && typeof arg.len === 'object' && 'lenPtr' in arg.len) lengthPointers.add(arg.len.lenPtr);
  let cstrings = 0;
  let iovecArrays = 0;
  spec.args.forEach((arg, index) => {
    if (arg.kind !== 'ptr' || lengthPointers.has(index)) return;
    const check = compilePointer(index, arg, arg.len === 'cstring' ? cstrings++ : 0);
    if (check.len === LEN.iov || check.len === LEN.msghdr) iovecArrays++;
    checks.push(check);
  });
  // The private memory has fixed room: a row that needs more must grow it (confinement.ts).
  if (cstrings > COPY_LIMITS.cstrings || lengthPointers.size > COPY_LIMITS.socklens || iovecArrays > COPY_LIMITS.iovecArrays) {
    throw new RangeError(`syscall table: ${spec.name} needs more private copies than the executor has room for`);
  }
  const iovArg = spec.args.findIndex((arg) => arg.kind === 'ptr' && typeof arg.len === 'object' && 'iovCountArg' in arg.len);
  const posArg = spec.args.findIndex((arg) => arg.kind === 'off64');
  const selfArg = 'allow' in spec.policy ? (spec.policy.selfArg ?? -1) : -1;
  const signalArg = 'allow' in spec.policy ? (spec.policy.signalArg ?? -1) : -1;
  return {
    spec,
    checks,
    block: BLOCK[spec.block],
    watchdog: spec.watchdog === undefined ? WATCHDOG.off : WATCHDOG[spec.watchdog],
    probe: spec.probe === undefined ? PROBE.none : (PROBES[spec.probe] ?? PROBE.none),
    flagsArg: spec.flagsArg ?? -1,
    selfArg,
    signalArg,
    copies: checks.some((check) => check.len === LEN.lenPtr || check.len === LEN.cstring || check.len === LEN.iov || check.len === LEN.msghdr),
    confinedArgs: [...new Set(checks.flatMap((check) => (check.len === LEN.arg || check.len === LEN.lenPtr || check.len === LEN.iov ? [check.index, check.n] : [check.index])))],
    iovArg,
    posArg,
    impl: spec.private === true ? (PRIVATE_IMPLS[spec.name] ?? null) : null,
  };
}

/** compileTable - every allowed-by-table row, indexed by x86-64 number. */
export function compileTable(): (CompiledSyscall | undefined)[] {
  const table: (CompiledSyscall | undefined)[] = [];
  for (const spec of SYSCALL_TABLE) {
    if (spec.x86_64 < 0 || isDenied(spec)) continue;
    table[spec.x86_64] = compileOne(spec);
  }
  return table;
}
