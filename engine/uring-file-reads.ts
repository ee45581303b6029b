/**
 * Ring file reads: the start of a whole-file read (open, read, read) as one linked batch of SQEs.
 *
 * A small cached file read through chains costs four syscalls made one by one from JavaScript
 * (openat2, fstat, pread64, close): 6.0 µs of CPU per file in C on the reference VM, against
 * 3.0 µs when the same work goes to io_uring as linked requests entered 64 files at a time
 * (session 21, /tmp C probe: the kernel's own work is the same; the syscall entries and the FFI
 * crossings go). This is the one place where the engine links SQEs, for one fixed shape whose
 * only data flow is the descriptor, kept in a direct-descriptor slot of the ring's file table:
 *
 *   OPENAT(path, flags, into slot s)  ─LINK→  READ(s, data, length − 1, at the position, RWF_NOWAIT)
 *   ─HARDLINK→  READ(s, data + length − 1, 1, at the position, RWF_NOWAIT)
 *
 * The second read answers the question fstat answered in the chain: 0 is the end of the file for
 * every kind of file (a regular one, a FIFO whose writer closed, procfs), and it never reads past
 * `length` bytes, so nothing beyond what the caller asked for is consumed from a pipe or a
 * terminal. RWF_NOWAIT makes both reads answer only from the page cache or what a pipe holds
 * (EAGAIN otherwise, EOPNOTSUPP for a file that cannot say): a read that waited for the disk
 * here would wait on one of a few io-wq workers. What the caller cannot conclude from the three
 * answers (an uncached file, a FIFO with its writer still open, a file partly cached), it
 * continues from a real descriptor: {@link RingFileReads.install} turns
 * the slot into one (IORING_OP_FIXED_FD_INSTALL, close-on-exec) at the position the reads left.
 * Otherwise the slot is closed with {@link RingFileReads.close}, in the next batch.
 *
 * Every SQE yields its CQE (no CQE_SKIP_SUCCESS): a batch's answer is delivered when all three
 * have come, a slot is reused only when its close (or install and close) has answered, and a
 * request the kernel refused (io_uring_enter failing for good) answers -ECANCELED.
 */
import { ECANCELED, EMFILE, ENFILE, IORING_OP, IOSQE_FIXED_FILE, IOSQE_IO_HARDLINK, IOSQE_IO_LINK } from './native/index.js';
import { AT_FDCWD, RWF_NOWAIT } from './syscalls/constants.generated.js';

/** What a batch found: the slot it used, and each request's answer (-ECANCELED: did not run). */
export type FileReadDone = (file: number, open: number, first: number, second: number) => void;

/** How the file reads write SQEs into the engine's ring (the UringEngine's side). */
export interface FileReadPort {
  /** Whether `count` more requests fit (SQ and CQ room, the engine open and not refused). */
  room(count: number): boolean;
  /** The first slot is in use (true), or the last one is free again (false): keep the event loop alive meanwhile. */
  hold(held: boolean): void;
  /**
   * Writes one SQE whose completion comes back to {@link RingFileReads.complete} with `code`;
   * only after {@link room} said yes for it (and for the rest of its batch).
   */
  write(code: number, opcode: number, sqeFlags: number, fd: number, off: number, addr: number, len: number, opFlags: number, fileIndex: number): void;
}

const OPEN = 0;
const FIRST = 1;
const SECOND = 2;
const CLOSE = 3;
const INSTALL = 4;
const MORE = 5;
/** Codes per slot: `slot * KINDS + kind`. */
export const FILE_READ_KINDS = 8;

/** The linked whole-file reads of one io_uring engine, over its table of direct descriptors. */
export class RingFileReads {
  readonly #port: FileReadPort;
  readonly #free: Int32Array;
  #freeCount: number;
  /** Answers of each slot's open, first and second read. */
  readonly #answers: Int32Array;
  /** CQEs each slot still waits for. */
  readonly #waiting: Uint8Array;
  readonly #done: (FileReadDone | null)[];
  readonly #installed: (((fd: number) => void) | null)[];
  readonly #more: (((res: number) => void) | null)[];

  /** @param slots - the size of the registered (sparse) file table. */
  constructor(port: FileReadPort, slots: number) {
    this.#port = port;
    this.#free = new Int32Array(slots);
    for (let i = 0; i < slots; i++) this.#free[i] = slots - 1 - i;
    this.#freeCount = slots;
    this.#answers = new Int32Array(slots * 3);
    this.#waiting = new Uint8Array(slots);
    this.#done = new Array<FileReadDone | null>(slots).fill(null);
    this.#installed = new Array<((fd: number) => void) | null>(slots).fill(null);
    this.#more = new Array<((res: number) => void) | null>(slots).fill(null);
  }

