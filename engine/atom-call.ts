/**
 * One atom's call, for the executor (engine/executor.ts walks the chain): reads the arguments
 * through their pointers when the atom runs, applies the policy, the self-only rules and
 * confinement, and makes the call — its non-blocking form inline, the ring or a hand-off when it
 * would block, the plain call on a cachemiss thread. Split from executor.ts by job.
 *
 * The hot path allocates nothing: the argument array and the probe scratch are reused.
 */
import { syscall, syscallWord, signalHandledForGood, type Word, EFAULT, EINVAL, EPERM } from './native/index.js';
import { ATOM, MAX_ARGS, SYSLET_SYNC } from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Policy } from './policy.js';
import type { DenyLog } from './deny-log.js';
import { compileTable, PROBE, BLOCK, WATCHDOG, type CompiledSyscall } from './compiled-table.js';
import { MSG_WAITALL } from './syscalls/constants.generated.js';
import { Confinement } from './confinement.js';
import { SELF_SIGNALS_DENIED, SELF_SIGNALS_ENDING_BY_DEFAULT } from './syscalls/table.js';
import { NR } from './syscalls/nr.js';
import { readPointer, readWord } from './words.js';
import type { ExecutorOptions, RingPort } from './executor-types.js';
import { HANDOFF, Prober } from './probe.js';
import { callOnRemoteMount } from './remote-mounts.js';
import { AtomDecoder, type DecodedAtom } from './atom-decode.js';

const SYS_getpid = NR.getpid;
const TWO32 = 4294967296;
/** Highest high word for which a 64-bit word is still an exact double (as engine/words.ts). */
const SAFE_HIGH = 0x200000;

/** Marker result: the call was made as an io_uring request (see RingPort). */
export const RING = Symbol('ring');

/** Makes one atom's call for the executor that owns it (one per executor). */
export class AtomCall {
  readonly #memory: MemoryRegistry;
  readonly #policy: Policy;
  readonly #options: ExecutorOptions;
  readonly #table: readonly (CompiledSyscall | undefined)[];
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  readonly #pid: number;
  readonly #confinement: Confinement;
  readonly #denies: DenyLog;
  readonly #prober: Prober;

  constructor(memory: MemoryRegistry, policy: Policy, options: ExecutorOptions, denies: DenyLog) {
    this.#memory = memory;
    this.#policy = policy;
    this.#options = options;
    this.ring = options.ring;
    this.#table = compileTable();
    this.#pid = syscall(SYS_getpid);
    this.#confinement = new Confinement(memory);
    this.#prober = new Prober(this.#confinement, options.unprobeableWrite);
    this.#denies = denies;
    this.decoder = new AtomDecoder(memory, this.#table);
  }

  /** The atoms this executor has decoded (engine/atom-decode.ts). */
  readonly decoder: AtomDecoder;

  // Set by Executor.run for the atom it executes: SYSLET_ASYNC on the first atom of a chain, with the
  // ring: skip the probe and go to the ring (or a thread) at once.
  forceAsync = false;
  // Where would-block calls go first (ExecutorOptions.ring), unless the chain being run stays
  // off the ring (see useRing).
  ring: RingPort | undefined;

  /** useRing - see Executor.useRing: whether would-block calls may go to the ring from now on. */
  useRing(allowed: boolean): void {
    this.ring = allowed ? this.#options.ring : undefined;
  }

  /** Where a would-block call goes: the ring when it takes the call, else a cachemiss thread. */
  #ringOrHandoff(compiled: CompiledSyscall, nr: number, args: Word[], takesOffsets = false, punt = false): typeof RING | typeof HANDOFF {
    const ring = this.ring;
    if (ring === undefined) return HANDOFF;
    // (A call on a FUSE, NFS... file is punted too: the ring asks, RingPort.prepare.)
    return ring.prepare(compiled, nr, args, this.#confinement.copied ? this.#confinement : null, takesOffsets, punt) ? RING : HANDOFF;
  }

  /**
   * mayBeInterrupted - whether an -EINTR from call `nr` can be a signal's: only a call that may
   * sleep (its block class is not `never`) is interrupted by one. A call that never sleeps
   * answers -4 as what it is: umem_add's new value, read_size's or aio_status's word, close's own
   * final answer (the fd is gone: making it again could close a reused number).
   */
  mayBeInterrupted(nr: number): boolean {
    const compiled = this.#table[nr];
    return compiled !== undefined && compiled.block !== BLOCK.never;
  }

  /**
   * (A cachemiss thread, before a call that may block) whether its watchdog runs during this
   * call, for these arguments (SyscallSpec.watchdog): a socket read unless MSG_WAITALL; a read
   * at the file position only on a FIFO or a socket (the fd asked now: numbers are reused).
   */
  #watchdogBefore(compiled: CompiledSyscall, args: readonly Word[]): void {
    const watchdog = this.#options.watchdog;
    if (watchdog === undefined) return;
    const kind = compiled.watchdog;
    let runs = false;
    if (kind === WATCHDOG.always) {
      runs = compiled.flagsArg < 0 || (Number(args[compiled.flagsArg]) & MSG_WAITALL) === 0;
    } else if (kind === WATCHDOG.streams) {
      runs = (compiled.posArg < 0 || args[compiled.posArg] === -1) && watchdog.isStream(args[0] as Word);
    }
    watchdog.before(runs);
  }

