/**
 * The io_uring protocol, in JS, over the kernel's shared mappings: it sees only the ArrayBuffers
 * engine/native/uring.ts hands it and the ringEnter function.
 *
 * Memory ordering. The rings are shared with the kernel, which may read the SQ tail and write
 * CQEs from another CPU (an io-wq worker, an interrupt's task work, the SQPOLL thread). The
 * protocol needs a release store of the SQ tail (SQEs visible before the tail that publishes
 * them), an acquire load of the CQ tail (CQE contents read only after the tail that published
 * them), and a release store of the CQ head (we are done reading those CQEs before the kernel
 * may reuse their slots). koffi.view gives a plain (non-shared) external ArrayBuffer, and
 * Atomics.load/Atomics.store work on integer views of non-shared buffers: they are sequentially
 * consistent, which is stronger than acquire/release, and V8 never moves ordinary typed-array
 * accesses across them (they are effectful, ordered operations in TurboFan's effect chain). On
 * x86-64, Atomics.store compiles to XCHG (a full fence) and Atomics.load to a plain MOV (TSO
 * already gives acquire), so the hot path pays one locked instruction per publish. The SQPOLL
 * case needs the full fence: after publishing the tail we read IORING_SQ_NEED_WAKEUP, a
 * store→load order that x86 would otherwise reorder.
 *
 * The SQ index array is filled once with the identity (array[i] = i) and SQEs are always taken in
 * tail order, so a submission writes no index.
 *
 * What the kernel changes only inside our own io_uring_enter is read once per enter, not once per
 * use: Atomics.load is a call into a V8 builtin (20–35 ns on the reference VM, against 4 ns for a
 * plain load), and the engine asks "anything to do?" on every aio_error of a request in flight.
 * Without SQPOLL the kernel consumes SQEs (moves the SQ head) only inside io_uring_enter; under
 * DEFER_TASKRUN it also posts CQEs (moves the CQ tail) only there — completion work is queued
 * for the submitter and run by its GETEVENTS enter, overflowed CQEs are flushed there too. So
 * the ring keeps its own copies of both and refreshes them after each enter. The SQ flags word
 * (IORING_SQ_TASKRUN: completion work waits) is the one thing that changes under us at any
 * time; it is a hint that each check re-reads with a plain load, which on x86-64 is as fresh
 * as Atomics.load (TSO; a typed-array load is an effectful operation that TurboFan neither
 * eliminates nor hoists out of a loop), and whose staleness costs nothing (a flag set just
 * after the read also signals the eventfd).
 */
import { ringEnter, syscall, EPERM, type RingMapping } from './native/index.js';
import { NR } from './syscalls/nr.js';
import {
  IO_URING_CQE, IORING_ENTER_GETEVENTS, IORING_ENTER_SQ_WAKEUP, IORING_SETUP_DEFER_TASKRUN, IORING_SETUP_SQPOLL,
  IORING_SQ_CQ_OVERFLOW, IORING_SQ_NEED_WAKEUP, IO_URING_SQE,
} from './native/index.js';

const TWO32 = 4294967296;
const SYS_prctl = NR.prctl;
/** prctl option: the calling thread's seccomp mode (0 none, 2 a filter; linux/prctl.h). */
const PR_GET_SECCOMP = 21;
const SQE_WORDS = IO_URING_SQE.size / 4;
const CQE_WORDS = IO_URING_CQE.size / 4;

/** The SQ and CQ of one io_uring, driven from one thread (the submitter). */
export class Ring {
  readonly fd: number;
  readonly sqEntries: number;
  readonly cqEntries: number;
  readonly features: number;
  readonly mapping: RingMapping;
  readonly #sq: Uint32Array;
  readonly #sqHead: number;
  readonly #sqTailIndex: number;
  readonly #sqFlags: number;
  readonly #sqMask: number;
  readonly #sqe: Uint32Array;
  readonly #cq: Uint32Array;
  readonly #cqSigned: Int32Array;
  readonly #cqHeadIndex: number;
  readonly #cqTailIndex: number;
  readonly #cqes: number;
  readonly #cqMask: number;
  readonly #sqpoll: boolean;
  readonly #deferTaskrun: boolean;
  /** Next SQE slot to fill (ours: only we produce). */
  #tail = 0;
  /** The tail last published to the kernel. */
  #published = 0;
  /** Our copy of the CQ head (only we consume). */
  #cqHead = 0;
  /**
   * Whether the SQ head and CQ tail move only inside our io_uring_enter (no SQPOLL, and under
   * DEFER_TASKRUN for the CQ): then {@link #sqHeadSeen} and {@link #cqTailSeen} are exact.
   */
  readonly #sqHeadInEnterOnly: boolean;
  readonly #cqTailInEnterOnly: boolean;
  /** The SQ head as last read (after the last enter, when it moves only there). */
  #sqHeadSeen = 0;
  /** The CQ tail as last read (after the last enter, when it moves only there). */
  #cqTailSeen = 0;
  /** io_uring_enter calls made (for the benchmark's accounting). */
  enters = 0;
  /**
   * Whether submissions look for a seccomp filter: the ring was made with none on this thread
   * (with one, only an explicit engine: 'io_uring' gets here, and asked for the ring as it is).
   */
  readonly #watchSeccomp: boolean;
  /** A filter came after the ring was made: the kernel is refused every SQE from then on. */
  #filtered = false;

