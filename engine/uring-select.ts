/**
 * Which engine makes an Engine's would-block calls: io_uring where the kernel allows it,
 * cachemiss threads otherwise or when forced, and why.
 *
 * Ring set-up flags, each attempt falling back to the next on EINVAL (a flag this kernel predates):
 *   1. SINGLE_ISSUER | DEFER_TASKRUN | TASKRUN_FLAG (6.1+): completion work runs only when the JS
 *      thread asks (io_uring_enter with GETEVENTS), in one batch, never inside an unrelated
 *      syscall an inline atom makes, and never by interrupting the thread;
 *   2. SINGLE_ISSUER | COOP_TASKRUN | TASKRUN_FLAG (5.19+): no IPI, work runs at the next syscall;
 *   3. no flags (5.1+).
 * SQPOLL is never used: its kernel thread spins on a core for sq_thread_idle ms after every
 * submission (measured: twice the CPU per read, three times per write, on two shared cores).
 *
 * A refusal is never an error: ENOSYS (no io_uring), EPERM (a seccomp profile, or
 * kernel.io_uring_disabled), ENOMEM (RLIMIT_MEMLOCK before 5.12), a missing feature or opcode,
 * an io_uring_enter that is refused after set-up — each selects threads and says why.
 */
import { readFileSync } from 'node:fs';
import {
  errnoName, probeOpcodes, setupRing, ringEnter, type RingMapping, EINVAL, ENOMEM,
  IORING_ENTER_GETEVENTS, IORING_FEAT_NODROP, IORING_FEAT_RW_CUR_POS, IORING_FEAT_SUBMIT_STABLE, IORING_OP, IORING_SETUP_CLAMP,
  IORING_SETUP_COOP_TASKRUN, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SINGLE_ISSUER, IORING_SETUP_TASKRUN_FLAG,
} from './native/index.js';
import { Ring } from './uring-ring.js';

/**
 * The engine option: `'auto'` (default) takes io_uring when the kernel allows it and no seccomp
 * filter is installed; `'io_uring'` takes it whenever the kernel allows it; `'threads'` never
 * uses it. SYSLET_AIO_ENGINE=threads in the environment forces threads whatever the option says.
 */
export type EngineKind = 'auto' | 'io_uring' | 'threads';

/** What was chosen, and why. */
export type EngineChoice =
  | { readonly engine: 'io_uring'; readonly ring: Ring; readonly setupFlags: string; readonly supportedOps: Uint8Array }
  | { readonly engine: 'threads'; readonly reason: string };

/** Kernel features without which the io_uring engine would change syslet semantics. */
const REQUIRED_FEATURES: readonly [number, string][] = [
  // CQEs are never dropped when the CQ is full: every completion is delivered exactly once.
  [IORING_FEAT_NODROP, 'NODROP'],
  // The kernel has consumed iovecs, paths, msghdrs by the time io_uring_enter returns.
  [IORING_FEAT_SUBMIT_STABLE, 'SUBMIT_STABLE'],
  // read/write/readv/writev at the file position (offset -1), as the syscalls do.
  [IORING_FEAT_RW_CUR_POS, 'RW_CUR_POS'],
];

const ATTEMPTS: readonly [number, string][] = [
  [IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG, 'SINGLE_ISSUER|DEFER_TASKRUN|TASKRUN_FLAG'],
  [IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, 'SINGLE_ISSUER|COOP_TASKRUN|TASKRUN_FLAG'],
  [0, 'none'],
];

/** Ring sizes: SQ entries bound one flush (one io_uring_enter); CQ entries bound requests in flight. */
export const SQ_ENTRIES = 256;
export const CQ_ENTRIES = 4096;
/** CQ sizes tried in turn while set-up answers ENOMEM (never below the SQ's). */
const CQ_ENTRIES_TRIED = [CQ_ENTRIES, 2048, 1024, 512];

/**
 * engineKindFrom - the engine kind asked for: the environment's SYSLET_AIO_ENGINE=threads wins
 * (an operator's switch), then the option, then `'auto'`.
 * @throws RangeError for an option value that is not an EngineKind.
 */
