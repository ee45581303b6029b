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
export const BLOCK = { never: 0, probe: 1, handoff: 2 } as const;
/** Probes as integers. */
export const PROBE = { none: 0, rwfRead: 1, rwfWrite: 2, dontwait: 3, pollIn: 4, resolveCached: 5 } as const;

/** One pointer argument to check before the call. */
export interface PointerCheck {
  readonly index: number;
  readonly len: (typeof LEN)[keyof typeof LEN];
  /** Argument index (arg, lenPtr, iov count) or byte size (size). */
  readonly n: number;
  readonly scale: number;
  readonly nullable: boolean;
}


/** One compiled row. */
export interface CompiledSyscall {
  readonly spec: SyscallSpec;
  readonly checks: readonly PointerCheck[];
  readonly block: number;
  readonly probe: number;
  readonly flagsArg: number;
  /** For signals-to-self calls: the argument that must equal our pid; -1 otherwise. */
  readonly selfArg: number;
  /** The iovec-array argument (readv family), -1 otherwise. */
  readonly iovArg: number;
  /** The offset argument for positional probes, -1 for "current position". */
  readonly posArg: number;
  readonly impl: PrivateImpl | null;
}

function compilePointer(index: number, arg: PointerArg): PointerCheck {
  const nullable = arg.nullable === true;
  const len = arg.len;
  if (len === 'cstring') return { index, len: LEN.cstring, n: 0, scale: 1, nullable };
  if (len === 'msghdr') return { index, len: LEN.msghdr, n: 0, scale: 1, nullable };
  if ('size' in len) return { index, len: LEN.size, n: len.size, scale: 1, nullable };
  if ('lenPtr' in len) return { index, len: LEN.lenPtr, n: len.lenPtr, scale: 1, nullable };
  if ('iovCountArg' in len) return { index, len: LEN.iov, n: len.iovCountArg, scale: 1, nullable };
  return { index, len: LEN.arg, n: len.arg, scale: len.scale ?? 1, nullable };
}

const PROBES: Record<string, number> = {
  rwf_nowait_read: PROBE.rwfRead,
  rwf_nowait_write: PROBE.rwfWrite,
  msg_dontwait: PROBE.dontwait,
  poll_in: PROBE.pollIn,
  resolve_cached: PROBE.resolveCached,
};

/** compileOne - the executor's form of one table row. */
export function compileOne(spec: SyscallSpec): CompiledSyscall {
  const checks: PointerCheck[] = [];
  spec.args.forEach((arg, index) => {
    if (arg.kind === 'ptr') checks.push(compilePointer(index, arg));
  });
  const iovArg = spec.args.findIndex((arg) => arg.kind === 'ptr' && typeof arg.len === 'object' && 'iovCountArg' in arg.len);
  const posArg = spec.args.findIndex((arg) => arg.kind === 'off64');
  const selfArg = 'allow' in spec.policy ? (spec.policy.selfArg ?? -1) : -1;
  return {
    spec,
    checks,
    block: BLOCK[spec.block],
    probe: spec.probe === undefined ? PROBE.none : (PROBES[spec.probe] ?? PROBE.none),
    flagsArg: spec.flagsArg ?? -1,
    selfArg,
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