  /** Reads the arguments, applies policy and confinement, and makes the call. */
  execute(region: Region, base: number, atom: number, flags: number, inline: boolean): number | bigint | typeof HANDOFF | typeof RING {
    const view = region.view;
    const nr = view.getUint32(base + ATOM.nr, true);
    if (view.getUint32(base + ATOM.nr + 4, true) !== 0) return -EINVAL;
    const verdict = this.#policy.check(nr);
    if (verdict !== 0) {
      // (An ASYNC atom the ring cannot take is denied on its thread: one record, not two.)
      if (verdict === -EPERM && !this.forceAsync) this.#denies.record(atom, nr, this.#policy.ruleFor(nr), inline);
      return verdict;
    }
    const compiled = this.#table[nr];
    if (compiled === undefined) return -EINVAL;
    const args = this.#args;
    // Arguments are read through their pointers now, at execution time, up to the first NULL
    // pointer (as copy_uatom did): later atoms see what earlier ones wrote.
    const start = region.start;
    const end = region.end;
    let i = 0;
    for (; i < MAX_ARGS; i++) {
      const pointer = readPointer(view, base + ATOM.arg_ptr + i * 8);
      if (pointer === 0) break;
      // Cells usually sit in the atom's own region (a plugin instance is one slab).
      const cell = pointer <= 0 ? null : pointer >= start && pointer + 8 <= end ? region : this.#memory.find(pointer, 8);
      if (cell === null) return -EFAULT;
      args[i] = readWord(cell.view, pointer - cell.start);
    }
    for (; i < MAX_ARGS; i++) args[i] = 0;
    return this.#checkAndCall(compiled, nr, args, flags, inline, atom, null);
  }

  /**
   * executeDecoded - {@link execute} for an atom the decoder vouches for (its words are the ones
   * decoded, its cells' regions still there): the same policy check, the arguments read through
   * the decoded pointers now, the same checks and call.
   */
  executeDecoded(decoded: DecodedAtom, atom: number, inline: boolean): number | bigint | typeof HANDOFF | typeof RING {
    const nr = decoded.nr;
    const verdict = this.#policy.check(nr);
    if (verdict !== 0) {
      if (verdict === -EPERM && !this.forceAsync) this.#denies.record(atom, nr, this.#policy.ruleFor(nr), inline);
      return verdict;
    }
    const args = this.#args;
    const count = decoded.argCount;
    const pointers = decoded.argPointers;
    const regions = decoded.argRegions;
    const cells = decoded.argCells;
    let i = 0;
    for (; i < count; i++) {
      const cell = cells[i] as Int32Array | null;
      // The value as readWord reads it, through the cell's int32s while it is exact as a number.
      const high = cell !== null ? cell[1] : undefined;
      if (high !== undefined && high >= -SAFE_HIGH && high < SAFE_HIGH) {
        args[i] = high * TWO32 + (((cell as Int32Array)[0] as number) >>> 0);
      } else {
        const region = regions[i] as Region;
        args[i] = readWord(region.view, (pointers[i] as number) - region.start);
      }
    }
    for (; i < MAX_ARGS; i++) args[i] = 0;
    return this.#checkAndCall(decoded.compiled as CompiledSyscall, nr, args, decoded.flags, inline, atom, decoded);
  }

  /**
   * confine - (a canned chain, engine/executor-canned.ts) the confinement check of a call that
   * copies nothing, for these argument values, as {@link executeDecoded} makes it.
   * @returns 0, or the answer the call gets instead of being made (-EFAULT...).
   */
  confine(compiled: CompiledSyscall, args: Word[]): number {
    return this.#confinement.check(compiled, args);
  }

  /** After {@link confine} passed for a private call: per argument index, the region its check found. */
  get confinedRegions(): readonly (Region | null)[] {
    return this.#confinement.regions;
  }

