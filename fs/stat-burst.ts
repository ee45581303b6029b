/**
 * stat and lstat in a deep burst: the calls as io_uring requests, so that the kernel's io-wq
 * workers make their statx on the other core while the calling thread only writes requests.
 *
 * A cached stat served inline is three syscalls on the calling thread (the O_PATH open that
 * proves the path is cached, statx on the fd, close): on a CPU whose syscalls are dear, more than
 * half of the call's time. Node makes one statx per call on its thread pool, on the idle second
 * core. When many stats are made in one turn of the event loop (`Promise.all` over a list of
 * paths), waiting for the inline path to finish each one in turn leaves that core idle. Here,
 * from the {@link BURST_MIN}th stat of a turn on, a call goes to the ring as one
 * statx(AT_FDCWD, path) request (IORING_OP_STATX, which the kernel always runs on an io-wq
 * worker, so it never blocks this thread whether the path is cached or not) while fewer than
 * {@link RING_SHARE} requests are in the engine's ring; beyond that a call stays inline. Every
 * {@link PUMP_EVERY} calls of the burst the engine submits what was written and takes what has
 * completed, so the workers keep working during a burst made in one synchronous loop (requests
 * are otherwise submitted at the end of the turn).
 *
 * A ring stat holds no place in the request window and no slot, and is no chain: its path is
 * written into a record of engine memory of its own (with the struct statx the worker fills),
 * and the request is one SQE written straight into the ring (Engine.ringDirect), without the
 * executor's walk, checks and copies (session 23: about 5.3 → 2.5 µs of the calling thread per
 * ring stat). The completion builds the Stats and puts the record back in the engine's idle
 * list, so what a burst holds is bounded by {@link RING_SHARE} records (768 bytes each), not by
 * the burst's length. The call is the one Node makes (statx on the path, AT_SYMLINK_NOFOLLOW for
 * lstat), so the Stats and errors are Node's. The policy is asked per call, as for the direct
 * calls (fs/direct.ts): an engine that denies statx runs the chain, which meets the denial.
 *
 * Only on the io_uring engine, when the ring makes statx on this kernel: with cachemiss threads a
 * stat in a burst stays inline (a JS worker's hop costs more than the syscalls it would take).
 */
import type { Stats } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { ECANCELED, IORING_OP } from '../engine/native/index.js';
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW } from '../engine/syscalls/constants.generated.js';
import type { DirectRequestTarget } from '../engine/uring-direct.js';
import type { Region } from '../engine/region.js';
import { NR } from '../engine/syscalls/nr.js';
import type { FastPath } from './args.js';
import { directCallsAllowed } from './direct.js';
import { fsError } from './errors.js';
import { STATX_BYTES, STATX_MASK, statsFromStatx } from './stats.js';
import { RingRecordPool, SLAB_RECORDS } from './ring-records.js';

/** Stats made in one turn before one goes to the ring: a lone call, or a few, stays inline. */
export const BURST_MIN = 4;
/**
 * Requests in the engine's ring below which a stat of a burst goes to the ring: three quarters of
 * its 4,096 completion entries (the rest stays for other calls' requests). A ring stat costs the
 * calling thread about a third of an inline one, and io-wq's workers fall behind a burst made in
 * one loop: at 64 a third of a 10,000-path burst was served inline, at 1,024 a tenth.
 */
export const RING_SHARE = 3072;
/** Calls of a burst between two engine pumps (submit the written requests, take completions). */
export const PUMP_EVERY = 16;

let callsThisTurn = 0;
let turnArmed = false;
const SETTLED = Promise.resolve();
const endTurn = (): void => {
  callsThisTurn = 0;
  turnArmed = false;
};

/** The call a ring stat makes, for the policy. */
const RING_STAT_CALLS: readonly number[] = [NR.statx];

/** Whether an engine's ring makes statx (asked once per engine). */
const ringStatx = new WeakMap<Engine, boolean>();

