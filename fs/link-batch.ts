/**
 * A batch of realpaths, or of readlinks, as one chain for a cachemiss thread (fs/link-burst.ts
 * decides which calls of a burst join one): the calls it carries and how each is answered. The
 * chain itself, and why realpath holds an fd number K of its own, are in fs/link-batch-chain.ts.
 *
 * The results are the calls the inline path makes, on the same path, so values and errors are
 * Node's as they are for the inline path; anything unusual about an entry (the dup3 did not make
 * K, the name did not fit, the kernel named the file without a leading slash, the chain was
 * cancelled before the entry ran) sends that one call down the inline path, which answers it as
 * before (ESHUTDOWN on a closed engine).
 */
import { STOP } from '../engine/atom.js';
import type { AtomRef, Cell, ChainBuilder } from '../engine/builder.js';
import type { Engine } from '../engine/engine.js';
import type { ChainListener } from '../engine/engine-options.js';
import { EINTR, EINVAL, ENOENT, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_PATH } from '../engine/syscalls/constants.generated.js';
import type { FastPath } from './args.js';
import { outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { BATCH_CALLS, buildLinkChain, NOT_RUN, PATH_AREA, TARGET_AREA, type BatchKind } from './link-batch-chain.js';
import { procFdDirectoryName } from './proc-fd.js';

export { BATCH_CALLS, type BatchKind } from './link-batch-chain.js';

const SYS_close = NR.close;
const SYS_dup3 = NR.dup3;
const SYS_openat = NR.openat;
/** The calls a batch makes: all must be allowed for calls to be batched (else the inline path). */
export const BATCH_SYSCALLS: readonly number[] = [SYS_openat, SYS_dup3, SYS_close, NR.readlinkat];

/** The inline realpath or readlink a call of a batch falls back to (links.ts's). */
export type LinkInline = (engine: Engine, path: unknown, options?: unknown) => Promise<string | Buffer>;


type Resolve = (value: string | Buffer | Promise<string | Buffer>) => void;
type Reject = (error: unknown) => void;

/** What a batch answers to: the inline realpath for calls it cannot answer, and its owner's bookkeeping. */
export interface BatchOwner {
  /** The inline realpath (links.ts's). */
  readonly inline: LinkInline;
  /** A submitted batch has answered all its calls. */
  batchDone(batch: LinkBatch): void;
}

/** One batch: its chain (built once, reused), its two held fds (realpath) and the calls it carries. */
export class LinkBatch implements ChainListener {
  readonly kind: BatchKind;
  readonly #engine: Engine;
  readonly #state: BatchOwner;
  readonly #chain: ChainBuilder;
  readonly #opens: readonly AtomRef[];
  readonly #jumps: readonly AtomRef[];
  readonly #lasts: readonly AtomRef[];
  readonly #end: AtomRef;
  readonly #fds: readonly Cell[];
  readonly #dups: readonly Cell[];
  readonly #closes: readonly Cell[];
  readonly #lengths: readonly Cell[];
  readonly #paths: Buffer;
  readonly #targets: Buffer;
  /**
   * make - a new batch on `engine`; for realpath with its two fds opened (both O_PATH fds of this
   * process's /proc fd directory: the one readlinkat looks names up in, and K).
   * @returns the batch, or -errno when the fds could not be opened.
   */
  static make(engine: Engine, owner: BatchOwner, kind: BatchKind): LinkBatch | number {
    if (kind === 'readlink') return new LinkBatch(engine, owner, kind, -1, -1);
    const name = Buffer.from(`${procFdDirectoryName().slice(0, -1)}\0`);
    const dirFd = openDirectory(engine, name);
    if (dirFd < 0) return dirFd;
    const holdFd = openDirectory(engine, name);
    if (holdFd < 0) {
      syscall(SYS_close, dirFd);
      return holdFd;
    }
    return new LinkBatch(engine, owner, kind, dirFd, holdFd);
  }

  /** realpath's held O_PATH fd of /proc/<pid>/fd, and K (-1 for readlink). */
  readonly dirFd: number;
  readonly holdFd: number;
  count = 0;
  /**
   * While submitted (set by its owner): its token, how many calls it carries, and since when its
   * thread could be running it (ms, `performance.now()`: its submission, or the delivery of the
   * batch it waited behind).
   */
  token = -1;
  carried = 0;
  since = 0;
  readonly #raw: unknown[] = [];
  readonly #shown: FastPath[] = [];
  readonly #options: unknown[] = [];
  readonly #encodings: (BufferEncoding | 'buffer')[] = [];
  readonly #resolves: (Resolve | null)[] = [];
  readonly #rejects: (Reject | null)[] = [];

  constructor(engine: Engine, state: BatchOwner, kind: BatchKind, dirFd: number, holdFd: number) {
    this.kind = kind;
    this.#engine = engine;
    this.#state = state;
    this.dirFd = dirFd;
    this.holdFd = holdFd;
    const built = buildLinkChain(engine, kind, dirFd, holdFd);
    this.#chain = built.chain;
    this.#opens = built.opens;
    this.#jumps = built.jumps;
    this.#lasts = built.lasts;
    this.#end = built.end;
    this.#fds = built.fds;
    this.#dups = built.dups;
    this.#closes = built.closes;
    this.#lengths = built.lengths;
    this.#paths = built.paths;
    this.#targets = built.targets;
    for (let i = 0; i < BATCH_CALLS; i++) {
      this.#raw.push(undefined);
      this.#shown.push('');
      this.#options.push(undefined);
      this.#encodings.push('utf8');
      this.#resolves.push(null);
      this.#rejects.push(null);
    }
    for (let i = 0; i < BATCH_CALLS; i++) this.#linkAfter(i, i + 1 < BATCH_CALLS ? (this.#opens[i + 1] as AtomRef) : this.#end);
    this.#chain.link(this.#end, null);
  }

  /** After entry `i` (done or failed), the chain goes on at `to`. */
  #linkAfter(i: number, to: AtomRef): void {
    this.#chain.link(this.#lasts[i] as AtomRef, to);
    this.#chain.link(this.#jumps[i] as AtomRef, to);
  }

  /**
   * add - one call into the batch.
   * @returns its Promise, or null when its path does not fit the batch's area (inline then).
   */
  add(path: FastPath, raw: unknown, options: unknown, encoding: BufferEncoding | 'buffer'): Promise<string | Buffer> | null {
    const i = this.count;
    const at = i * PATH_AREA;
    const area = this.#paths;
    if (typeof path === 'string') {
      // A UTF-16 unit is at most 3 bytes of UTF-8: this many always fit with the NUL.
      if (path.length > (PATH_AREA - 1) / 3) return null;
      area[at + area.write(path, at, 'utf8')] = 0;
    } else {
      if (path.length >= PATH_AREA) return null;
      area.set(path, at);
      area[at + path.length] = 0;
    }
    (this.#fds[i] as Cell).value = NOT_RUN;
    (this.#dups[i] as Cell).value = NOT_RUN;
    (this.#closes[i] as Cell).value = NOT_RUN;
    (this.#lengths[i] as Cell).value = NOT_RUN;
    this.#raw[i] = raw;
    this.#shown[i] = path;
    this.#options[i] = options;
    this.#encodings[i] = encoding;
    const promise = new Promise<string | Buffer>(capture);
    this.#resolves[i] = capturedResolve;
    this.#rejects[i] = capturedReject;
    this.count = i + 1;
    return promise;
  }

  /**
   * submit - hand the batch to a cachemiss thread (off the ring): after `predecessor` (a batch on
   * its way, by token) on the thread that runs it, or to any thread when it is -1.
   * @returns its token, or -1 when it was refused or answered at once (its calls are answered).
   */
  submit(predecessor: number): number {
    const count = this.count;
    const last = count - 1;
    if (count < BATCH_CALLS) this.#linkAfter(last, this.#end);
    const first = this.#opens[0] as AtomRef;
    const engine = this.#engine;
    // One thread runs the batches one after another: two threads making opens and closes in one
    // fd table at once contend on its lock, and each costs more than the calling thread's own.
    let outcome = predecessor >= 0 ? engine.submitAfter(first.at, this, predecessor) : -1;
    if (outcome < 0) outcome = engine.submit(first.at, this, true);
    if (outcome === 0) return engine.lastSubmit.token;
    if (outcome > 0) {
      // Completed on this thread after all (it cannot with SYSLET_ASYNC, but the answer is read the same way).
      this.chainDone(outcome, 0, 0, engine.lastSubmit.stop);
    } else {
      this.#settle(false);
    }
    return -1;
  }

  /** pending - how many of its calls are still waiting for an answer. */
  pending(): number {
    let waiting = 0;
    for (let i = 0; i < this.count; i++) if (this.#resolves[i] !== null) waiting++;
    return waiting;
  }

  /** withdraw - take the batch back before its thread starts it (Engine.withdraw); false when it runs, or will. */
  withdraw(): boolean {
    return this.token >= 0 && this.#engine.withdraw(this.token, this);
  }

  /**
   * answerInline - answer every call of the batch down the inline path now. For a batch no
   * thread will run (one not submitted, or one taken back with {@link withdraw}) it is empty
   * again; a batch still on its way keeps its entries for its chain, whose completion then only
   * tidies up (an fd the chain left open, K) and reaches its owner as always. The calls a batch
   * makes only read (an O_PATH open, dup3 onto its own K, readlinkat, close), so the chain may
   * still run them after the inline path has answered.
   */
  answerInline(): void {
    const count = this.count;
    for (let i = 0; i < count; i++) {
      const resolve = this.#resolves[i];
      const reject = this.#rejects[i] as Reject;
      if (resolve === null || resolve === undefined) continue;
      const raw = this.#raw[i];
      const options = this.#options[i];
      this.#forget(i);
      try {
        resolve(this.#state.inline(this.#engine, raw, options));
      } catch (error) {
        reject(error);
      }
    }
    if (this.token >= 0) return;
    // submit() linked the last entry to the end: link it back to the next entry's open.
    if (count < BATCH_CALLS && count > 0) this.#linkAfter(count - 1, this.#opens[count] as AtomRef);
    this.count = 0;
  }

  /** Drops what call `i` of the batch was given (it is being answered). */
  #forget(i: number): void {
    this.#resolves[i] = null;
    this.#rejects[i] = null;
    this.#raw[i] = undefined;
    this.#options[i] = undefined;
    this.#shown[i] = '';
  }

  /** ChainListener: the batch's chain has ended on its thread (or was cancelled): answer its calls. */
  chainDone(_last: number, _result: number | bigint, _atoms: number, stop: number): void {
    this.#settle(stop === STOP.end, stop === STOP.died);
  }

  /**
   * Answer every call of the batch and make it idle again. `died`: no thread ended the chain (none
   * could start, and the pool answered its first atom with why: ERANGE in a working directory
   * deeper than PATH_MAX; or its thread died): an entry's negative answer may be the pool's, not
   * the call's, so it is answered inline (a lookup: making it again changes nothing). Before, a
   * burst of readlinks from such a directory rejected ERANGE where Node's read the links.
   */
  #settle(ended: boolean, died = false): void {
    const count = this.count;
    const hold = this.holdFd;
    let heldSomething = false;
    for (let i = 0; i < count; i++) {
      const resolve = this.#resolves[i] as Resolve | null;
      const reject = this.#rejects[i] as Reject;
      const path = this.#shown[i] as FastPath;
      if (resolve === null) {
        // Answered inline already (answerInline): only what the chain may have left behind.
        const fd = (this.#fds[i] as Cell).number;
        if (fd >= 0 && (this.#closes[i] as Cell).number === NOT_RUN) {
          syscall(SYS_close, fd);
          heldSomething = true;
        } else if (this.kind === 'realpath' && fd >= 0 && (this.#dups[i] as Cell).number !== hold) {
          heldSomething = true;
        }
        continue;
      }
      const raw = this.#raw[i];
      const options = this.#options[i];
      this.#forget(i);
      try {
        const fd = (this.#fds[i] as Cell).number;
        if (fd >= 0 && (this.#closes[i] as Cell).number === NOT_RUN) {
          // The chain stopped between this entry's open and its close (the engine closed).
          syscall(SYS_close, fd);
          heldSomething = true;
        }
        // A call the engine's close interrupted answers EINTR, which Node never gives: the
        // inline path answers it (ESHUTDOWN), as it does the calls the chain did not get to.
        if (fd === NOT_RUN || outOfFds(fd) || (!ended && fd === -EINTR) || (died && fd < 0)) {
          resolve(this.#state.inline(this.#engine, raw, options));
          continue;
        }
        if (fd < 0) {
          reject(fsError(fd, this.kind, path));
          continue;
        }
        const length = (this.#lengths[i] as Cell).number;
        const at = i * TARGET_AREA;
        if (this.kind === 'readlink') {
          if (length >= 0 && length < TARGET_AREA) {
            const encoding = this.#encodings[i] as BufferEncoding | 'buffer';
            resolve(encoding === 'buffer' ? Buffer.from(this.#targets.subarray(at, at + length)) : this.#targets.toString(encoding, at, at + length));
          } else if (length === NOT_RUN || length >= TARGET_AREA || (!ended && length === -EINTR) || (died && length < 0)) {
            // A target that fills the area may be longer: the inline path reads it whole.
            resolve(this.#state.inline(this.#engine, raw, options));
          } else {
            // The O_PATH fd names something that is not a link: readlink(2) on the path says EINVAL.
            reject(fsError(length === -ENOENT ? EINVAL : length, 'readlink', path));
          }
          continue;
        }
        if ((this.#dups[i] as Cell).number !== hold || length <= 0 || length >= TARGET_AREA || this.#targets[at] !== 0x2f) {
          heldSomething = true;
          resolve(this.#state.inline(this.#engine, raw, options));
          continue;
        }
        const encoding = this.#encodings[i] as BufferEncoding | 'buffer';
        resolve(encoding === 'buffer' ? Buffer.from(this.#targets.subarray(at, at + length)) : this.#targets.toString(encoding, at, at + length));
      } catch (error) {
        reject(error);
      }
    }
    // A chain that did not reach its end may have left K naming a path's file: name the directory again.
    if ((!ended || heldSomething) && hold >= 0) syscall(SYS_dup3, this.dirFd, hold, O_CLOEXEC);
    if (count < BATCH_CALLS && count > 0) this.#linkAfter(count - 1, this.#opens[count] as AtomRef);
    this.count = 0;
    this.#state.batchDone(this);
  }

  /** Free the chain's memory and the two held fds (the engine has closed: nothing runs the chain now). */
  dispose(): void {
    this.#chain[Symbol.dispose]();
    if (this.holdFd >= 0) syscall(SYS_close, this.holdFd);
    if (this.dirFd >= 0) syscall(SYS_close, this.dirFd);
  }
}

// A Promise's resolving functions taken out of its executor without a closure per call.
let capturedResolve: Resolve | null = null;
let capturedReject: Reject | null = null;
function capture(resolve: Resolve, reject: Reject): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/** openat(AT_FDCWD, name, O_PATH|O_DIRECTORY|O_CLOEXEC) through engine memory (the FFI passes addresses). */
function openDirectory(engine: Engine, name: Buffer): number {
  const region = engine.memory.allocate(name.length);
  try {
    region.bytes.set(name);
    return syscall(SYS_openat, AT_FDCWD, region.start, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  } finally {
    engine.memory.release(region);
  }
}
