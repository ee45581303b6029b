/**
 * The vocabulary of the syscall table: how each argument is understood (so the engine can check
 * that every pointer a call reads or writes through lies in memory it owns), whether the call may
 * block and which non-blocking probe exists, and what the policy says.
 */

/** A scalar argument. Scalars are passed through as 64-bit words; `int`/`fd` are sign-extended in compat32. */
export type ScalarKind = 'int' | 'uint' | 'fd' | 'size' | 'off64' | 'flags' | 'pid' | 'signo' | 'clock' | 'mode' | 'ptrval';

/**
 * How long the memory behind a pointer argument is:
 * - `{ arg: i }`: the value of argument i (times `scale`, default 1);
 * - `{ size: n }`: a fixed-size struct;
 * - `{ lenPtr: i }`: a socklen_t that argument i points to (sockaddr/optval outputs);
 * - `'cstring'`: up to and including the NUL, which must lie in the same region;
 * - `{ iovCountArg: i }`: an array of struct iovec, each buffer checked too;
 * - `'msghdr'`: a struct msghdr with its name, iovecs and control buffer checked too.
 */
export type PointerLength =
  | { readonly arg: number; readonly scale?: number }
  | { readonly size: number }
  | { readonly lenPtr: number }
  | 'cstring'
  | { readonly iovCountArg: number }
  | 'msghdr';

/** A pointer argument: which way data flows, how long it is, and whether NULL is allowed. */
export interface PointerArg {
  readonly name: string;
  readonly kind: 'ptr';
  readonly dir: 'in' | 'out' | 'inout';
  readonly len: PointerLength;
  readonly nullable?: boolean;
}

/** A scalar argument. */
export interface ScalarArg {
  readonly name: string;
  readonly kind: ScalarKind;
}

/** One argument of a syscall. */
export type ArgSpec = PointerArg | ScalarArg;

/**
 * Whether a call may block, and how the inline fast path finds out before it does:
 * - `never`: runs inline (getpid, close, fstat...);
 * - `probe`: try the non-blocking variant first; on EAGAIN hand the chain to a cachemiss thread;
 * - `handoff`: may block and no probe exists: hand off at once (fsync, connect, nanosleep...).
 */
export type BlockClass = 'never' | 'probe' | 'handoff';

/**
 * The non-blocking probes:
 * - `rwf_nowait_read` / `rwf_nowait_write`: the call is made as preadv2/pwritev2 with RWF_NOWAIT;
 * - `msg_dontwait`: MSG_DONTWAIT is or-ed into the flags argument (`flagsArg`);
 * - `poll_in`: a zero-timeout ppoll says whether the fd is readable (accept4);
 * - `resolve_cached`: openat is made as openat2 with RESOLVE_CACHED (path walk from the dcache only).
 */
export type Probe = 'rwf_nowait_read' | 'rwf_nowait_write' | 'msg_dontwait' | 'poll_in' | 'resolve_cached';

/**
 * The policy of a table entry: `allow`; `self`, allowed only when the target process is this one
 * (signals to self); or a hard deny with its reason. Users may narrow, never widen past the denies.
 */
export type PolicyRule = { readonly allow: true; readonly selfArg?: number } | { readonly deny: string };

/** How one i386 argument word maps to the 64-bit call: converted by the 64-bit kind, or half of a split 64-bit value. */
export type I386Arg = 'as64' | { readonly lo: number } | { readonly hi: number } | 'zero';

/** A struct that differs between the i386 and x86-64 ABIs and must be converted in compat32. */
export type Compat32Struct = 'iovec' | 'timespec' | 'stat64' | 'siginfo' | 'msghdr';

/** The i386 shape of a call, when it differs from "the same arguments, each 32 bits". */
export interface I386Shape {
  /** The i386 syscall's name when it differs (fstat64, ftruncate64, fadvise64_64...). */
  readonly name?: string;
  /** One entry per i386 argument word: where it goes in the 64-bit call. */
  readonly args?: readonly I386Arg[];
  /** 64-bit argument index → the struct that must be converted on the way in and/or out. */
  readonly structs?: Readonly<Record<number, Compat32Struct>>;
}

/** One row of the architecture-independent syscall table. */
export interface SyscallSpec {
  /** The architecture-independent name (x86-64's spelling, or `syslet_*` for private calls). */
  readonly name: string;
  /** x86-64 number (private calls: the syslet-private number, the same on both ABIs). */
  readonly x86_64: number;
  /** i386 number, or -1 when i386 has no such call. */
  readonly i386: number;
  readonly args: readonly ArgSpec[];
  readonly block: BlockClass;
  readonly probe?: Probe;
  /** For `msg_dontwait`: the index of the flags argument. */
  readonly flagsArg?: number;
  readonly policy: PolicyRule;
  readonly i386Shape?: I386Shape;
  /** True for syscalls the engine implements itself (umem_add...). */
  readonly private?: boolean;
}
