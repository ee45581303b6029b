/**
 * The sequences of the POSIX-vs-glibc differential fuzz (test/fuzz/posix-vs-glibc.ts): from a
 * seed, a random sequence of <aio.h> calls over a fixed world of targets. A sequence is plain
 * JSON (steps that name targets and aiocb slots, never fds or addresses), so the same sequence
 * runs in a glibc child and in a syslet child, and a shrinker can drop steps from it.
 *
 * The generator draws freely; what would make a run nondeterministic or unsafe (an overlapping
 * write in flight, a resubmitted aiocb still in progress, a LIO_WAIT on a pipe read that nothing
 * feeds) is settled by the runner (posix-vs-glibc-run.ts) by the same rule in both children, so
 * that any sub-sequence the shrinker makes is as safe as the original.
 */
import { Prng } from './prng.js';

/**
 * The world's targets. f0/f0ro are one regular file opened O_RDWR and O_RDONLY; f1 another;
 * app an O_APPEND file; pipeR/pipeW a pipe the sequence feeds itself (steps `feed`); sockA/sockB a
 * SOCK_STREAM socketpair (sockA writes, sockB reads); zero /dev/zero, null /dev/null; bad is -1;
 * closed an fd number opened then closed before the sequence.
 */
export const TARGETS = ['f0', 'f0ro', 'f1', 'app', 'pipeR', 'pipeW', 'sockA', 'sockB', 'zero', 'null', 'bad', 'closed'] as const;
export type Target = (typeof TARGETS)[number];

/** Regular files (the file a target writes, for content comparison). */
export const FILE_OF: Partial<Record<Target, 'f0' | 'f1' | 'app'>> = { f0: 'f0', f0ro: 'f0', f1: 'f1', app: 'app' };
/** Stream ends that a read can block on until the sequence feeds them. */
export const STREAM_READ: ReadonlySet<Target> = new Set<Target>(['pipeR', 'sockB', 'sockA']);
export const STREAMS: ReadonlySet<Target> = new Set<Target>(['pipeR', 'pipeW', 'sockA', 'sockB']);

/** How a request asks to be notified: SIGEV_NONE, SIGEV_THREAD (counted), or a zeroed C sigevent (SIGEV_SIGNAL, signal 0: nothing is sent). */
export type Notify = 'none' | 'thread' | 'signal0';

/** One request's fields. `bufLen` < `n` is the "huge nbytes on a short buffer" case (reads only). */
export interface RequestSpec {
  readonly cb: number;
  readonly t: Target;
  readonly off: number;
  readonly n: number;
  readonly bufLen: number;
  readonly prio: number;
  readonly notify: Notify;
  /** aio_buf NULL. */
  readonly nullBuf?: boolean;
}

export interface LioEntry extends RequestSpec {
  /** LIO_READ, LIO_WRITE, LIO_NOP, or an opcode glibc does not know (7). */
  readonly opc: 'read' | 'write' | 'nop' | 'bad';
}

export type Step =
  | ({ readonly op: 'read' | 'write' } & RequestSpec)
  | { readonly op: 'fsync'; readonly cb: number; readonly t: Target; readonly mode: 'sync' | 'dsync' | 'bad'; readonly notify: Notify }
  | { readonly op: 'lio'; readonly mode: 'wait' | 'nowait'; readonly entries: readonly (LioEntry | null)[]; readonly nent: number; readonly sig: Notify | 'null' }
  | { readonly op: 'suspend'; readonly cbs: readonly (number | null)[]; readonly nent: number; readonly timeoutMs: number | null }
  | { readonly op: 'cancel'; readonly t: Target; readonly cb: number | null }
  | { readonly op: 'observe'; readonly cb: number }
  | { readonly op: 'wait'; readonly cb: number }
  | { readonly op: 'feed'; readonly ch: 'pipe' | 'sock'; readonly n: number };

/** A sequence: the world's seed (file sizes and patterns) and its steps. */
export interface Sequence {
  readonly seed: number;
  /** Initial sizes of f0, f1, app. */
  readonly sizes: readonly [number, number, number];
  readonly steps: readonly Step[];
}

const SLOTS = 12;

function pickOffset(rng: Prng): number {
  const r = rng.int(20);
  if (r === 0) return -1;
  if (r === 1) return -4096;
  if (r < 5) return 0;
  if (r < 8) return rng.int(8) * 512;
  if (r < 10) return 9000 + rng.int(12000); // past the end of most files
  return rng.int(8192);
}

function pickCount(rng: Prng): number {
  const r = rng.int(12);
  if (r === 0) return 0;
  if (r < 3) return 1 + rng.int(16);
  if (r < 9) return 1 + rng.int(1024);
  return 1 + rng.int(4096);
}

function pickTarget(rng: Prng, op: 'read' | 'write' | 'any'): Target {
  // Weighted: files most, streams and devices often, invalid fds sometimes.
  const common: Target[] = ['f0', 'f0', 'f1', 'app', 'zero', 'null'];
  const reads: Target[] = ['f0ro', 'pipeR', 'sockB'];
  const writes: Target[] = ['pipeW', 'sockA', 'f0ro'];
  const rare: Target[] = ['bad', 'closed', 'pipeR', 'pipeW', 'sockB', 'sockA'];
  if (rng.chance(0.1)) return rng.pick(rare);
  if (op === 'read') return rng.pick([...common, ...reads]);
  if (op === 'write') return rng.pick([...common, ...writes]);
  return rng.pick([...common, ...reads, ...writes]);
}

