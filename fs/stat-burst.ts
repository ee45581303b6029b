/**
 * stat and lstat in a deep burst: a share of the calls as io_uring requests, so that the kernel's
 * io-wq workers make their statx on the other core while the calling thread serves the rest
 * inline.
 *
 * A cached stat served inline is three syscalls on the calling thread (the O_PATH open that
 * proves the path is cached, statx on the fd, close): on a CPU whose syscalls are dear, more than
 * half of the call's time. Node makes one statx per call on its thread pool, on the idle second
 * core. When many stats are made in one turn of the event loop (`Promise.all` over a list of
 * paths), waiting for the inline path to finish each one in turn leaves that core idle. Here,
 * from the {@link BURST_MIN}th stat of a turn on, a call goes to the ring as one
 * statx(AT_FDCWD, path) request (fs.statOnRing: IORING_OP_STATX, which the kernel always runs on
 * an io-wq worker, so it never blocks this thread whether the path is cached or not) while fewer
 * than {@link RING_SHARE} requests are in the engine's ring; the other calls stay inline. Every
 * {@link PUMP_EVERY} calls of the burst the engine submits what was written and takes what has
 * completed, so the workers keep working during a burst made in one synchronous loop (requests
 * are otherwise submitted at the end of the turn).
 *
 * A ring stat holds no place in the request window and no slot: its path is written into its own
 * plugin instance (the atom reads it from there, and the engine copies it again for the kernel),
 * and the completion builds the Stats and puts the instance back in the engine's idle list as it
 * is delivered, so what a burst holds is bounded by {@link RING_SHARE} instances, not by the
 * burst's length. The result is
 * the same call Node makes (statx on the path, AT_SYMLINK_NOFOLLOW for lstat), so the Stats and
 * errors are Node's.
 *
 * Only on the io_uring engine, when the ring makes statx on this kernel: with cachemiss threads a
 * stat in a burst stays inline (a JS worker's hop costs more than the syscalls it would take).
 */
import type { Stats } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { ChainListener } from '../engine/engine-options.js';
import { AT_SYMLINK_NOFOLLOW } from '../engine/syscalls/constants.generated.js';
import type { PluginInstance } from '../plugins/plugin.js';
import { PATH_BYTES, putPath } from '../plugins/request-paths.js';
import type { FastPath } from './args.js';
import { fsStatOnRing } from './chains.js';
import { fsError } from './errors.js';
import { STATX_BYTES, statsFromStatx } from './stats.js';

/** Stats made in one turn before one goes to the ring: a lone call, or a few, stays inline. */
export const BURST_MIN = 4;
/** Requests in the engine's ring below which a stat of a burst goes to the ring. */
export const RING_SHARE = 64;
/** Calls of a burst between two engine pumps (submit the written requests, take completions). */
export const PUMP_EVERY = 16;

let callsThisTurn = 0;
let turnArmed = false;
const SETTLED = Promise.resolve();
const endTurn = (): void => {
  callsThisTurn = 0;
  turnArmed = false;
};

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

/**
 * One ring stat: a plugin instance held for good (acquired once, never given back to the
 * plugin's pool), the views of its own path and statx areas (made once) and the call in flight
 * on it. Idle ones wait in their engine's list ({@link idleRingStats}), so that a ring stat
 * allocates its Promise and its Stats and nothing else (no listener object, no executor closure
 * per call) and skips the instance's acquire and reset: the reset image of fs.statOnRing is its
 * 4 KiB path area and its struct statx, copied over the instance per acquire (5 % of a ring
 * stat's calling-thread time in a profile), where nothing of it needs restoring — putPath writes
 * the path with its NUL, the kernel fills the whole struct statx on success and nothing reads it
 * on failure, and the one result cell read after an inline completion is the executor's.
 */
class RingStat implements ChainListener {
  readonly #instance: PluginInstance;
  readonly #idle: RingStat[];
  readonly path: Buffer;
  readonly pathAddress: number;
  readonly #view: DataView;
  readonly #at: number;
  #path: FastPath = '';
  #syscall: 'stat' | 'lstat' = 'stat';
  #bigint = false;
  #resolve: ((stats: Stats) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;

