/**
 * The syscall policy. The table's hard deny-list can never be widened; each engine may narrow
 * what is allowed further. The allowed set lives in a SharedArrayBuffer so that cachemiss threads
 * see a narrowing at once. A denied call yields -EPERM in the atom's result and a trace record
 * naming the rule; an unknown number yields -ENOSYS.
 */
import { EPERM, ENOSYS } from './native/index.js';
import { SYSCALL_TABLE, isDenied, syscallByName, syscallByNumber } from './syscalls/table.js';

/** One past the largest x86-64 number (private ones included) the policy can hold. */
export const POLICY_SLOTS = 1100;

const ALLOWED = 1;
const DENIED_HARD = 2;
const DENIED_NARROWED = 3;

/** A record of one denied atom: what was asked, where, and which rule said no. */
export interface TraceRecord {
  /** The atom's address. */
  readonly atom: number;
  /** The x86-64 syscall number it asked for. */
  readonly nr: number;
  /** That call's name in the syscall table, or `nr <n>` for a number the table lacks. */
  readonly name: string;
  /** `hard-deny: <reason>`, `narrowed: not in this engine's allow-list`, or `self-only: ...`. */
  readonly rule: string;
  /** Where the atom ran: inline in the submitting call, or on a cachemiss thread. */
  readonly thread: 'inline' | 'cachemiss';
}

/** An engine's policy: which x86-64 syscall numbers its atoms may run. */
export class Policy {
  readonly #state: Uint8Array;

  /** Creates the widest policy (everything the table supports), or adopts a shared state. */
  constructor(shared?: SharedArrayBuffer) {
    this.#state = new Uint8Array(shared ?? new SharedArrayBuffer(POLICY_SLOTS));
    if (shared !== undefined) return;
    for (const spec of SYSCALL_TABLE) {
      if (spec.x86_64 < 0 || spec.x86_64 >= POLICY_SLOTS) continue;
      this.#state[spec.x86_64] = isDenied(spec) ? DENIED_HARD : ALLOWED;
    }
    if (process.env.SYSLET_AIO_DISABLED === '1') this.#state.fill(DENIED_NARROWED);
  }

  /** The state to hand to cachemiss threads. */
  get shared(): SharedArrayBuffer {
    return this.#state.buffer as SharedArrayBuffer;
  }

  /**
   * check - whether an x86-64 number may run.
   * @returns 0 when allowed, -EPERM when denied (hard or narrowed), -ENOSYS when unknown.
   */
  check(nr: number): number {
    const state = nr >= 0 && nr < POLICY_SLOTS ? this.#state[nr] : 0;
    if (state === ALLOWED) return 0;
    return state === DENIED_HARD || state === DENIED_NARROWED ? -EPERM : -ENOSYS;
  }

  /**
   * allowsAll - whether every one of `numbers` may run: a caller that makes a chain's calls
   * directly rather than as atoms (fs/direct.ts, plugins/reader.ts) asks this first, per call (a
   * policy can be narrowed at any time), and otherwise runs the chain, whose atoms meet the denial
   * and report it.
   */
  allowsAll(numbers: readonly number[]): boolean {
    for (let i = 0; i < numbers.length; i++) if (this.check(numbers[i] as number) !== 0) return false;
    return true;
  }

  /** ruleFor - the rule that denies `nr`, for trace records. */
  ruleFor(nr: number): string {
    const spec = syscallByNumber(nr);
    if (spec !== undefined && isDenied(spec)) return `hard-deny: ${spec.policy.deny}`;
    return 'narrowed: not in this engine\'s allow-list';
  }

  /**
   * narrow - allow only the named calls from now on (others become -EPERM). Narrowing is
   * one-way: a later call can only remove more.
   *
   * @param names - architecture-independent names from the table (`'pread64'`, `'umem_add'`...).
   * @throws RangeError naming the first unknown or hard-denied name; nothing changes then.
   */
  narrow(names: readonly string[]): void {
    const keep = new Set<number>();
    for (const name of names) {
      const spec = syscallByName(name);
      if (spec === undefined) throw new RangeError(`policy: unknown syscall '${name}'`);
      if (isDenied(spec)) throw new RangeError(`policy: '${name}' is on the hard deny-list (${spec.policy.deny})`);
      keep.add(spec.x86_64);
    }
    for (let nr = 0; nr < POLICY_SLOTS; nr++) {
      if (this.#state[nr] === ALLOWED && !keep.has(nr)) this.#state[nr] = DENIED_NARROWED;
    }
  }

  /** allowedNames - the calls this policy lets run, by name. */
  allowedNames(): string[] {
    return SYSCALL_TABLE.filter((spec) => spec.x86_64 >= 0 && spec.x86_64 < POLICY_SLOTS && this.#state[spec.x86_64] === ALLOWED).map((spec) => spec.name);
  }
}
