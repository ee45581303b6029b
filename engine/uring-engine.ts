/**
 * The io_uring engine: would-block calls as io_uring requests, made from the calling thread.
 *
 * When an inline atom would block, the executor has read its arguments, applied the policy and
 * checked confinement; it then offers the call to this engine ({@link RingPort.prepare}). If the
 * call has an opcode and these argument values mean the same to the opcode as to the syscall,
 * the engine copies the indirect arguments into the request's own memory (checked again there),
 * fills one SQE, and the atom has run. When its CQE arrives, the completion is stored in the
 * atom's result cell and the rest of the chain runs inline on the calling thread
 * ({@link Executor.resume}), through the same executor: stop flags, SKIP_TO_NEXT, loops and the
 * atom limit behave exactly as on a cachemiss thread, and the chain may go to the ring again, to
 * a thread (an atom without an opcode), or finish.
 *
 * One SQE per atom, never linked SQEs: links cannot express syslet semantics (arguments read
 * when the atom runs, stop flags, loops). The one exception is not a chain: the start of a
 * whole-file read (uring-file-reads.ts), a fixed shape whose only data flow is the descriptor.
 * Each request yields exactly one CQE (no multishot, no CQE_SKIP_SUCCESS); its user_data carries
 * the chain's token and a generation, so a stale CQE can never complete another chain. SQEs are written at once and submitted in batches: at the end of
 * the JS turn that wrote the first one (a microtask), before anything waits or looks for
 * completions, or as soon as 16 wait (a long turn would otherwise leave the device idle).
 */
import { EBADF, ECANCELED, EINTR, EAGAIN, EBUSY, ETIME, IORING_OP, IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN, IORING_ASYNC_CANCEL_ALL, IORING_ASYNC_CANCEL_ANY, IOSQE_ASYNC, registerEventfd, registerSparseFiles, unregisterEventfd, type Word } from './native/index.js';
import { RingFileReads, type FileReadPort } from './uring-file-reads.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { RingPort } from './executor.js';
import type { CompiledSyscall } from './compiled-table.js';
import type { Confinement } from './confinement.js';
import { RING_CALLS, newSqeFields, type RingCall, type SqeFields } from './uring-opcodes.js';
import { RequestMemory } from './uring-copies.js';
import type { Ring } from './uring-ring.js';
import { ringCalls, type RingDescription } from './uring-describe.js';
import { fdsAllow } from './uring-fd-rules.js';
import { ReadProbeMemory } from './uring-probe-memory.js';
import { UnsubmittedTokens } from './uring-unsubmitted.js';
import { RingStallWatch } from './uring-stall-watch.js';
import { syscallByName } from './syscalls/table.js';
import { POLLNVAL } from './syscalls/constants.generated.js';
import { RESULT_PLAIN, RESULT_POLL, RESULT_TIMEOUT, RingRequests, STALE, TOKENS } from './uring-requests.js';

/** user_data of the engine's own requests (ASYNC_CANCEL): never a chain's. */
const INTERNAL = 2 ** 52;
/** user_data from here up to INTERNAL: the linked file reads' requests (uring-file-reads.ts), by code. */
const FILE_READS = 2 ** 51;
/** Direct-descriptor slots for the file reads (fewer when RLIMIT_NOFILE is lower). */
const FILE_READ_SLOTS = [256, 64];
/** Headroom in the CQ for the engine's own requests' completions. */
const CQ_HEADROOM = 64;
/** End-of-turn flushes react to it: queueMicrotask makes an AsyncResource per call (4.0–4.5 µs vs 1.6–1.7). */
const SETTLED = Promise.resolve();
/**
 * SQEs written and not yet submitted at which {@link UringEngine.commit} submits them at once
 * instead of at the end of the turn. A program that resubmits as it scans its completions (C's
 * aio_suspend + aio_error loop over 64 aiocbs) spends 3–10 µs of JavaScript per request: held to
 * the end of the scan, its first SQEs waited 200–400 µs while the device ran dry (P2, session 13:
 * the calling thread slept 100–130 times per 16,384 reads, 20–40 with this). One more enter per 16
 * requests costs about 0.1 µs per request.
 */
