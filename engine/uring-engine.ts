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
 * the chain's token and a generation, so a stale CQE can never complete another chain. When
 * SQEs go to the kernel is uring-submitter.ts's business.
 */
import { EBADF, ECANCELED, EINTR, ETIME, IORING_OP, IORING_ASYNC_CANCEL_ALL, IORING_ASYNC_CANCEL_ANY, IOSQE_ASYNC, registerEventfd, unregisterEventfd, type Word } from './native/index.js';
import type { RingFileReads } from './uring-file-reads.js';
import type { DirectRequestTarget } from './uring-direct.js';
import { INTERNAL_USER_DATA, RingSideRequests, SIDE_USER_DATA } from './uring-side-requests.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { RingPort } from './executor.js';
import type { CompiledSyscall } from './compiled-table.js';
import type { Confinement } from './confinement.js';
import { RING_CALLS, newSqeFields, type RingCall, type SqeFields } from './uring-opcodes.js';
import { RequestMemory } from './uring-copies.js';
import type { Ring } from './uring-ring.js';
import { ringCalls, type RingDescription } from './uring-describe.js';
import { fdsAllow } from './uring-fd-rules.js';
import { typedAnswers, typedDevice } from './fd-type.js';
import { callOnRemoteMount } from './remote-mounts.js';
import { ReadProbeMemory } from './uring-probe-memory.js';
import { RingSubmitter } from './uring-submitter.js';
import { syscallByName } from './syscalls/table.js';
import { POLLNVAL } from './syscalls/constants.generated.js';
import { RESULT_PLAIN, RESULT_POLL, RESULT_TIMEOUT, RingRequests, STALE, TOKENS } from './uring-requests.js';

/** user_data of the engine's own requests (ASYNC_CANCEL): never a chain's. */
const INTERNAL = INTERNAL_USER_DATA;
/** CQEs one reap copies out of the ring at a time. */
const REAP_BATCH = 256;
/**
 * Reaps nested in reaps at most (a listener waiting for a chain whose listener waits...): past
 * it a wait's pump processes nothing and the wait goes on sleeping, as before session 23.
 */