function ringMakesStatx(engine: Engine): boolean {
  let known = ringStatx.get(engine);
  if (known === undefined) {
    const info = engine.asyncEngine;
    known = info.kind === 'io_uring' && info.calls.includes('statx');
    ringStatx.set(engine, known);
  }
  return known;
}

/**
 * burstStatOnRing - count this stat in its turn and say whether it goes to the ring; pumps the
 * engine every {@link PUMP_EVERY} calls of a burst that has requests in the ring.
 */
export function burstStatOnRing(engine: Engine): boolean {
  if (!turnArmed) {
    turnArmed = true;
    void SETTLED.then(endTurn);
  }
  const calls = ++callsThisTurn;
  if (calls < BURST_MIN) return false;
  const inRing = engine.ringInFlight;
  if (calls % PUMP_EVERY === 0 && inRing > 0) engine.pump();
  return engine.ringInFlight < RING_SHARE && ringMakesStatx(engine);
}

/** A ring stat's record in engine memory: its struct statx, then its path. */
const PATH_AT = STATX_BYTES;
/** Path bytes a record holds, its NUL included: a longer path is stat'ed inline. */
const PATH_AREA = 512;
const RECORD_BYTES = STATX_BYTES + PATH_AREA;
/** A string of at most this many UTF-16 units always fits {@link PATH_AREA} with its NUL (UTF-8: at most 3 bytes a unit). */
const SURE_FIT_UNITS = Math.floor((PATH_AREA - 1) / 3);

/**
 * One ring stat: a record of engine memory (the struct statx the io-wq worker fills, the path the
 * kernel copies in while it prepares the request) and the call in flight on it. The request is
 * written straight into the ring (Engine.ringDirect: one SQE, no chain), so that a ring stat costs
 * the calling thread its path copy, one SQE, its Promise and its Stats; idle records wait in their
 * engine's list ({@link RingStats}).
 */
class RingStat implements DirectRequestTarget {
  readonly #stats: RingStats;
  readonly #bytes: Buffer;
  readonly #view: DataView;
  readonly #at: number;
  readonly #stxAddress: number;
  readonly #pathAddress: number;
  #path: FastPath = '';
  #syscall: 'stat' | 'lstat' = 'stat';
  #bigint = false;
  #resolve: ((stats: Stats | Promise<Stats>) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;