function pickNotify(rng: Prng): Notify {
  return rng.pick<Notify>(['none', 'none', 'thread', 'thread', 'signal0']);
}

function pickRequest(rng: Prng, op: 'read' | 'write', cb: number): RequestSpec {
  const t = pickTarget(rng, op);
  let n = pickCount(rng);
  let bufLen = Math.max(n, 1);
  // Huge nbytes on a short buffer, regular files only (glibc's side reads at most the file's size
  // into slack the runner gives it): the shim refuses it (docs/posix-aio.md, "Extra validation").
  if (op === 'read' && FILE_OF[t] !== undefined && rng.chance(0.04)) {
    bufLen = 1 + rng.int(64);
    n = rng.pick([bufLen + 1, 4096, 65536, 2 ** 31 - 1]);
  }
  const prio = rng.chance(0.9) ? 0 : rng.pick([1, 5, 20, 21, -1]);
  return { cb, t, off: pickOffset(rng), n, bufLen, prio, notify: pickNotify(rng), ...(rng.chance(0.02) ? { nullBuf: true } : {}) };
}

/**
 * generate - the sequence of `seed`: 4 to `maxSteps` steps. The findings already reported
 * (difffuzz27 #1: an unknown-opcode list entry with a bad aio_reqprio) are kept out unless `known`.
 */
export function generate(seed: number, maxSteps = 40, known = false): Sequence {
  const rng = new Prng(seed);
  const sizes: [number, number, number] = [rng.int(8192), rng.int(4096), rng.int(2048)];
  const steps: Step[] = [];
  const count = 4 + rng.int(maxSteps - 3);
  let nextSlot = 0;
  // A new slot mostly; sometimes an aiocb used before (re-submission: the runner waits for it first).
  const slot = (): number => (nextSlot === 0 || (nextSlot < SLOTS && rng.chance(0.75)) ? nextSlot++ : rng.int(nextSlot));
  const slotTarget = new Map<number, Target>();
  const used = (): number => (nextSlot === 0 ? 0 : rng.int(nextSlot));
  for (let i = 0; i < count; i++) {
    const r = rng.int(100);
    if (r < 30) {
      const op = rng.chance(0.5) ? 'read' : 'write';
      const req = pickRequest(rng, op, slot());
      slotTarget.set(req.cb, req.t);
      steps.push({ op, ...req });
    } else if (r < 37) {
      const mode = rng.pick<'sync' | 'dsync' | 'bad'>(['sync', 'sync', 'dsync', 'dsync', 'bad']);
      const cb = slot();
      const t = pickTarget(rng, 'any');
      slotTarget.set(cb, t);
      steps.push({ op: 'fsync', cb, t, mode, notify: pickNotify(rng) });
    } else if (r < 50) {
      const len = rng.int(6);
      const entries: (LioEntry | null)[] = [];
      for (let e = 0; e < len; e++) {
        if (rng.chance(0.12)) {
          entries.push(null);
          continue;
        }
        const opc = rng.pick<LioEntry['opc']>(['read', 'read', 'write', 'write', 'nop', 'bad']);
        const drawn = pickRequest(rng, opc === 'write' ? 'write' : 'read', slot());
        const req = opc === 'bad' && !known && (drawn.prio < 0 || drawn.prio > 20) ? { ...drawn, prio: 0 } : drawn;
        // Short buffers stay out of lists: the shim refuses the entry where glibc queues it
        // (a documented difference), which changes the whole list's answer.
        // NULL buffers too: the shim's EFAULT (docs/posix-aio.md, "aio_buf is confined") would
        // turn a LIO_WAIT's 0 into EIO where glibc's device never touched the buffer.
        const n = Math.min(req.n, 4096);
        entries.push({ cb: req.cb, t: req.t, off: req.off, prio: req.prio, notify: req.notify, n, bufLen: Math.max(n, 1), opc });
        slotTarget.set(req.cb, req.t);
      }
      const nent = rng.chance(0.85) ? len : rng.int(len + 1);
      steps.push({ op: 'lio', mode: rng.chance(0.5) ? 'wait' : 'nowait', entries, nent, sig: rng.pick<Notify | 'null'>(['null', 'none', 'thread', 'thread', 'signal0']) });
    } else if (r < 60) {
      const len = rng.int(5);
      const cbs: (number | null)[] = [];
      for (let e = 0; e < len; e++) cbs.push(rng.chance(0.2) ? null : used());
      const nent = rng.chance(0.9) ? len : rng.int(len + 1);
      steps.push({ op: 'suspend', cbs, nent, timeoutMs: rng.pick([null, 0, 0, 5, 20]) });
    } else if (r < 68) {
      // Mostly the fd the aiocb names (one request, or all of the fd); sometimes another (EINVAL).
      const cb = rng.chance(0.3) ? null : used();
      const own = cb === null ? undefined : slotTarget.get(cb);
      steps.push({ op: 'cancel', t: own !== undefined && rng.chance(0.75) ? own : pickTarget(rng, 'any'), cb });
    } else if (r < 82) {
      steps.push({ op: 'observe', cb: used() });
    } else if (r < 90) {
      steps.push({ op: 'wait', cb: used() });
    } else {
      steps.push({ op: 'feed', ch: rng.chance(0.5) ? 'pipe' : 'sock', n: 1 + rng.int(600) });
    }
  }
  return { seed, sizes, steps };
}

/** describe - a sequence as one line per step (for a failure message and the findings). */
export function describe(seq: Sequence): string {
  return [`sizes ${seq.sizes.join('/')}`, ...seq.steps.map((s, i) => `${i}: ${JSON.stringify(s)}`)].join('\n');
}