  /**
   * start - open `pathAddress` (a C string, relative to the working directory) with `flags` into a
   * free slot and read up to `length` (≥ 2) bytes at `dataAddress`, as described above. Both
   * addresses must stay valid until `done` is called.
   * @returns false when no slot or ring room is free now (the caller reads another way).
   */
  start(pathAddress: number, flags: number, dataAddress: number, length: number, done: FileReadDone): boolean {
    if (this.#freeCount === 0 || length < 2 || !this.#port.room(3)) return false;
    if (this.#freeCount === this.#free.length) this.#port.hold(true);
    const file = this.#free[--this.#freeCount] as number;
    const code = file * FILE_READ_KINDS;
    this.#waiting[file] = 3;
    this.#done[file] = done;
    // An answer that never comes (see abandonAll) reads as a request that did not run.
    this.#answers.fill(-ECANCELED, file * 3, file * 3 + 3);
    const port = this.#port;
    port.write(code + OPEN, IORING_OP.OPENAT, IOSQE_IO_LINK, AT_FDCWD, 0, pathAddress, 0, flags, file + 1);
    // RWF_NOWAIT: the reads answer from the page cache or say EAGAIN. Waiting for the disk here
    // would happen on an io-wq worker (a request linked after one io-wq made runs there too),
    // a few at a time: 10,000 cold files took 1.5x as long as through the chain readers, whose
    // reads wait in the kernel's async buffered read, all at once.
    port.write(code + FIRST, IORING_OP.READ, IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK, file, -1, dataAddress, length - 1, RWF_NOWAIT, 0);
    port.write(code + SECOND, IORING_OP.READ, IOSQE_FIXED_FILE, file, -1, dataAddress + length - 1, 1, RWF_NOWAIT, 0);
    return true;
  }

  /** close - the caller is done with `file`'s descriptor (its batch opened it): close the slot. */
  close(file: number): void {
    this.#waiting[file] = 1;
    if (this.#port.room(1)) this.#port.write(file * FILE_READ_KINDS + CLOSE, IORING_OP.CLOSE, 0, 0, 0, 0, 0, 0, file + 1);
    // No room means a closing or refused engine: the ring's release closes the table with it.
    else this.complete(file * FILE_READ_KINDS + CLOSE, -ECANCELED);
  }

  /**
   * install - give `file`'s open descriptor to the caller as a process fd (close-on-exec, at the
   * file position the batch's reads left), then close the slot. `done` gets the fd or -errno;
   * on -EMFILE or -ENFILE the slot stays open (go on with {@link readMore}, then {@link close}).
   */
  install(file: number, done: (fd: number) => void): void {
    if (!this.#port.room(1)) {
      this.close(file);
      done(-ECANCELED);
      return;
    }
    this.#waiting[file] = 1;
    this.#installed[file] = done;
    this.#port.write(file * FILE_READ_KINDS + INSTALL, IORING_OP.FIXED_FD_INSTALL, IOSQE_FIXED_FILE, file, 0, 0, 0, 0, 0);
  }

  /**
   * readMore - read up to `length` bytes at `file`'s position into `dataAddress` (a blocking READ:
   * it waits in the kernel, for the disk or a pipe's writer, never on this thread). For a read
   * whose descriptor could not be installed (the process is out of fds, EMFILE): it goes on from
   * the slot, as Node's read goes on from the fd it opened before the fds ran out. `done` gets
   * the count (0 at the end of the file) or -errno (-ECANCELED: the ring is closing).
   */
  readMore(file: number, dataAddress: number, length: number, done: (res: number) => void): void {
    if (!this.#port.room(1)) {
      done(-ECANCELED);
      return;
    }
    this.#more[file] = done;
    this.#port.write(file * FILE_READ_KINDS + MORE, IORING_OP.READ, IOSQE_FIXED_FILE, file, -1, dataAddress, length, 0, 0);
  }

  /**
   * abandonAll - the ring is being released with requests still in it (the kernel neither
   * finished nor cancelled them in time): answer every batch and install that waits, as if its
   * missing requests had been cancelled. Their slots are never reused (the table goes with the ring).
   */
  abandonAll(): void {
    for (let file = 0; file < this.#done.length; file++) {
      const done = this.#done[file] ?? null;
      const installed = this.#installed[file] ?? null;
      const more = this.#more[file] ?? null;
      this.#done[file] = null;
      this.#installed[file] = null;
      this.#more[file] = null;
      if (done !== null) done(file, this.#answers[file * 3] as number, this.#answers[file * 3 + 1] as number, this.#answers[file * 3 + 2] as number);
      if (installed !== null) installed(-ECANCELED);
      if (more !== null) more(-ECANCELED);
    }
  }

  /** complete - the request with `code` answered `res` (the UringEngine routes these here). */
  complete(code: number, res: number): void {
    const file = Math.floor(code / FILE_READ_KINDS);
    const kind = code - file * FILE_READ_KINDS;
    if (kind <= SECOND) {
      this.#answers[file * 3 + kind] = res;
      const waiting = (this.#waiting[file] as number) - 1;
      this.#waiting[file] = waiting;
      if (waiting > 0) return;
      const done = this.#done[file] as FileReadDone;
      this.#done[file] = null;
      const open = this.#answers[file * 3] as number;
      // An open that failed left the slot empty: it is free again at once.
      if (open < 0) this.#freeSlot(file);
      done(file, open, this.#answers[file * 3 + 1] as number, this.#answers[file * 3 + 2] as number);
      return;
    }
    if (kind === INSTALL) {
      const done = this.#installed[file] as (fd: number) => void;
      this.#installed[file] = null;
      // Out of fds: the slot stays open for readMore (the caller closes it).
      if (res !== -EMFILE && res !== -ENFILE) this.close(file);
      done(res);
      return;
    }
    if (kind === MORE) {
      const done = this.#more[file] as (res: number) => void;
      this.#more[file] = null;
      done(res);
      return;
    }
    // CLOSE: whatever it answered, the slot is empty now.
    this.#waiting[file] = 0;
    this.#freeSlot(file);
  }

  #freeSlot(file: number): void {
    this.#free[this.#freeCount++] = file;
    if (this.#freeCount === this.#free.length) this.#port.hold(false);
  }
}