export function engineKindFrom(option: EngineKind | undefined, env: NodeJS.ProcessEnv = process.env): { kind: EngineKind; forcedBy: string | null } {
  if (option !== undefined && option !== 'auto' && option !== 'io_uring' && option !== 'threads') {
    throw new RangeError(`engine must be 'auto', 'io_uring' or 'threads', got ${String(option)}`);
  }
  if (env.SYSLET_AIO_ENGINE === 'threads') return { kind: 'threads', forcedBy: 'SYSLET_AIO_ENGINE=threads' };
  if (option === 'threads') return { kind: 'threads', forcedBy: 'engine option: threads' };
  return { kind: option ?? 'auto', forcedBy: null };
}

/**
 * selectEngine - set up the io_uring engine, or say why cachemiss threads are used instead.
 *
 * @param option - the Engine's `engine` option.
 * @returns the ring and what it was set up with, or `threads` and the reason.
 */
export function selectEngine(option?: EngineKind, env: NodeJS.ProcessEnv = process.env): EngineChoice {
  const { kind, forcedBy } = engineKindFrom(option, env);
  if (kind === 'threads') return { engine: 'threads', reason: forcedBy ?? 'threads' };
  if (kind === 'auto' && seccompFiltered()) {
    return { engine: 'threads', reason: 'a seccomp filter is installed: its rules would not see the calls io_uring makes (engine: \'io_uring\' overrides)' };
  }
  let mapping: RingMapping | number = -EINVAL;
  let flagsName = '';
  for (const [flags, name] of ATTEMPTS) {
    flagsName = name;
    // ENOMEM: the rings do not fit under RLIMIT_MEMLOCK (kernels that charge them to it; 64 KiB
    // was a common default): a smaller CQ may (SQ 256 / CQ 2048 fits 64 KiB, session 21).
    for (const cqEntries of CQ_ENTRIES_TRIED) {
      mapping = setupRing({ entries: SQ_ENTRIES, flags: flags | IORING_SETUP_CLAMP, cqEntries });
      if (mapping !== -ENOMEM) break;
    }
    if (typeof mapping !== 'number' || mapping !== -EINVAL) break;
  }
  if (typeof mapping === 'number') {
    const sysctl = readSysctl('/proc/sys/kernel/io_uring_disabled');
    const why = sysctl === null || sysctl === 0 ? '' : ` (kernel.io_uring_disabled = ${sysctl})`;
    return { engine: 'threads', reason: `io_uring_setup gave ${errnoName(mapping)}${why}` };
  }
  const ring = mapping;
  const missing = REQUIRED_FEATURES.filter(([bit]) => (ring.features & bit) === 0).map(([, name]) => name);
  if (missing.length > 0) {
    ring.release();
    return { engine: 'threads', reason: `io_uring lacks IORING_FEAT_${missing.join(', IORING_FEAT_')}` };
  }
  const ops = probeOpcodes(ring.fd);
  if (typeof ops === 'number' || ops[IORING_OP.READ] !== 1 || ops[IORING_OP.ASYNC_CANCEL] !== 1) {
    ring.release();
    return { engine: 'threads', reason: typeof ops === 'number' ? `IORING_REGISTER_PROBE gave ${errnoName(ops)}` : 'io_uring without IORING_OP_READ/ASYNC_CANCEL' };
  }
  // A filter may allow set-up and refuse io_uring_enter: find out now, not at the first request.
  const entered = ringEnter(ring.fd, 0, 0, IORING_ENTER_GETEVENTS);
  if (entered < 0) {
    ring.release();
    return { engine: 'threads', reason: `io_uring_enter gave ${errnoName(entered)}` };
  }
  return { engine: 'io_uring', ring: new Ring(ring), setupFlags: flagsName, supportedOps: ops };
}

/** Whether a seccomp filter is installed on this process (Seccomp: 2 in /proc/self/status). */
function seccompFiltered(): boolean {
  try {
    return /^Seccomp:\s*2\s*$/m.test(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return false;
  }
}

function readSysctl(file: string): number | null {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isNaN(value) ? null : value;
  } catch {
    return null;
  }
}
