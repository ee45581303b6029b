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
  | {
      /** Index of the argument whose value is the length. */
      readonly arg: number;
      /** Bytes per unit of that value (a pollfd is 8), default 1. */
      readonly scale?: number;
    }
  | {
      /** A fixed struct size in bytes. */
      readonly size: number;
    }
  | {
      /** Index of the argument that points at a socklen_t holding the length. */
      readonly lenPtr: number;
    }
  | 'cstring'
  | {
      /** Index of the argument that holds the number of iovecs. */
      readonly iovCountArg: number;
    }
  | 'msghdr';

/** A pointer argument: which way data flows, how long it is, and whether NULL is allowed. */
export interface PointerArg {
  /** The argument's name in the man page (`buf`, `statbuf`...). */
  readonly name: string;
  /** Always `'ptr'`: tells pointer arguments from scalars. */
  readonly kind: 'ptr';
  /** Whether the kernel reads (`in`), writes (`out`) or both (`inout`) through it. */
  readonly dir: 'in' | 'out' | 'inout';
  /** How many bytes it spans, checked against engine memory before the call. */
  readonly len: PointerLength;
  /** Whether NULL is allowed (then nothing is checked). */
  readonly nullable?: boolean;
}

/** A scalar argument. */
export interface ScalarArg {
  /** The argument's name in the man page (`fd`, `count`, `flags`...). */
  readonly name: string;
  /** What kind of integer it is (fds and ints are sign-extended in compat32). */
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
 * - `resolve_cached`: openat is made as openat2 with RESOLVE_CACHED (path walk from the dcache only);
 * - `zero_timeout`: a ppoll without a timeout is made with a zero one: its answer when something is
 *   ready now, a hand-off when nothing is.
 */
export type Probe = 'rwf_nowait_read' | 'rwf_nowait_write' | 'msg_dontwait' | 'poll_in' | 'resolve_cached' | 'zero_timeout';

/**
 * The policy of a table entry: `allow`; `self`, allowed only when the target process is this one
 * (signals to self); or a hard deny with its reason. Users may narrow, never widen past the denies.
 */
export type PolicyRule =
  | {
      /** The call may run. */
      readonly allow: true;
      /** When set, the argument that must name this process (signals to self only). */
      readonly selfArg?: number;
      /**
       * When set, the argument holding a signal number: a signal in SELF_SIGNALS_DENIED
       * (SIGKILL, SIGSTOP, fault signals...) is refused even towards this process.
       */
      readonly signalArg?: number;
    }
  | {
      /** Why the call may never run from a syslet (the hard deny-list). */
      readonly deny: string;
    };

/** How one i386 argument word maps to the 64-bit call: converted by the 64-bit kind, or half of a split 64-bit value. */
export type I386Arg =
  | 'as64'
  | {
      /** The low half of 64-bit argument `lo`. */
      readonly lo: number;
    }
  | {
      /** The high half of 64-bit argument `hi`. */
      readonly hi: number;
    }
  | 'zero';

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
  /**
   * The syslet-private call compat32 converts the i386 call into, because the kernel's compat
   * entry answers differently from this x86-64 call (openat: no forced O_LARGEFILE, so EOVERFLOW).
   */
  readonly compat?: string;
}

/** One row of the architecture-independent syscall table. */
export interface SyscallSpec {
  /** The architecture-independent name (x86-64's spelling, or `syslet_*` for private calls). */
  readonly name: string;
  /** x86-64 number (private calls: the syslet-private number, the same on both ABIs). */
  readonly x86_64: number;
  /** i386 number, or -1 when i386 has no such call. */
  readonly i386: number;
  /** The arguments, in order, with their kinds. */
  readonly args: readonly ArgSpec[];
  /** Whether the call may block, and so how the inline path treats it. */
  readonly block: BlockClass;
  /**
   * Whether a cachemiss thread's watchdog (engine/cachemiss-watchdog.ts) may interrupt the call,
   * which is then made again: only where the kernel interrupts it before anything moved, so that
   * making it again is exactly what SA_RESTART would make the kernel do.
   * - `always`: accept4; recvfrom and recvmsg without MSG_WAITALL (a socket read returns as
   *   soon as some bytes came);
   * - `streams`: read, readv, preadv2 at the file position, when the fd is a FIFO or a socket
   *   (a pipe read waits only while it has read nothing; on a device such as /dev/zero a signal
   *   cuts a long read short after some bytes, an answer the uninterrupted call never gives).
   * Unset: the timer is off while the call runs — a signal would cut a write, a splice or a
   * device read short after some progress, or make a sleep, ppoll or connect answer EINTR.
   */
  readonly watchdog?: 'always' | 'streams';
  /** The non-blocking probe, for `block: 'probe'`. */
  readonly probe?: Probe;
  /** For `msg_dontwait`: the index of the flags argument. */
  readonly flagsArg?: number;
  /** Allowed (possibly only towards this process), or hard-denied with the reason. */
  readonly policy: PolicyRule;
  /** How the i386 call's argument words map to this one, when they differ. */
  readonly i386Shape?: I386Shape;
  /** True for syscalls the engine implements itself (umem_add...). */
  readonly private?: boolean;
}