  constructor(engine: Engine, idle: RingStat[]) {
    const instance = fsStatOnRing.acquire(engine);
    this.#instance = instance;
    this.#idle = idle;
    const pathAddress = instance.scratchAddress('path');
    const stx = instance.scratchAddress('stx');
    const region = engine.memory.find(pathAddress, PATH_BYTES);
    const stxRegion = engine.memory.find(stx, STATX_BYTES);
    if (region === null || stxRegion === null) throw new Error('fs.statOnRing scratch is not in engine memory');
    const bytes = region.bytes;
    this.path = Buffer.from(bytes.buffer, bytes.byteOffset + (pathAddress - region.start), PATH_BYTES);
    this.pathAddress = pathAddress;
    this.#view = stxRegion.view;
    this.#at = stx - stxRegion.start;
  }

  /**
   * Submit one call: the path written into the instance, then the statx request.
   *
   * @returns the Promise of its Stats, or null when it could not be made this way (the path does
   *   not fit, the engine refused the submission); this ring stat is then idle again.
   */
  submit(engine: Engine, path: FastPath, follow: boolean, syscall: 'stat' | 'lstat', bigint: boolean): Promise<Stats> | null {
    const instance = this.#instance;
    if (putPath(this.path, path) !== 0) {
      this.#idle.push(this);
      return null;
    }
    instance.set(0, this.pathAddress);
    instance.set(1, follow ? 0 : AT_SYMLINK_NOFOLLOW);
    this.#path = path;
    this.#syscall = syscall;
    this.#bigint = bigint;
    const promise = new Promise<Stats>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    const submitted = fsStatOnRing.submit(engine, instance, this);
    if (submitted === 0) return promise;
    if (submitted > 0) {
      // Completed on this thread after all (no listener call comes): read it here.
      this.chainDone(0, instance.result(0));
      return promise;
    }
    // Refused: the Promise is dropped unsettled and the caller makes the call inline.
    this.#resolve = null;
    this.#reject = null;
    this.#path = '';
    this.#idle.push(this);
    return null;
  }

  chainDone(_last: number, result: number | bigint): void {
    const resolve = this.#resolve as (stats: Stats) => void;
    const reject = this.#reject as (error: unknown) => void;
    const path = this.#path;
    this.#resolve = null;
    this.#reject = null;
    this.#path = '';
    try {
      const status = Number(result);
      if (status < 0) reject(fsError(status, this.#syscall, path));
      else resolve(statsFromStatx(this.#view, this.#at, this.#bigint));
    } catch (error) {
      reject(error);
    } finally {
      this.#idle.push(this);
    }
  }
}

// A Promise's resolving functions taken out of its executor without a closure per call.
let capturedResolve: ((stats: Stats) => void) | null = null;
let capturedReject: ((error: unknown) => void) | null = null;
function capture(resolve: (stats: Stats) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * Per engine, its ring stats not in flight. There are never more than the most ever in flight at
 * once (at most {@link RING_SHARE} in the ring, and the few completed in a pump before their
 * delivery): each holds one instance of fs.statOnRing in the engine's memory, freed with it.
 */
const idleRingStats = new WeakMap<Engine, RingStat[]>();
// The engine of the last call and its list: one engine per process is the rule (the shared one).
let lastEngine: Engine | null = null;
let lastIdle: RingStat[] = [];

function idleOf(engine: Engine): RingStat[] {
  if (engine === lastEngine) return lastIdle;
  let idle = idleRingStats.get(engine);
  if (idle === undefined) {
    idle = [];
    idleRingStats.set(engine, idle);
    // The last engine is held strongly: let a closed one go.
    engine.onClose(() => {
      if (lastEngine === engine) {
        lastEngine = null;
        lastIdle = [];
      }
    });
  }
  lastEngine = engine;
  lastIdle = idle;
  return idle;
}

/**
 * statOnRing - stat or lstat `path` as one statx ring request.
 *
 * @returns the Promise of its Stats, or null when the call could not be made this way (the path
 *   does not fit, or the engine refused the submission): the caller then makes it inline, which
 *   gives the error a caller must see.
 */
export function statOnRing(engine: Engine, path: FastPath, follow: boolean, syscall: 'stat' | 'lstat', bigint: boolean): Promise<Stats> | null {
  // An empty path fails in the kernel's preparation of the request (ENOENT before any lookup),
  // which also stops that enter taking the SQEs behind it (the ring enters again for them):
  // inline, it is the O_PATH open's ENOENT at once, without the extra enter.
  if (path.length === 0) return null;
  const idle = idleOf(engine);
  const ring = idle.pop() ?? new RingStat(engine, idle);
  return ring.submit(engine, path, follow, syscall, bigint);
}