  /**
   * cannedRead - (inline) a canned chain's positional probed read (pread64: no self-only rule,
   * nothing copied, no SYSLET_SYNC or SYSLET_ASYNC) whose confinement check is remembered to pass
   * for these argument values: what {@link executeDecoded} then does, without its dispatch — the
   * probe, and the ring or a hand-off when it would block.
   */
  cannedRead(compiled: CompiledSyscall, nr: number, args: Word[]): number | typeof HANDOFF | typeof RING {
    this.#confinement.passedRemembered();
    const prober = this.#prober;
    // Too many bytes to copy on the event loop's thread, however cached (probe.ts INLINE_COPY_BYTES).
    if (prober.tooLargeInline(compiled, args)) return this.#ringOrHandoff(compiled, nr, args, false, true);
    const ring = this.ring;
    if (ring === undefined) return prober.probe(compiled, nr, args);
    const fd = args[0] as Word;
    if (ring.skipProbe(fd)) return this.#ringOrHandoff(compiled, nr, args);
    prober.iovecsAdvanced = false;
    const result = prober.probe(compiled, nr, args);
    const answered = typeof result === 'number';
    ring.probed(fd, answered);
    if (answered) return result;
    // (A positional probe that would block was not refused with ESPIPE: the fd takes offsets.)
    return prober.iovecsAdvanced ? HANDOFF : this.#ringOrHandoff(compiled, nr, args, true);
  }

  /**
   * cannedPrivate - (inline) a canned chain's syslet-private call that never blocks (no
   * self-only rule, nothing copied, no SYSLET_SYNC or SYSLET_ASYNC) whose confinement check is
   * remembered to pass for these argument values, with the regions that check found.
   */
  cannedPrivate(compiled: CompiledSyscall, args: Word[], regions: readonly (Region | null)[]): number | bigint | typeof HANDOFF {
    this.#confinement.passedRemembered();
    const result = (compiled.impl as NonNullable<CompiledSyscall['impl']>)(args, this.#memory, true, regions);
    return typeof result === 'symbol' ? HANDOFF : result;
  }

  /** The self-only rules, confinement (remembered per decoded atom) and the call, once the arguments are read. */
  #checkAndCall(compiled: CompiledSyscall, nr: number, args: Word[], flags: number, inline: boolean, atom: number, decoded: DecodedAtom | null): number | bigint | typeof HANDOFF | typeof RING {
    if (compiled.selfArg >= 0) {
      // (An ASYNC atom the ring cannot take is denied on its thread: one record, not two.)
      if (args[compiled.selfArg] !== this.#pid) {
        if (!this.forceAsync) this.#denies.record(atom, nr, `self-only: ${compiled.spec.name} may only target this process (${this.#pid})`, inline);
        return -EPERM;
      }
      // The kernel reads `int sig`: the word's low 32 bits (ToInt32 for a number word, exact for
      // every integral double). The whole word looked up let kill(getpid(), 2^32 + 9) through
      // (hunt26: SIGKILL, SIGSTOP, SIGSEGV delivered), and a bigint word was not looked at at all.
      const word = args[compiled.signalArg];
      const signal = typeof word === 'bigint' ? Number(BigInt.asIntN(32, word)) : (word as number) | 0;
      const refused = SELF_SIGNALS_DENIED[signal];
      if (refused !== undefined) {
        if (!this.forceAsync) this.#denies.record(atom, nr, `self-only: ${compiled.spec.name} may not send ${refused.name} (${String(signal)}) to this process: ${refused.reason}`, inline);
        return -EPERM;
      }
      const ending = SELF_SIGNALS_ENDING_BY_DEFAULT[signal];
      // Asked when the atom runs, not remembered: process.on/off install and remove handlers.
      if (ending !== undefined && signalHandledForGood(signal) === 0) {
        if (!this.forceAsync) this.#denies.record(atom, nr, `self-only: ${compiled.spec.name} may not send ${ending} (${String(signal)}) to this process: it has no lasting handler, and its default action ends the process`, inline);
        return -EPERM;
      }
    }
    if (compiled.checks.length === 0) {
      // Nothing checked, nothing copied (the ring must not take a previous call's copies).
      this.#confinement.copied = false;
      if (compiled.impl !== null) return this.#private(compiled, args, flags, inline);
    } else {
      const confinement = this.#confinement;
      const check = decoded === null ? confinement.check(compiled, args) : confinement.checkRemembered(compiled, args, decoded);
      if (check !== 0) return check;
      if (confinement.copied) {
        this.#options.betweenCheckAndCall?.(nr);
        const result = compiled.impl !== null ? this.#private(compiled, args, flags, inline) : this.#call(compiled, nr, args, flags, inline);
        // A request in the ring has its own copies, written back when it completes.
        if (typeof result !== 'symbol') confinement.writeBack(result);
        return result;
      }
      if (compiled.impl !== null) return this.#private(compiled, args, flags, inline);
    }
    return this.#call(compiled, nr, args, flags, inline);
  }