  constructor(stats: RingStats, slab: Region, at: number) {
    this.#stats = stats;
    const bytes = slab.bytes;
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset + at + PATH_AT, PATH_AREA);
    this.#view = slab.view;
    this.#at = at;
    this.#stxAddress = slab.start + at;
    this.#pathAddress = slab.start + at + PATH_AT;
  }

  /**
   * Submit one call: the path written into the record, then the statx request.
   *
   * @returns the Promise of its Stats, or null when it could not be made this way (the path does
   *   not fit, the ring takes no more now); this ring stat is then idle again.
   */
  submit(engine: Engine, path: FastPath, follow: boolean, syscall: 'stat' | 'lstat', bigint: boolean): Promise<Stats> | null {
    const bytes = this.#bytes;
    // (A fast path holds no NUL: args.ts.)
    if (typeof path === 'string') {
      if (path.length > SURE_FIT_UNITS && Buffer.byteLength(path) >= PATH_AREA) return this.#idle();
      bytes[bytes.write(path, 0, 'utf8')] = 0;
    } else {
      if (path.length >= PATH_AREA) return this.#idle();
      bytes.set(path, 0);
      bytes[path.length] = 0;
    }
    if (!engine.ringDirect(this, IORING_OP.STATX, AT_FDCWD, this.#stxAddress, this.#pathAddress, STATX_MASK, follow ? 0 : AT_SYMLINK_NOFOLLOW)) return this.#idle();
    this.#path = path;
    this.#syscall = syscall;
    this.#bigint = bigint;
    const promise = new Promise<Stats>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    return promise;
  }

  #idle(): null {
    this.#stats.idle.push(this);
    return null;
  }

  ringDone(res: number): void {
    const resolve = this.#resolve as (stats: Stats | Promise<Stats>) => void;
    const reject = this.#reject as (error: unknown) => void;
    const path = this.#path;
    this.#resolve = null;
    this.#reject = null;
    this.#path = '';
    try {
      if (res === -ECANCELED && !this.#stats.engine.closed) {
        // The kernel did not run it and the engine is not closing: io-wq could not start a
        // worker (RLIMIT_NPROC). Node's call answers. (A closing engine's: fsError's ESHUTDOWN.)
        resolve((this.#syscall === 'stat' ? nodeFs.stat : nodeFs.lstat)(path as string, { bigint: this.#bigint }) as Promise<Stats>);
      } else if (res < 0) reject(fsError(res, this.#syscall, path));
      else resolve(statsFromStatx(this.#view, this.#at, this.#bigint));
    } catch (error) {
      reject(error);
    } finally {
      this.#stats.idle.push(this);
    }
  }
}

// A Promise's resolving functions taken out of its executor without a closure per call.
let capturedResolve: ((stats: Stats | Promise<Stats>) => void) | null = null;
let capturedReject: ((error: unknown) => void) | null = null;
function capture(resolve: (stats: Stats | Promise<Stats>) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** One engine's ring stats' records (768 bytes each; see RingRecordPool). */
class RingStats extends RingRecordPool<RingStat> {
  constructor(engine: Engine) {
    super(engine, RECORD_BYTES);
  }

  protected override record(slab: Region, offset: number): RingStat {
    return new RingStat(this, slab, offset);
  }

  protected override closing(): void {
    if (lastStats === this) lastStats = null;
  }
}

const ringStatsOf = new WeakMap<Engine, RingStats>();
// The engine of the last call's: one engine per process is the rule (the shared one).
let lastStats: RingStats | null = null;

function ringStats(engine: Engine): RingStats {
  if (lastStats !== null && lastStats.engine === engine) return lastStats;
  let stats = ringStatsOf.get(engine);
  if (stats === undefined) {
    stats = new RingStats(engine);
    ringStatsOf.set(engine, stats);
  }
  lastStats = stats;
  return stats;
}

/**
 * @internal ringStatRecords - an engine's ring stat records: how many are allocated, how many are
 * idle (for the tests: after a burst every one is back, and bursts reuse them).
 */
export function ringStatRecords(engine: Engine): { readonly records: number; readonly idle: number } {
  const stats = ringStatsOf.get(engine);
  return { records: stats?.records ?? 0, idle: stats?.idle.length ?? 0 };
}

/** Records per engine allocation (for the tests). */
export const RING_STAT_SLAB = SLAB_RECORDS;

/**
 * statOnRing - stat or lstat `path` as one statx ring request.
 *
 * @returns the Promise of its Stats, or null when the call could not be made this way (the path
 *   does not fit, the policy does not allow statx, or the ring takes no more now): the caller
 *   then makes it inline, which gives the error a caller must see.
 */
export function statOnRing(engine: Engine, path: FastPath, follow: boolean, syscall: 'stat' | 'lstat', bigint: boolean): Promise<Stats> | null {
  // An empty path fails in the kernel's preparation of the request (ENOENT before any lookup),
  // which also stops that enter taking the SQEs behind it (the ring enters again for them):
  // inline, it is the O_PATH open's ENOENT at once, without the extra enter.
  // A closed engine's records are given back (RingStats): its calls answer ESHUTDOWN inline.
  if (path.length === 0 || engine.closed) return null;
  // The request is made without the executor: the policy is asked here, as the direct calls do.
  if (!directCallsAllowed(engine, RING_STAT_CALLS)) return null;
  return ringStats(engine).take().submit(engine, path, follow, syscall, bigint);
}