  constructor(mapping: RingMapping) {
    this.mapping = mapping;
    this.fd = mapping.fd;
    this.sqEntries = mapping.sqEntries;
    this.cqEntries = mapping.cqEntries;
    this.features = mapping.features;
    this.#sq = new Uint32Array(mapping.sqRing);
    this.#sqHead = mapping.sqOff.head / 4;
    this.#sqTailIndex = mapping.sqOff.tail / 4;
    this.#sqFlags = mapping.sqOff.flags / 4;
    this.#sqMask = this.#sq[mapping.sqOff.ringMask / 4] as number;
    this.#sqe = new Uint32Array(mapping.sqes);
    this.#cq = new Uint32Array(mapping.cqRing);
    this.#cqSigned = new Int32Array(mapping.cqRing);
    this.#cqHeadIndex = mapping.cqOff.head / 4;
    this.#cqTailIndex = mapping.cqOff.tail / 4;
    this.#cqes = mapping.cqOff.cqes / 4;
    this.#cqMask = this.#cq[mapping.cqOff.ringMask / 4] as number;
    this.#sqpoll = (mapping.flags & IORING_SETUP_SQPOLL) !== 0;
    this.#deferTaskrun = (mapping.flags & IORING_SETUP_DEFER_TASKRUN) !== 0;
    this.#sqHeadInEnterOnly = !this.#sqpoll;
    this.#cqTailInEnterOnly = this.#deferTaskrun && !this.#sqpoll;
    this.#tail = this.#published = Atomics.load(this.#sq, this.#sqTailIndex);
    this.#sqHeadSeen = Atomics.load(this.#sq, this.#sqHead);
    this.#watchSeccomp = syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0) === 0;
    this.#cqHead = Atomics.load(this.#cq, this.#cqHeadIndex);
    this.#cqTailSeen = Atomics.load(this.#cq, this.#cqTailIndex);
    const array = mapping.sqOff.array / 4;
    for (let i = 0; i < this.sqEntries; i++) this.#sq[array + i] = i;
  }