  /**
   * Runs a syslet-private call. Inline, a call that may block either hands off at once (no probe)
   * or answers WOULD_BLOCK (the compat calls probe the dcache), and the chain moves to a thread.
   */
  #private(compiled: CompiledSyscall, args: Word[], flags: number, inline: boolean): number | bigint | typeof HANDOFF {
    // SYSLET_ASYNC with the ring: no inline attempt, and a private call has no opcode.
    if (this.forceAsync) return HANDOFF;
    const mayNotBlock = inline && (flags & SYSLET_SYNC) === 0;
    if (mayNotBlock && compiled.block === BLOCK.handoff) return HANDOFF;
    if (!inline && compiled.block !== BLOCK.never) this.#watchdogBefore(compiled, args);
    const result = (compiled.impl as NonNullable<CompiledSyscall['impl']>)(args, this.#memory, mayNotBlock, this.#confinement.regions);
    // (WOULD_BLOCK is the only symbol an implementation returns; `typeof` keeps the test typed.)
    return typeof result === 'symbol' ? HANDOFF : result;
  }

  /** Makes a checked call: its non-blocking form inline, the plain call on a cachemiss thread. */
  #call(compiled: CompiledSyscall, nr: number, args: Word[], flags: number, inline: boolean): Word | typeof HANDOFF | typeof RING {
    // SYSLET_ASYNC with the ring: no inline attempt.
    if (this.forceAsync) return this.#ringOrHandoff(compiled, nr, args);
    if (inline && (flags & SYSLET_SYNC) === 0) {
      if (compiled.block === BLOCK.handoff) return this.#ringOrHandoff(compiled, nr, args);
      if (compiled.block === BLOCK.probe) {
        const reads = compiled.probe === PROBE.rwfRead;
        // Too many bytes to copy on the event loop's thread, however cached (probe.ts INLINE_COPY_BYTES).
        if ((reads || compiled.probe === PROBE.rwfWrite) && this.#prober.tooLargeInline(compiled, args)) return this.#ringOrHandoff(compiled, nr, args, false, true);
        const ring = this.ring;
        if (ring === undefined) return this.#prober.probe(compiled, nr, args);
        // A file whose reads keep missing the page cache: the probe only costs (and starts the
        // read-ahead synchronously, on this thread); io_uring tries non-blocking first itself.
        if (reads && ring.skipProbe(args[0] as Word)) return this.#ringOrHandoff(compiled, nr, args);
        const prober = this.#prober;
        prober.iovecsAdvanced = false;
        prober.writeProbeSkipped = false;
        prober.openNeedsThread = false;
        const result = prober.probe(compiled, nr, args);
        // (The probe answers a number or HANDOFF.)
        const answered = typeof result === 'number';
        if (reads) ring.probed(args[0] as Word, answered);
        if (answered) return result;
        // A short preadv that could not be finished without blocking advanced the private copy
        // of its iovecs past what it read: the thread makes the whole call again from the atom.
        // A positional probe that would block was not refused with ESPIPE (the syscall's check
        // comes first): the fd takes offsets, and the ring need not lseek to find out. (Not when
        // the probe was skipped on a remembered EOPNOTSUPP: the ring asks the kernel then.)
        // An open that found a FIFO or a device waits on a thread, as the caller's blocking open (open-probe.ts).
        return prober.iovecsAdvanced || prober.openNeedsThread ? HANDOFF : this.#ringOrHandoff(compiled, nr, args, compiled.posArg >= 0 && (reads || compiled.probe === PROBE.rwfWrite) && !prober.writeProbeSkipped);
      }
    }
    // A call made inline as it is (one that never blocks on a local file, or a SYSLET_SYNC one)
    // on a FUSE, NFS... file waits for the server: fstat's GETATTR, close's FLUSH, a statx of a
    // path whose attributes timed out. A cachemiss thread makes it (remote-mounts.ts).
    if (inline && callOnRemoteMount(nr, args)) return HANDOFF;
    // (A cachemiss thread: its watchdog runs only for a call it may interrupt; see SyscallSpec.watchdog.)
    if (!inline && compiled.block !== BLOCK.never) this.#watchdogBefore(compiled, args);
    // Exactly: lseek may answer beyond 2^53, and the result cell holds the whole word.
    return syscallWord(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  }

}