const MAX_REAP_DEPTH = 8;
/** Headroom in the CQ for the engine's own requests' completions. */
const CQ_HEADROOM = 64;

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
  /** How each number's CQE res becomes its call's result (RESULT_*), decided once from its RingCall. */
  readonly #resultKinds = new Uint8Array(512);
  readonly description: RingDescription;
  readonly #capacity: number;
  // The request being prepared (between prepare and commit).
  readonly #sqe: SqeFields = newSqeFields();
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  #pendingResultKind = RESULT_PLAIN;
  #pendingAtom = 0;
  #pendingFlags = 0;
  // The prepared request's SQE flags: IOSQE_ASYNC for a copy too large for the submitting thread.
  #pendingSqeFlags = 0;
  #pendingRet = 0;
  #pendingRetRegion: Region | null = null;
  /** Requests in the ring, by token (user_data = token + TOKENS × generation). */
  readonly #requests = new RingRequests();
  /** When the SQEs written go to the kernel (and whether completions may wait). */
  readonly #submitter: RingSubmitter;
  #inRing = 0;
  #broken = false;
  #closing = false;
  /**
   * How deep reaps are nested now: a completion's listener may wait for another chain
   * (runChainSync, waitUntil, aio_suspend), whose pump reaps inside the reap that called it. Each
   * depth copies CQEs into buffers of its own (the outer reap is still walking its batch).
   */
  #reapDepth = 0;
  readonly #reapBuffers: { readonly userData: Float64Array; readonly res: Int32Array }[] = [];
  /** The requests that are not a chain's: linked file reads, syslet-aio/fs's direct requests. */
  readonly #side: RingSideRequests;

  constructor(ring: Ring, supportedOps: Uint8Array, setupFlags: string, registry: MemoryRegistry, eventfd: number, sink: RingSink) {
    this.#ring = ring;
    this.#sink = sink;
    this.#capacity = Math.min(TOKENS, ring.cqEntries - CQ_HEADROOM);
    this.#memory = new RequestMemory(registry, this.#capacity);
    const calls = ringCalls(supportedOps);
    for (const name of calls) {
      const nr = (syscallByName(name) as { x86_64: number }).x86_64;
      const call = RING_CALLS[name] as RingCall;
      this.#calls[nr] = call;
      this.#resultKinds[nr] = call.result === undefined ? RESULT_PLAIN : call.result === 'timeout' ? RESULT_TIMEOUT : RESULT_POLL;
    }
    const ops = [IORING_OP.OPENAT, IORING_OP.READ, IORING_OP.CLOSE, IORING_OP.FIXED_FD_INSTALL];
    this.description = { setupFlags, sqEntries: ring.sqEntries, cqEntries: ring.cqEntries, features: ring.features, calls };
    // The kernel signals the Engine's eventfd when completions (or, under DEFER_TASKRUN,
    // completion work) arrive: the same fd and libuv watcher the cachemiss threads poke.
    const registered = registerEventfd(ring.fd, eventfd);
    if (registered < 0) throw new Error(`IORING_REGISTER_EVENTFD gave ${registered}`);
    this.#submitter = new RingSubmitter(ring, eventfd, {
      inRing: () => this.#inRing,
      reap: () => void this.#reap(),
      refuse: (tokens) => this.#refuse(tokens),
    });
    const submitter = this.#submitter;
    this.#side = new RingSideRequests({
      ring,
      submitter,
      takes: (count) => !this.#broken && !this.#closing && !submitter.released && this.#inRing + count <= this.#capacity,
      wrote: () => void this.#inRing++,
      ended: () => void this.#inRing--,
      hold: (held) => sink.ringHold(held),
    }, ops.every((op) => supportedOps[op] === 1));
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
    return this.#side.fileReads();
  }

  /**
   * direct - write one SQE for `target` (uring-direct.ts): no chain, no copies; the addresses must
   * stay valid until its result comes back (the kernel copies a path in while it prepares the
   * request, at the next enter). Submitted with the next flush, as a chain's request; `sqeFlags`
   * IOSQE_ASYNC sends it to io-wq without the kernel's inline try.
   * @returns false when the ring takes no more requests now (full, closing, refused).
   */
  direct(target: DirectRequestTarget, opcode: number, fd: number, off: number, addr: number, len: number, opFlags: number, sqeFlags = 0): boolean {
    return this.#side.direct(target, opcode, fd, off, addr, len, opFlags, sqeFlags);
  }

  // ---- RingPort: the executor's side ----

  prepare(compiled: CompiledSyscall, nr: number, args: readonly Word[], copies: Confinement | null, takesOffsets: boolean, punt: boolean): boolean {
    if (this.#broken || this.#closing || this.#inRing >= this.#capacity) return false;
    const call = this.#calls[nr];
    if (call === undefined) return false;
    const typed = typedAnswers();
    if (!fdsAllow(call, compiled, args, takesOffsets)) return false;
    // A call on a FUSE, NFS... file goes to io-wq without the ring's inline try, which waited for
    // the server in the submitting thread (a FUSE read: 300 ms in io_uring_enter). When the
    // position rule has just asked statx about this fd (a pread's file type), the same answer
    // says its mount: one statx per ring-bound read, not two (uncached32: 5.6 % of P2's thread).
    const fd = args[0];
    const device = typedAnswers() !== typed && typeof fd === 'number' ? typedDevice(fd) : -1;
    const copied = this.#args;
    for (let i = 0; i < 6; i++) copied[i] = args[i] as Word;
    if (!this.#memory.copyArguments(call.copies, copies, copied)) return false;
    if (call.prepare(copied, this.#sqe, this.#memory) !== null) {
      this.#memory.abandon();
      return false;
    }
    // Asked once nothing can refuse the request any more: a refused one needs no answer.
    const remote = callOnRemoteMount(nr, args, device);
    this.#pendingResultKind = this.#resultKinds[nr] as number;
    this.#pendingSqeFlags = punt || remote ? IOSQE_ASYNC : 0;
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
    const sqe = this.#sqe;
    const requests = this.#requests;
    this.#submitter.beforeWrite();
    this.#ring.prep(sqe.opcode, this.#pendingSqeFlags, sqe.fd, sqe.off, sqe.addr, sqe.len, sqe.opFlags, requests.userData(token), sqe.addr3, sqe.spliceFdIn);
    this.#memory.commit(token);
    requests.record(token, this.#pendingAtom, this.#pendingFlags, this.#pendingRet, this.#pendingRetRegion, this.#pendingResultKind);
    this.#pendingRetRegion = null;
    this.#submitter.noteWritten(token);
    this.#inRing++;
  }

  /** discard - the request prepared last will not be made (the chain was refused a token). */
  discard(): void {
    this.#pendingRetRegion = null;
    this.#memory.abandon();
  }

  /**
   * cancel - ask the kernel to cancel the request of the chain with `token` (its completion then
   * says -ECANCELED, delivered as -EINTR; one that already finished completes normally).
   */
  cancel(token: number): void {
    if (this.#submitter.released || !this.#requests.isLive(token)) return;
    this.#requests.askedToCancel(token);
    this.#internal(IORING_OP.ASYNC_CANCEL, this.#requests.userData(token), 0);
  }

  /** Whether completions may be waiting, or SQEs wait to be submitted (see RingSubmitter.hasWork). */
  hasWork(): boolean {
    return this.#submitter.hasWork();
  }

  /** completionsReady - whether CQEs (or completion work) wait (see RingSubmitter.completionsReady). */
  completionsReady(): boolean {
    return this.#submitter.completionsReady();
  }

  /** flush - submit the SQEs written so far and run the completion work the kernel queued. */
  flush(): void {
    this.#submitter.flush();
  }

  /**
   * waitForCompletion - block in io_uring_enter until a completion is ready (see
   * RingSubmitter.waitForCompletion), for a blocking wait that only this ring can end.
   * @returns true when it waited, false when there is nothing to wait for or the kernel refused
   *   the wait (the caller then sleeps on the eventfd).
   */
  waitForCompletion(): boolean {
    if (this.#broken || this.#inRing === 0) return false;
    return this.#submitter.waitForCompletion();
  }

  /**
   * pump - submit what is written, make queued completions visible, and process every CQE: each
   * completes its chain's atom and resumes the chain (see RingSink). @returns how many.
   */
  pump(): number {
    if (this.#submitter.released) return 0;
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
    this.#submitter.stopWatching();
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
    this.#submitter.release();
    // File reads whose requests did not complete in time still answer, once.
    this.#side.abandonAll();
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
    if (this.#submitter.released) return;
    this.#closing = true;
    this.#submitter.release();
    this.#ring.release();
  }

  /** Processes every CQE waiting now. */
  #reap(): number {
    const depth = this.#reapDepth;
    if (depth >= MAX_REAP_DEPTH) return 0;
    let buffers = this.#reapBuffers[depth];
    if (buffers === undefined) {
      buffers = { userData: new Float64Array(REAP_BATCH), res: new Int32Array(REAP_BATCH) };
      this.#reapBuffers[depth] = buffers;
    }
    this.#reapDepth = depth + 1;
    let total = 0;
    try {
      const userData = buffers.userData;
      const res = buffers.res;
      for (;;) {
        const count = this.#ring.reapInto(userData, res);
        if (count === 0) break;
        total += count;
        for (let i = 0; i < count; i++) this.#complete(userData[i] as number, res[i] as number);
      }
    } finally {
      this.#reapDepth = depth;
    }
    return total;
  }

  #complete(userData: number, res: number): void {
    if (userData >= INTERNAL) return;
    if (userData >= SIDE_USER_DATA) {
      this.#side.complete(userData, res);
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
    const unasked = value === -ECANCELED && !requests.cancelWasAsked(token);
    if (!this.#closing && (unasked || kind === RESULT_POLL && value !== -ECANCELED && !this.#memory.pollAnswered(token, value))) {
      // A cancel nobody asked for: the kernel could not run the request (io-wq could not create
      // a worker at RLIMIT_NPROC, session 21: 200 of 200 writes ended -EINTR). Or a poll that
      // answered where ppoll would go on waiting (hunt23: POLLRDHUP alone, EINVAL). Either way
      // the call has not answered: a cachemiss thread makes it, as for a request the kernel
      // refused to take.
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
    this.#submitter.noteWritten(-1);
    this.flush();
  }

  /**
   * io_uring_enter failed for good (e.g. a seccomp filter installed after set-up): the SQEs not
   * yet taken (`tokens`) never ran, so their chains go to cachemiss threads from their atoms; the
   * engine takes no more requests.
   */
  #refuse(tokens: Int32Array): void {
    this.#broken = true;
    for (const token of tokens) {
      if (this.#side.refused(token)) continue;
      if (token < 0 || !this.#requests.isLive(token)) continue;
      this.#requests.retire(token);
      this.#inRing--;
      this.#memory.finish(token, -EINTR);
      this.#sink.ringRefused(token, this.#requests.atomOf(token));
    }
  }

}