  /** Free SQ slots: entries minus those filled and not yet consumed by the kernel. */
  sqSpace(): number {
    const head = this.#sqHeadInEnterOnly ? this.#sqHeadSeen : Atomics.load(this.#sq, this.#sqHead);
    return this.sqEntries - ((this.#tail - head) >>> 0);
  }

  /**
   * SQEs filled and not yet taken by the kernel. Without SQPOLL that includes published ones the
   * kernel left in the SQ: io_uring_enter stops consuming at a request that fails while it is
   * prepared (statx of an empty path, a bad flag: its CQE says why) and returns the count taken
   * so far, so the rest must be entered again (counted from the tail, they were stranded, and the
   * kernel then took the oldest in place of each new one).
   */
  get unsubmitted(): number {
    return this.#sqHeadInEnterOnly ? (this.#tail - this.#sqHeadSeen) >>> 0 : (this.#tail - this.#published) >>> 0;
  }

  /**
   * prep - fill the next SQE. Every one of its 16 words is written (slots are reused: nothing of
   * the previous request may leak into this one). 64-bit fields take exact JS integers
   * (|v| < 2^53) or -1.
   *
   * @returns false when the SQ is full (submit first).
   */
  prep(opcode: number, sqeFlags: number, fd: number, off: number, addr: number, len: number, opFlags: number, userData: number, addr3 = 0, spliceFdIn = 0): boolean {
    if (this.sqSpace() === 0) return false;
    const sqe = this.#sqe;
    const at = (this.#tail & this.#sqMask) * SQE_WORDS;
    sqe[at] = opcode | (sqeFlags << 8); // opcode, flags, ioprio = 0
    sqe[at + 1] = fd;
    sqe[at + 2] = off >>> 0;
    sqe[at + 3] = Math.floor(off / TWO32);
    sqe[at + 4] = addr >>> 0;
    sqe[at + 5] = Math.floor(addr / TWO32);
    sqe[at + 6] = len;
    sqe[at + 7] = opFlags;
    sqe[at + 8] = userData >>> 0;
    sqe[at + 9] = Math.floor(userData / TWO32);
    sqe[at + 10] = 0; // buf_index, personality
    sqe[at + 11] = spliceFdIn;
    sqe[at + 12] = addr3 >>> 0;
    sqe[at + 13] = Math.floor(addr3 / TWO32);
    sqe[at + 14] = 0;
    sqe[at + 15] = 0;
    this.#tail = (this.#tail + 1) >>> 0;
    return true;
  }

  /**
   * submit - publish the filled SQEs (release store of the tail) and enter the kernel if needed.
   *
   * @param minComplete - wait for this many CQEs (0: do not wait).
   * @param getEvents - pass IORING_ENTER_GETEVENTS even with minComplete 0: under DEFER_TASKRUN this
   *   is what runs the completion work the kernel queued for us (and so posts CQEs).
   * @returns SQEs the kernel consumed, or `-errno`.
   */
  submit(minComplete = 0, getEvents = minComplete > 0): number {
    // A filter the program installs once initialised (a self-sandboxing service) never sees a
    // ring's requests: an unlink it refuses was made all the same (hunt30). The engine chose the
    // ring because no filter was there (uring-select.ts); from the first submission that finds one
    // (PR_GET_SECCOMP answers 2, or is itself refused), new SQEs are refused as a filter refusing
    // io_uring_enter would refuse them, and go to cachemiss threads, whose calls it does see. Asked
    // before anything is published: with SQPOLL publishing is submitting. Waits for requests
    // already in the ring go on.
    if (this.#watchSeccomp && this.unsubmitted > 0 && (this.#filtered || syscall(SYS_prctl, PR_GET_SECCOMP, 0, 0, 0, 0) !== 0)) {
      this.#filtered = true;
      return -EPERM;
    }
    const publishing = (this.#tail - this.#published) >>> 0;
    if (publishing > 0) {
      Atomics.store(this.#sq, this.#sqTailIndex, this.#tail);
      this.#published = this.#tail;
    }
    if (this.#sqpoll) {
      const toSubmit = publishing;
      // The poll thread consumes the SQ by itself; enter only to wake it or to wait.
      const flags = Atomics.load(this.#sq, this.#sqFlags);
      let enterFlags = (flags & IORING_SQ_NEED_WAKEUP) !== 0 && toSubmit > 0 ? IORING_ENTER_SQ_WAKEUP : 0;
      if (getEvents || (flags & IORING_SQ_CQ_OVERFLOW) !== 0) enterFlags |= IORING_ENTER_GETEVENTS;
      if (enterFlags === 0) return toSubmit;
      this.enters++;
      const r = ringEnter(this.fd, 0, minComplete, enterFlags);
      this.#entered();
      return r < 0 ? r : toSubmit;
    }
    // Every SQE the kernel has not taken: those published now and any an earlier enter left.
    const toSubmit = (this.#tail - this.#sqHeadSeen) >>> 0;
    if (toSubmit === 0 && !getEvents) return 0;
    this.enters++;
    const consumed = ringEnter(this.fd, toSubmit, minComplete, getEvents ? IORING_ENTER_GETEVENTS : 0);
    this.#entered();
    return consumed;
  }

  /** After any io_uring_enter (whatever it returned): what it may have moved, read once. */
  #entered(): void {
    this.#sqHeadSeen = Atomics.load(this.#sq, this.#sqHead);
    this.#cqTailSeen = Atomics.load(this.#cq, this.#cqTailIndex);
  }

  /** The CQ tail: our copy when only our enters move it, else read with acquire. */
  #cqTail(): number {
    return this.#cqTailInEnterOnly ? this.#cqTailSeen : Atomics.load(this.#cq, this.#cqTailIndex);
  }

  /** Whether completions must be fetched with io_uring_enter(GETEVENTS) before they show in the CQ. */
  get needsGetEvents(): boolean {
    return this.#deferTaskrun;
  }

  /** CQEs waiting in the CQ ring. */
  cqReady(): number {
    return (this.#cqTail() - this.#cqHead) >>> 0;
  }

  /** The SQ ring flags word (IORING_SQ_*): a hint, re-read with a plain load (see the module comment). */
  sqFlags(): number {
    return this.#sq[this.#sqFlags] as number;
  }

  /**
   * reapInto - copy up to `userData.length` waiting CQEs out (their user_data and res), then
   * release their slots with one head store. Copying first means a completion handler that
   * reaps again (re-entrantly) can never see the same CQE twice.
   * @returns how many.
   */
  reapInto(userData: Float64Array, res: Int32Array): number {
    const cq = this.#cq;
    const tail = this.#cqTail();
    let head = this.#cqHead;
    if (head === tail) return 0;
    const signed = this.#cqSigned;
    const mask = this.#cqMask;
    const base = this.#cqes;
    const room = userData.length;
    let count = 0;
    while (head !== tail && count < room) {
      const at = base + (head & mask) * CQE_WORDS;
      userData[count] = (cq[at] as number) + (cq[at + 1] as number) * TWO32;
      res[count] = signed[at + 2] as number;
      head = (head + 1) >>> 0;
      count++;
    }
    this.#cqHead = head;
    Atomics.store(cq, this.#cqHeadIndex, head);
    return count;
  }

  /**
   * discardUnsubmitted - forget the SQEs filled since the last submit (the kernel refused to take
   * them: their requests are made elsewhere). @returns how many.
   */
  discardUnsubmitted(): number {
    const count = this.unsubmitted;
    if (this.#sqHeadInEnterOnly) {
      // Published ones the kernel did not take go too: it reads the tail only inside an enter.
      this.#tail = this.#published = this.#sqHeadSeen;
      Atomics.store(this.#sq, this.#sqTailIndex, this.#tail);
    } else this.#tail = this.#published;
    return count;
  }

  /** release - unmap the rings and close the ring fd (the kernel cancels what is in flight). */
  release(): void {
    this.mapping.release();
  }
}