const EAGER_SUBMIT_SQES = 16;

/** Where completed requests go (the Engine). */
export interface RingSink {
  /** The request of the chain with `token` completed: its atom's result is `value`. */
  ringCompleted(token: number, atom: number, flags: number, ret: number, retRegion: Region | null, value: number): void;
  /**
   * The kernel refused to take the request of the chain with `token` (io_uring_enter failed for
   * good): its atom did not run; a cachemiss thread must run the chain from it.
   */
  ringRefused(token: number, atom: number): void;
  /** The ring's file reads have something in flight (true) or nothing any more (false). */
  ringHold(held: boolean): void;
}

/** The io_uring engine of one Engine. Only the thread that created it may use it. */
export class UringEngine implements RingPort {
  readonly #ring: Ring;
  readonly #sink: RingSink;
  readonly #memory: RequestMemory;
  readonly #probes = new ReadProbeMemory();
  /** The ring's call for each x86-64 number, when this kernel has its opcode. */
  readonly #calls: (RingCall | undefined)[] = [];
  readonly description: RingDescription;
  readonly #capacity: number;
  readonly #getEvents: boolean;
  // The request being prepared (between prepare and commit).
  readonly #sqe: SqeFields = newSqeFields();
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  #pendingCall: RingCall | null = null;
  #pendingAtom = 0;
  #pendingFlags = 0;
  // The prepared request's SQE flags: IOSQE_ASYNC for a copy too large for the submitting thread.
  #pendingSqeFlags = 0;
  #pendingRet = 0;
  #pendingRetRegion: Region | null = null;
  /** Requests in the ring, by token (user_data = token + TOKENS × generation). */
  readonly #requests = new RingRequests();
  /** Tokens of SQEs written and not yet taken by the kernel (handed to threads if it refuses them). */
  readonly #unsubmitted: UnsubmittedTokens;
  #inRing = 0;
  /** The last enter for a TASKRUN flag posted no completion (see {@link hasWork}). */
  #taskrunAnswered = false;
  #flushQueued = false;
  readonly #flushTask = (): void => {
    this.#flushQueued = false;
    this.flush();
  };
  #broken = false;
  #closing = false;
  /** The ring's memory is unmapped: nothing may touch its views again (they would fault). */
  #released = false;
  #reaping = false;
  readonly #reapedUserData = new Float64Array(256);
  readonly #reapedRes = new Int32Array(256);
  /** Pokes the eventfd when an enter leaves the TASKRUN flag set with nothing (uring-stall-watch.ts). */
  readonly #stallWatch: RingStallWatch;
  /** The linked file reads: undefined until first asked for, null when this kernel or ring cannot. */
  #fileReads: RingFileReads | null | undefined;
  readonly #canReadFiles: boolean;

  constructor(ring: Ring, supportedOps: Uint8Array, setupFlags: string, registry: MemoryRegistry, eventfd: number, sink: RingSink) {
    this.#ring = ring;
    this.#sink = sink;
    this.#capacity = Math.min(TOKENS, ring.cqEntries - CQ_HEADROOM);
    this.#getEvents = ring.needsGetEvents;
    this.#memory = new RequestMemory(registry, this.#capacity);
    this.#unsubmitted = new UnsubmittedTokens(ring.sqEntries);
    const calls = ringCalls(supportedOps);
    for (const name of calls) this.#calls[(syscallByName(name) as { x86_64: number }).x86_64] = RING_CALLS[name] as RingCall;
    const ops = [IORING_OP.OPENAT, IORING_OP.READ, IORING_OP.CLOSE, IORING_OP.FIXED_FD_INSTALL];
    this.#canReadFiles = ops.every((op) => supportedOps[op] === 1);
    this.description = { setupFlags, sqEntries: ring.sqEntries, cqEntries: ring.cqEntries, features: ring.features, calls };
    // The kernel signals the Engine's eventfd when completions (or, under DEFER_TASKRUN,
    // completion work) arrive: the same fd and libuv watcher the cachemiss threads poke.
    const registered = registerEventfd(ring.fd, eventfd);
    if (registered < 0) throw new Error(`IORING_REGISTER_EVENTFD gave ${registered}`);
    this.#stallWatch = new RingStallWatch(() => !this.#released && this.#inRing > 0 && this.#taskrunAnswered && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0, eventfd);
  }

  /** atomOf - the atom whose request the chain with `token` has in the ring (or had last). */
  atomOf(token: number): number {
    return this.#requests.atomOf(token);
  }

  /** Requests submitted (or written) whose completion has not been processed. */
  get inFlight(): number {
    return this.#inRing;
  }

  /**
   * fileReads - the linked whole-file reads of this ring (uring-file-reads.ts), or null when this
   * kernel lacks an opcode they need or refuses the file table. The table is registered on the
   * first call.
   */
  get fileReads(): RingFileReads | null {
    if (this.#fileReads !== undefined) return this.#fileReads;
    this.#fileReads = null;
    if (!this.#canReadFiles || this.#broken || this.#closing) return null;
    for (const slots of FILE_READ_SLOTS) {
      if (registerSparseFiles(this.#ring.fd, slots) === 0) {
        this.#fileReads = new RingFileReads(this.#filePort, slots);
        break;
      }
    }
    return this.#fileReads;
  }

  readonly #filePort: FileReadPort = {
    hold: (held) => this.#sink.ringHold(held),
    room: (count) => {
      if (this.#broken || this.#closing || this.#released || this.#inRing + count > this.#capacity) return false;
      // A linked batch must go to the kernel in one enter: never let a flush split it.
      if (this.#ring.sqSpace() < count) this.flush();
      return this.#ring.sqSpace() >= count;
    },
    // After room(count): the SQ has the space, so no flush can split a linked batch here.
    write: (code, opcode, sqeFlags, fd, off, addr, len, opFlags, fileIndex) => {
      this.#ring.prep(opcode, sqeFlags, fd, off, addr, len, opFlags, FILE_READS + code, 0, fileIndex);
      // Noted as -2 - code: #refuse answers it -ECANCELED if the kernel never takes it.
      this.#unsubmitted.note(-2 - code);
      this.#inRing++;
      this.#flushAtEndOfTurn();
    },
  };

  // ---- RingPort: the executor's side ----

  prepare(compiled: CompiledSyscall, nr: number, args: readonly Word[], copies: Confinement | null, takesOffsets: boolean, punt: boolean): boolean {
    if (this.#broken || this.#closing || this.#inRing >= this.#capacity) return false;
    const call = this.#calls[nr];
    if (call === undefined) return false;
    if (!fdsAllow(call, compiled, args, takesOffsets)) return false;
    const copied = this.#args;
    for (let i = 0; i < 6; i++) copied[i] = args[i] as Word;
    if (!this.#memory.copyArguments(call.copies, copies, copied)) return false;
    if (call.prepare(copied, this.#sqe, this.#memory) !== null) {
      this.#memory.abandon();
      return false;
    }
    this.#pendingCall = call;
    this.#pendingSqeFlags = punt ? IOSQE_ASYNC : 0;
    return true;
  }

  bind(atom: number, flags: number, ret: number, retRegion: Region | null): void {
    this.#pendingAtom = atom;
    this.#pendingFlags = flags;
    this.#pendingRet = ret;
    this.#pendingRetRegion = retRegion;
  }

  skipProbe(fd: Word): boolean {
    return this.#probes.skipProbe(fd);
  }

  probed(fd: Word, hit: boolean): void {
    this.#probes.probed(fd, hit);
  }

  // ---- The Engine's side ----

  /**
   * commit - the request prepared last belongs to the chain with `token`: write its SQE. It is
   * submitted with the next flush (scheduled for the end of this JS turn).
   */
  commit(token: number): void {
    const call = this.#pendingCall as RingCall;
    this.#pendingCall = null;
    const ring = this.#ring;
    const sqe = this.#sqe;
    const requests = this.#requests;
    if (ring.sqSpace() === 0) this.flush();
    else if (ring.unsubmitted >= EAGER_SUBMIT_SQES) this.#submitEarly();
    ring.prep(sqe.opcode, this.#pendingSqeFlags, sqe.fd, sqe.off, sqe.addr, sqe.len, sqe.opFlags, requests.userData(token), sqe.addr3, sqe.spliceFdIn);
    this.#memory.commit(token);
    requests.record(token, this.#pendingAtom, this.#pendingFlags, this.#pendingRet, this.#pendingRetRegion, call.result === undefined ? RESULT_PLAIN : call.result === 'timeout' ? RESULT_TIMEOUT : RESULT_POLL);
    this.#pendingRetRegion = null;
    this.#unsubmitted.note(token);
    this.#inRing++;
    this.#flushAtEndOfTurn();
  }

  /** Submit what is written at the end of this JS turn (once per turn). */
  #flushAtEndOfTurn(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    void SETTLED.then(this.#flushTask);
  }

  /** discard - the request prepared last will not be made (the chain was refused a token). */
  discard(): void {
    this.#pendingCall = null;
    this.#pendingRetRegion = null;
    this.#memory.abandon();
  }

  /**
   * cancel - ask the kernel to cancel the request of the chain with `token` (its completion then
   * says -ECANCELED, delivered as -EINTR; one that already finished completes normally).
   */
  cancel(token: number): void {
    if (this.#released || !this.#requests.isLive(token)) return;
    this.#requests.askedToCancel(token);
    this.#internal(IORING_OP.ASYNC_CANCEL, this.#requests.userData(token), 0);
  }

  /**
   * Whether completions may be waiting (processed by the next {@link pump}): the callers loop on
   * it before they sleep. A TASKRUN flag that an enter has just answered with no completion is
   * taken for stale: the kernel can leave it set with nothing queued, and looping on it spun the
   * wake-up callback for ever (CI clone of 15e4049: `bench --quick` hung in
   * io_uring_enter(0, 0, GETEVENTS)). Work queued after that enter signals the eventfd; work the
   * kernel still held is what the stall watch (uring-stall-watch.ts) comes back for.
   */
  hasWork(): boolean {
    if (this.#released) return false;
    const ring = this.#ring;
    return ring.unsubmitted > 0 || ring.cqReady() > 0 || (this.#getEvents && !this.#taskrunAnswered && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0);
  }

  /**
   * completionsReady - whether CQEs wait, or completion work the next enter would turn into CQEs
   * (the TASKRUN flag, as in {@link hasWork}); SQEs not yet submitted do not count: the end of
   * this turn submits them anyway. For calls that deliver completions between turns
   * (event-loop-turns.ts), which need not run a pump per call only to submit.
   */
  completionsReady(): boolean {
    if (this.#released) return false;
    const ring = this.#ring;
    return ring.cqReady() > 0 || (this.#getEvents && !this.#taskrunAnswered && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0);
  }

  /**
   * flush - submit the SQEs written so far; under DEFER_TASKRUN also run the completion work the
   * kernel queued (GETEVENTS), so the same syscall makes completions visible.
   */
  flush(): void {
    if (this.#released) return;
    const ring = this.#ring;
    const sqFlags = ring.sqFlags();
    const getEvents = (this.#getEvents && (sqFlags & IORING_SQ_TASKRUN) !== 0) || (sqFlags & IORING_SQ_CQ_OVERFLOW) !== 0;
    if (ring.unsubmitted === 0 && !getEvents) return;
    this.#taskrunAnswered = false;
    for (let attempt = 0; ; attempt++) {
      const submitting = ring.unsubmitted;
      const result = ring.submit(0, getEvents);
      if (result >= 0) {
        // The kernel consumed `result` SQEs (all of them, unless it ran short of memory).
        this.#unsubmitted.submitted(Math.min(result, submitting));
        if (ring.unsubmitted === 0 || result === 0 && attempt > 8) break;
        continue;
      }
      if (result === -EINTR) continue;
      if ((result === -EAGAIN || result === -EBUSY) && attempt < 64) {
        // The kernel is short of room for completions: process some, then try again.
        this.#reap();
        continue;
      }
      this.#refuse();
      return;
    }
    // The enter ran whatever completion work there was; a flag still set over an empty CQ is stale
    // (almost always: with requests in flight the stall watch makes sure the loop comes back).
    if (getEvents && ring.cqReady() === 0 && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0) {
      this.#taskrunAnswered = true;
      if (this.#inRing > 0) this.#stallWatch.suspect();
    } else if (getEvents) this.#stallWatch.progressed();
  }

  /**
   * Submits the SQEs written so far, and nothing else: no completion work (GETEVENTS), no reaping,
   * no refusal. It runs inside {@link commit} before the new SQE is written, where processing a
   * completion could resume a chain that prepares another request over the pending one. Whatever
   * the kernel does not take now (EINTR, EAGAIN, a refusal) stays for the next {@link flush}, which
   * the end of the turn or any wait makes.
   */
  #submitEarly(): void {
    if (this.#released) return;
    const ring = this.#ring;
    const submitting = ring.unsubmitted;
    const result = ring.submit(0, false);
    if (result > 0) this.#unsubmitted.submitted(Math.min(result, submitting));
  }

  /**
   * waitForCompletion - block in io_uring_enter(GETEVENTS, min_complete 1) until a completion is
   * ready, after submitting what is written. Under DEFER_TASKRUN the kernel runs the completion
   * work inside this call, so one syscall does what a sleep on the eventfd does in three (ppoll,
   * the eventfd read, the enter that runs the work). For a blocking wait that only this ring can
   * end; a signal interrupts it (EINTR), as it does ppoll.
   * @returns true when it waited, false when there is nothing to wait for or the kernel refused
   *   the wait (the caller then sleeps on the eventfd).
   */
  waitForCompletion(): boolean {
    if (this.#released || this.#broken || this.#inRing === 0) return false;
    // The SQEs written since the last flush go in the same call: the kernel submits them, then
    // waits (it skips the wait when it took fewer than given, and the caller comes round again).
    const ring = this.#ring;
    const submitting = ring.unsubmitted;
    this.#taskrunAnswered = false;
    const result = ring.submit(1, true);
    if (result >= 0) {
      this.#unsubmitted.submitted(Math.min(result, submitting));
      return true;
    }
    // A signal ended the wait (nothing was submitted then: the kernel reports a submission's
    // count before a wait's error).
    if (result === -EINTR) return true;
    // Refused (EAGAIN, EBUSY: short of room; or for good): flush deals with it as for any
    // submission, and the caller sleeps on the eventfd.
    this.flush();
    return false;
  }

  /**
   * pump - submit what is written, make queued completions visible, and process every CQE: each
   * completes its chain's atom and resumes the chain (see RingSink). @returns how many.
   */
  pump(): number {
    if (this.#released) return 0;
    // flush enters for the TASKRUN flag even when hasWork calls it stale: a wake-up of the
    // eventfd for new work finds the flag already set.
    this.flush();
    return this.#reap();
  }

  /**
   * close - refuse new requests, cancel every request in the ring and wait (up to `timeoutMs`)
   * until each has completed; then release the ring. Chains whose requests complete now are
   * delivered as cancelled by the Engine (their cancel flag is set before this is called).
   */
  async close(timeoutMs = 2000): Promise<void> {
    this.#closing = true;
    this.#stallWatch.stop();
    if (this.#inRing > 0) this.#internal(IORING_OP.ASYNC_CANCEL, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
    const deadline = performance.now() + timeoutMs;
    while (this.#inRing > 0 && performance.now() < deadline) {
      this.pump();
      if (this.#inRing === 0) break;
      // Again: a linked request is issued only when the one before it completes (under
      // DEFER_TASKRUN, in the completion work an enter runs after the cancel was taken), so a
      // single cancel can miss it (a file read's second read on a FIFO, uring-file-reads.ts).
      this.#internal(IORING_OP.ASYNC_CANCEL, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    unregisterEventfd(this.#ring.fd);
    // Closing the ring fd makes the kernel cancel (and wait for) anything still in flight.
    this.#released = true;
    // File reads whose requests did not complete in time still answer, once.
    this.#fileReads?.abandonAll();
    this.#ring.release();
    // A request that did not complete in time may still be written back into its copies (an
    // accept's addrlen, a recvmsg's msghdr) while the kernel tears the ring down: keep them.
    if (this.#inRing === 0) this.#memory.release();
  }
  /**
   * releaseAtWorkerExit - the worker thread that owns this ring is ending: unmap the ring and
   * close its fd now (the kernel cancels what is in flight), without waiting. The requests'
   * memory is kept: the kernel may still write into it while it tears the ring down.
   */
  releaseAtWorkerExit(): void {
    if (this.#released) return;
    this.#closing = true;
    this.#stallWatch.stop();
    this.#released = true;
    this.#ring.release();
  }

  /** Processes every CQE waiting now. */
  #reap(): number {
    if (this.#reaping) return 0;
    this.#reaping = true;
    let total = 0;
    try {
      const userData = this.#reapedUserData;
      const res = this.#reapedRes;
      for (;;) {
        const count = this.#ring.reapInto(userData, res);
        if (count === 0) break;
        total += count;
        for (let i = 0; i < count; i++) this.#complete(userData[i] as number, res[i] as number);
      }
    } finally {
      this.#reaping = false;
    }
    return total;
  }

  #complete(userData: number, res: number): void {
    if (userData >= INTERNAL) return;
    if (userData >= FILE_READS) {
      this.#inRing--;
      this.#fileReads?.complete(userData - FILE_READS, res);
      return;
    }
    const requests = this.#requests;
    const token = requests.tokenOf(userData);
    if (token === STALE) {
      // Only a bug could produce this: never let it complete another chain.
      if (process.env.SYSLET_AIO_DEBUG === '1') console.error(`io_uring: stale completion ${userData} (${res}) dropped`);
      return;
    }
    let value = res;
    const kind = requests.resultKind(token);
    if (kind === RESULT_TIMEOUT && value === -ETIME) value = 0; // the timer expiring is the sleep succeeding
    // ppoll answers a closed fd with POLLNVAL in its revents; IORING_OP_POLL_ADD fails with EBADF.
    else if (kind === RESULT_POLL && value === -EBADF) value = POLLNVAL;
    const retRegion = requests.retire(token);
    this.#inRing--;
    if (value === -ECANCELED && !this.#closing && !requests.cancelWasAsked(token)) {
      // A cancel nobody asked for: the kernel could not run the request (io-wq could not create
      // a worker at RLIMIT_NPROC, session 21: 200 of 200 writes ended -EINTR). Its call did not
      // run: a cachemiss thread makes it, as for a request the kernel refused to take.
      this.#memory.finish(token, -EINTR);
      this.#sink.ringRefused(token, requests.atomOf(token));
      return;
    }
    // A cancelled request reads as an interrupted call, as on a thread (close, cancelChain).
    if (value === -ECANCELED) value = -EINTR;
    this.#memory.finish(token, value);
    // (finish wrote the events to the pollfd's revents.)
    if (kind === RESULT_POLL && value >= 0) value = 1;
    this.#sink.ringCompleted(token, requests.atomOf(token), requests.flagsOf(token), requests.retOf(token), retRegion, value);
  }

  /** An SQE of the engine's own (ASYNC_CANCEL), submitted at once. */
  #internal(opcode: number, addr: number, opFlags: number): void {
    const ring = this.#ring;
    if (ring.sqSpace() === 0) this.flush();
    ring.prep(opcode, 0, -1, 0, addr, 0, opFlags, INTERNAL);
    // Not a chain's SQE, but it sits in the same unsubmitted run: keep the bookkeeping in step.
    this.#unsubmitted.note(-1);
    this.flush();
  }

  /**
   * io_uring_enter failed for good (e.g. a seccomp filter installed after set-up): the SQEs not
   * yet taken never ran, so their chains go to cachemiss threads from their atoms; the engine
   * takes no more requests.
   */
  #refuse(): void {
    this.#broken = true;
    this.#ring.discardUnsubmitted();
    const tokens = this.#unsubmitted.takeAll();
    for (const token of tokens) {
      if (token <= -2) {
        this.#inRing--;
        this.#fileReads?.complete(-2 - token, -ECANCELED);
        continue;
      }
      if (token < 0 || !this.#requests.isLive(token)) continue;
      this.#requests.retire(token);
      this.#inRing--;
      this.#memory.finish(token, -EINTR);
      this.#sink.ringRefused(token, this.#requests.atomOf(token));
    }
  }

}

