/**
 * The io_uring engine's requests that are not a chain's atom: the linked whole-file reads
 * (uring-file-reads.ts) and the direct requests of syslet-aio/fs's bursts (uring-direct.ts).
 * Each has a user_data range and a mark in the unsubmitted list of its own, so that a completion,
 * or a refusal of the SQEs the kernel never took, finds its owner (split from uring-engine.ts).
 */
import { ECANCELED, registerSparseFiles } from './native/index.js';
import { RingFileReads, type FileReadPort } from './uring-file-reads.js';
import { RingDirectRequests, type DirectRequestTarget } from './uring-direct.js';
import type { Ring } from './uring-ring.js';
import type { RingSubmitter } from './uring-submitter.js';

/** user_data from here up: the engine's own requests (ASYNC_CANCEL), never a chain's. */
export const INTERNAL_USER_DATA = 2 ** 52;
/** user_data from here up to INTERNAL_USER_DATA: the linked file reads' requests, by code. */
const FILE_READS = 2 ** 51;
/** user_data from here up to FILE_READS: direct requests, by code. */
const DIRECT = 2 ** 50;
/** user_data below this is a chain's. */
export const SIDE_USER_DATA = DIRECT;
/** A file read's code noted in the unsubmitted list as FILE_READ_NOTED - code (chains' tokens are >= 0, the engine's own -1). */
const FILE_READ_NOTED = -2;
/** A direct request's code noted as DIRECT_NOTED - code (below every file read's mark). */
const DIRECT_NOTED = -(2 ** 24);
/** Direct-descriptor slots for the file reads (fewer when RLIMIT_NOFILE is lower). */
const FILE_READ_SLOTS = [256, 64];

/** What the side requests need from their engine. */
export interface SideRequestPort {
  readonly ring: Ring;
  readonly submitter: RingSubmitter;
  /** Whether the ring takes `count` more requests now (not broken, closing or released, within capacity). */
  takes(count: number): boolean;
  /** A side request's SQE was written (the engine counts it in flight). */
  wrote(): void;
  /** A side request's CQE came, or the kernel never took its SQE. */
  ended(): void;
  /** Something is in flight (true) or nothing any more (false): hold the event loop. */
  hold(held: boolean): void;
}

/** The side requests of one io_uring engine. */
export class RingSideRequests {
  readonly #port: SideRequestPort;
  readonly #canReadFiles: boolean;
  /** The linked file reads: undefined until first asked for, null when this kernel or ring cannot. */
  #fileReads: RingFileReads | null | undefined;
  readonly #direct: RingDirectRequests;

  constructor(port: SideRequestPort, canReadFiles: boolean) {
    this.#port = port;
    this.#canReadFiles = canReadFiles;
    this.#direct = new RingDirectRequests((held) => port.hold(held));
  }

  /**
   * fileReads - the linked whole-file reads of this ring, or null when this kernel lacks an
   * opcode they need or refuses the file table. The table is registered on the first call.
   */
  fileReads(): RingFileReads | null {
    if (this.#fileReads !== undefined) return this.#fileReads;
    this.#fileReads = null;
    if (!this.#canReadFiles || !this.#port.takes(0)) return null;
    for (const slots of FILE_READ_SLOTS) {
      if (registerSparseFiles(this.#port.ring.fd, slots) === 0) {
        this.#fileReads = new RingFileReads(this.#filePort, slots);
        break;
      }
    }
    return this.#fileReads;
  }

  readonly #filePort: FileReadPort = {
    hold: (held) => this.#port.hold(held),
    room: (count) => {
      const port = this.#port;
      if (!port.takes(count)) return false;
      // A linked batch must go to the kernel in one enter: never let a flush split it.
      if (port.ring.sqSpace() < count) port.submitter.flush();
      return port.ring.sqSpace() >= count;
    },
    // After room(count): the SQ has the space, so no flush can split a linked batch here.
    write: (code, opcode, sqeFlags, fd, off, addr, len, opFlags, fileIndex) => {
      const port = this.#port;
      port.ring.prep(opcode, sqeFlags, fd, off, addr, len, opFlags, FILE_READS + code, 0, fileIndex);
      // Answered -ECANCELED by refused() if the kernel never takes it.
      port.submitter.noteWritten(FILE_READ_NOTED - code);
      port.wrote();
    },
  };

  /**
   * direct - write one SQE for `target` (uring-direct.ts): no chain, no copies; the addresses must
   * stay valid until its result comes back. See UringEngine.direct.
   * @returns false when the ring takes no more requests now (full, closing, refused).
   */
  direct(target: DirectRequestTarget, opcode: number, fd: number, off: number, addr: number, len: number, opFlags: number, sqeFlags: number): boolean {
    const port = this.#port;
    if (!port.takes(1)) return false;
    port.submitter.beforeWrite();
    if (port.ring.sqSpace() === 0) return false;
    const code = this.#direct.take(target);
    port.ring.prep(opcode, sqeFlags, fd, off, addr, len, opFlags, DIRECT + code, 0, 0);
    port.submitter.noteWritten(DIRECT_NOTED - code);
    port.wrote();
    return true;
  }

  /** complete - the CQE of a side request (user_data from {@link SIDE_USER_DATA} up to the engine's own). */
  complete(userData: number, res: number): void {
    this.#port.ended();
    if (userData >= FILE_READS) this.#fileReads?.complete(userData - FILE_READS, res);
    else this.#direct.complete(userData - DIRECT, res);
  }

  /**
   * refused - the kernel never took the SQE noted as `mark` in the unsubmitted list.
   * @returns false when the mark is not a side request's (a chain's token, or the engine's own).
   */
  refused(mark: number): boolean {
    if (mark <= DIRECT_NOTED) {
      this.#port.ended();
      this.#direct.complete(DIRECT_NOTED - mark, -ECANCELED);
      return true;
    }
    if (mark <= FILE_READ_NOTED) {
      this.#port.ended();
      this.#fileReads?.complete(FILE_READ_NOTED - mark, -ECANCELED);
      return true;
    }
    return false;
  }

  /** abandonAll - the ring is released: every side request still in flight answers, once. */
  abandonAll(): void {
    this.#fileReads?.abandonAll();
    this.#direct.abandonAll();
  }
}
