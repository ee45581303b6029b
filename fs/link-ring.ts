/**
 * readlink and realpath in a deep burst on the io_uring engine: each call's O_PATH open as one
 * ring request that io-wq's workers make on the other core, the rest of the call (readlinkat and
 * close, which answer from memory) on the calling thread when the open completes.
 *
 * A cached readlink served inline is three syscalls on the calling thread (openat2 with
 * RESOLVE_CACHED, readlinkat on the fd, close), realpath the same with a readlinkat of the fd's
 * /proc name; the open, which walks the path, is the dearest of the three. readlinkat has no
 * io_uring opcode, but the open has one: from the {@link BURST_MIN}th call of a kind in one turn
 * of the event loop, while fewer than {@link RING_SHARE} requests are in the ring, a call writes
 * its path into a record of engine memory and one IORING_OP_OPENAT (O_PATH, IOSQE_ASYNC: no
 * inline try inside io_uring_enter) straight into the ring (Engine.ringDirect, no chain); its
 * completion makes the two other calls and settles the call. Every {@link PUMP_EVERY} calls of a
 * burst the engine is pumped, so opens are submitted and their completions taken during a burst
 * made in one synchronous loop.
 *
 * The calls are the inline path's (fs/links.ts) on the same path, so values and errors are too:
 * an open that fails is its error (readlink's ENOENT of readlinkat on a fd that is no link is
 * EINVAL, as there); EMFILE or ENFILE, a request the kernel could not run (ECANCELED on an open
 * engine) and, for realpath, a name that is not a path go to node:fs/promises, as the inline path
 * does. A path that does not fit a record (512 bytes with its NUL), or a call made while the ring
 * holds {@link RING_SHARE} requests, is served inline. The calling thread answers each
 * completion in turn, so one target buffer per engine serves them all.
 *
 * Session 23 (docs/fs.md): per 10,000 cached links at load 6, the batches on a cachemiss thread
 * (fs/link-burst.ts) took 69–76 ms of the calling thread, 90–93 ms of process CPU and 101–168 ms
 * of wall time; ring opens 47–50, 78–82 and 77–81 ms. With cachemiss threads (no ring), the
 * batches and the inline path serve the burst as before; on the ring, a call it does not take now
 * is served inline (see {@link ringTakesLinkBursts}).
 */
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { ECANCELED, EINVAL, ENAMETOOLONG, ENOENT, IORING_OP, IOSQE_ASYNC, syscall } from '../engine/native/index.js';
import type { Region } from '../engine/region.js';
import { AT_FDCWD, O_CLOEXEC, O_NOFOLLOW, O_PATH } from '../engine/syscalls/constants.generated.js';
import { NR } from '../engine/syscalls/nr.js';
import type { DirectRequestTarget } from '../engine/uring-direct.js';
import type { FastPath } from './args.js';
import { directCallsAllowed, outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { RingRecordPool } from './ring-records.js';

/** Calls of one kind made in one turn before one goes to the ring: a lone call, or a few, stays inline. */
export const BURST_MIN = 4;
/** Requests in the engine's ring below which a call of a burst opens on the ring. */
export const RING_SHARE = 1024;
/** Calls of a burst between two engine pumps. */
export const PUMP_EVERY = 16;

/** Path bytes a record holds, its NUL included. */
const PATH_AREA = 512;
/** A string of at most this many UTF-16 units always fits {@link PATH_AREA} with its NUL. */
const SURE_FIT_UNITS = Math.floor((PATH_AREA - 1) / 3);
/** The longest link target, NUL included (as fs/links.ts). */
const TARGET_BYTES = 4096;
/** After the target: an empty C string (readlink's readlinkat(fd, "")), then realpath's "N\0". */
const EMPTY_AT = TARGET_BYTES;
const NAME_AT = TARGET_BYTES + 8;
const SHARED_BYTES = TARGET_BYTES + 32;
const SYS_readlinkat = NR.readlinkat;
const SYS_close = NR.close;
/** The calls a ring readlink or realpath makes, for the policy (asked per call, as the direct calls do). */
const RING_LINK_CALLS: readonly number[] = [NR.openat, NR.readlinkat, NR.close];

/** Which call a record answers. */
export type RingLinkKind = 'readlink' | 'realpath';

/** Calls of each kind in this turn. */
const callsThisTurn = { readlink: 0, realpath: 0 };
let turnArmed = false;
const SETTLED = Promise.resolve();
const endTurn = (): void => {
  callsThisTurn.readlink = 0;
  callsThisTurn.realpath = 0;
  turnArmed = false;
};

/** Whether an engine's ring makes openat (asked once per engine). */
const ringOpens = new WeakMap<Engine, boolean>();

function ringMakesOpenat(engine: Engine): boolean {
  let known = ringOpens.get(engine);
  if (known === undefined) {
    const info = engine.asyncEngine;
    known = info.kind === 'io_uring' && info.calls.includes('openat');
    ringOpens.set(engine, known);
  }
  return known;
}

/** Whether bursts open on the ring (see {@link setRingOpens}). */
let ringOpensOn = true;

/**
 * setRingOpens - let bursts open on the ring (true, the default) or not.
 *
 * @internal for the tests of the batches (fs/link-burst.ts), which the ring opens take the place
 *   of on the io_uring engine.
 */
export function setRingOpens(on: boolean): void {
  ringOpensOn = on;
}

/**
 * burstOpenOnRing - count this call in its turn and say whether its open goes to the ring; pumps
 * the engine every {@link PUMP_EVERY} calls of a burst that has requests in the ring.
 */
export function burstOpenOnRing(engine: Engine, kind: RingLinkKind): boolean {
  if (!turnArmed) {
    turnArmed = true;
    void SETTLED.then(endTurn);
  }
  const calls = ++callsThisTurn[kind];
  if (calls < BURST_MIN) return false;
  if (calls % PUMP_EVERY === 0 && engine.ringInFlight > 0) engine.pump();
  return ringOpensOn && engine.ringInFlight < RING_SHARE && ringMakesOpenat(engine);
}

/**
 * ringTakesLinkBursts - whether `engine`'s bursts of readlink and realpath belong to its ring
 * (io_uring, ring opens on, a policy that allows the calls): then a call of a burst that the ring
 * does not take now, because {@link RING_SHARE} requests are in it, is answered inline rather
 * than in a batch on a cachemiss thread (fs/link-burst.ts). A full ring means io-wq's workers
 * are behind; the calling thread, making the call itself, works beside them. A batch would wait
 * for a cachemiss thread, which on this engine has no other work and was not started yet (a
 * Worker's start: 70-250 ms, in the first rounds of a burst of 10,000: 161-263 ms against 79-128
 * inline), and would then compete with io-wq's workers for the same cores.
 */
export function ringTakesLinkBursts(engine: Engine): boolean {
  return ringOpensOn && ringMakesOpenat(engine) && directCallsAllowed(engine, RING_LINK_CALLS);
}

/** One call in flight on a record of engine memory (its path). */
class RingLink implements DirectRequestTarget {
  readonly #links: RingLinks;
  readonly #bytes: Buffer;
  readonly #pathAddress: number;
  #kind: RingLinkKind = 'readlink';
  #path: FastPath = '';
  #options: unknown = undefined;
  #encoding: BufferEncoding | 'buffer' = 'utf8';
  #directory = -1;
  #resolve: ((value: string | Buffer | Promise<string | Buffer>) => void) | null = null;
  #reject: ((error: unknown) => void) | null = null;

  constructor(links: RingLinks, slab: Region, at: number) {
    this.#links = links;
    const bytes = slab.bytes;
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset + at, PATH_AREA);
    this.#pathAddress = slab.start + at;
  }

  /**
   * submit - the path written into the record, then its open as a ring request.
   * @returns the call's Promise, or null (the record idle again) when the path does not fit or
   *   the ring takes no more now.
   */
  submit(kind: RingLinkKind, path: FastPath, options: unknown, encoding: BufferEncoding | 'buffer', directory: number): Promise<string | Buffer> | null {
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
    const flags = kind === 'readlink' ? O_PATH | O_NOFOLLOW | O_CLOEXEC : O_PATH | O_CLOEXEC;
    if (!this.#links.engine.ringDirect(this, IORING_OP.OPENAT, AT_FDCWD, 0, this.#pathAddress, 0, flags, IOSQE_ASYNC)) return this.#idle();
    this.#kind = kind;
    this.#path = path;
    this.#options = options;
    this.#encoding = encoding;
    this.#directory = directory;
    const promise = new Promise<string | Buffer>(capture);
    this.#resolve = capturedResolve;
    this.#reject = capturedReject;
    return promise;
  }

  #idle(): null {
    this.#links.idle.push(this);
    return null;
  }

  ringDone(res: number): void {
    const resolve = this.#resolve as (value: string | Buffer | Promise<string | Buffer>) => void;
    const reject = this.#reject as (error: unknown) => void;
    const path = this.#path;
    const options = this.#options;
    this.#resolve = null;
    this.#reject = null;
    this.#path = '';
    this.#options = undefined;
    const links = this.#links;
    try {
      const realpath = this.#kind === 'realpath';
      // No fd to be had (Node needs none), a request the kernel could not run on an open engine
      // (io-wq without a worker), a realpath the kernel refuses whole that glibc's may resolve a
      // component at a time: Node's answer, as on the inline path.
      if (outOfFds(res) || (res === -ECANCELED && !links.engine.closed) || (realpath && res === -ENAMETOOLONG)) {
        resolve(realpath ? nodeFs.realpath(path as string, options as never) : nodeFs.readlink(path as string, options as never));
        return;
      }
      if (res < 0) {
        reject(fsError(res, this.#kind, path));
        return;
      }
      const length = realpath
        ? syscall(SYS_readlinkat, this.#directory, links.fdName(res), links.targetAddress, TARGET_BYTES)
        : syscall(SYS_readlinkat, res, links.emptyAddress, links.targetAddress, TARGET_BYTES);
      syscall(SYS_close, res);
      const target = links.target;
      if (realpath) {
        // Not a name a lookup can give ("(unreachable)/…", a pipe), or the held directory fd no
        // longer names /proc/<pid>/fd: Node's answer.
        if (length < 0 || target[0] !== 0x2f) resolve(nodeFs.realpath(path as string, options as never));
        else resolve(decode(target, length, this.#encoding));
        return;
      }
      // readlinkat on a fd that names no link (the last component, or what a trailing slash followed to).
      if (length === -ENOENT) reject(fsError(EINVAL, 'readlink', path));
      else if (length < 0) reject(fsError(length, 'readlink', path));
      else resolve(decode(target, length, this.#encoding));
    } catch (error) {
      reject(error);
    } finally {
      links.idle.push(this);
    }
  }
}

function decode(data: Buffer, length: number, encoding: BufferEncoding | 'buffer'): string | Buffer {
  return encoding === 'buffer' ? Buffer.from(data.subarray(0, length)) : data.toString(encoding, 0, length);
}

// A Promise's resolving functions taken out of its executor without a closure per call.
let capturedResolve: ((value: string | Buffer | Promise<string | Buffer>) => void) | null = null;
let capturedReject: ((error: unknown) => void) | null = null;
function capture(resolve: (value: string | Buffer | Promise<string | Buffer>) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * One engine's records (see RingRecordPool; at most {@link RING_SHARE} in flight) and the buffer
 * their completions share: 4 KiB of target, an empty C string, a "N\0" fd name.
 */
class RingLinks extends RingRecordPool<RingLink> {
  readonly target: Buffer;
  readonly targetAddress: number;
  readonly emptyAddress: number;
  readonly #name: Buffer;
  readonly #nameAddress: number;

  constructor(engine: Engine) {
    const shared = engine.alloc(SHARED_BYTES);
    super(engine, PATH_AREA, [shared]);
    const bytes = Buffer.from(shared.bytes.buffer, shared.bytes.byteOffset, SHARED_BYTES);
    this.target = bytes.subarray(0, TARGET_BYTES);
    this.targetAddress = shared.start;
    this.emptyAddress = shared.start + EMPTY_AT;
    this.#name = bytes.subarray(NAME_AT);
    this.#nameAddress = shared.start + NAME_AT;
  }

  protected override record(slab: Region, offset: number): RingLink {
    return new RingLink(this, slab, offset);
  }

  /** fdName - "N\0" for fd `fd` in the shared buffer. @returns its address. */
  fdName(fd: number): number {
    this.#name[this.#name.write(fdText[fd] ??= String(fd), 0, 'latin1')] = 0;
    return this.#nameAddress;
  }
}

/** Each fd number as text, made once (the numbers repeat: each call closes its fd before the next opens one). */
const fdText: string[] = [];

const linksOf = new WeakMap<Engine, RingLinks>();

/**
 * linkOnRing - readlink or realpath `path` with its open on the ring (see above).
 *
 * @param directory - realpath: the held O_PATH fd of /proc/<pid>/fd (fs/links.ts); readlink: -1.
 * @returns the call's Promise, or null when it is not made this way (an empty path, a closed
 *   engine, a policy that does not allow the calls, a path that does not fit, a full ring): the
 *   caller then serves it as before.
 */
export function linkOnRing(engine: Engine, kind: RingLinkKind, path: FastPath, options: unknown, encoding: BufferEncoding | 'buffer', directory: number): Promise<string | Buffer> | null {
  if (path.length === 0 || engine.closed || !directCallsAllowed(engine, RING_LINK_CALLS)) return null;
  let links = linksOf.get(engine);
  if (links === undefined) {
    links = new RingLinks(engine);
    linksOf.set(engine, links);
  }
  return links.take().submit(kind, path, options, encoding, directory);
}

/** @internal ringLinkRecords - an engine's records: allocated, idle (for the tests). */
export function ringLinkRecords(engine: Engine): { readonly records: number; readonly idle: number } {
  const links = linksOf.get(engine);
  return { records: links?.records ?? 0, idle: links?.idle.length ?? 0 };
}
