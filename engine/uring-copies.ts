/**
 * Each io_uring request's own memory: the checked copies of its indirect arguments.
 *
 * The executor checks an iovec array, a msghdr, a path or a length where the chain keeps it, but
 * the kernel reads such structures later — at submission (batched to the end of the JS turn), or
 * when the call completes (accept4's *addrlen, recvmsg's lengths). Another chain on a cachemiss
 * thread may change them in between, and a length or base changed after the check would let the
 * kernel write outside engine memory. So each structure is copied here once, the copy is checked
 * again (every iovec's buffer, msghdr's name and control), and the kernel gets the copy; values
 * the kernel writes back into a copy are copied to the caller's structure when the request
 * completes. The copy lives until the completion has been processed.
 *
 * Where the copies live (a slot per request, pooled blocks for large ones) is engine/uring-copy-space.ts.
 */
import { EINVAL, type Word } from './native/index.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Confinement } from './confinement.js';
import { COPY, type Copy, type PolledFd } from './uring-opcodes.js';
import { readPointer } from './words.js';
import { IOV_MAX, PATH_MAX } from './syscalls/abi.js';
import { STRUCT_SIZES } from './syscalls/table.js';
import { POLLERR, POLLHUP, POLLNVAL } from './syscalls/constants.generated.js';
import { CopySpace } from './uring-copy-space.js';

/** copy()'s answer when the structure cannot go to the ring as it is (the syscall decides). */
export const COPY_FAILED = -1;

/** Copies up to this many bytes are made byte by byte (see #bytes). */
const SMALL_COPY_BYTES = 256;
const MSGHDR_BYTES = STRUCT_SIZES.msghdr;
const POLLFD_BYTES = STRUCT_SIZES.pollfd;
const SIZED_MAX = 256;
/** What a completion must write back into the caller's memory. */
const DUTY_NONE = 0;
const DUTY_SOCKLEN = 1;
const DUTY_MSGHDR = 2;
const DUTY_POLLFD = 3;
/** The events ppoll reports whether asked or not (io_uring's poll may report POLLRDHUP too). */
const POLL_ALWAYS = POLLERR | POLLHUP | POLLNVAL;

/**
 * Where a structure is copied from: a region of engine memory, or the executor's private block
 * (a copy already checked once, which no chain can name, so it cannot change under us).
 */
interface Source {
  start: number;
  view: DataView<ArrayBufferLike>;
  bytes: Uint8Array<ArrayBufferLike>;
  /** Where the segment holding the address ends (a C string's NUL must lie before it). */
  end: number;
}

/** The copies of the requests of one ring. Used by the one thread that owns the ring. */
export class RequestMemory implements PolledFd {
  /** The fd of the last pollfd copied (for the call's prepare). */
  pollFd = -1;
  /** Its events. */
  pollEvents = 0;
  readonly #registry: MemoryRegistry;
  // Where the copies go.
  readonly #space: CopySpace;
  // The request being prepared: what its completion writes back.
  #duty = DUTY_NONE;
  #dutyCopy = 0;
  #dutyTarget = 0;
  #dutyRegion: Region | null = null;
  // Committed requests' write-backs, by token.
  readonly #duties = new Uint8Array(65536);
  readonly #dutyCopies = new Float64Array(65536);
  readonly #dutyTargets = new Float64Array(65536);
  readonly #dutyRegions: (Region | null)[] = [];

  constructor(registry: MemoryRegistry, capacity: number) {
    this.#registry = registry;
    this.#space = new CopySpace(capacity);
  }

  // The executor's checked copies of the request being prepared (null: it copied nothing).
  #origin: Confinement | null = null;
  // Reused by #source: the hot path allocates nothing.
  readonly #found: Source = { start: 0, view: new DataView(new ArrayBuffer(0)), bytes: new Uint8Array(0), end: 0 };

  /**
   * begin - start the copies of a new request.
   * @param origin - the executor's confinement when it copied the call's indirect arguments:
   *   arguments that point into its private block are copied from there (checked already) and
   *   what the kernel writes back goes to the caller's structures it was copied from.
   */
  begin(origin: Confinement | null): void {
    this.#origin = origin;
    this.#space.begin();
    this.#duty = DUTY_NONE;
    this.#dutyRegion = null;
  }

  /**
   * copyArguments - start a new request's copies (see {@link begin}) and copy each of its
   * indirect arguments, replacing `args[copy.arg]` by the copy's address.
   * @returns false when a copy failed (the request's copies are then abandoned).
   */
  copyArguments(copies: readonly Copy[], origin: Confinement | null, args: Word[]): boolean {
    this.begin(origin);
    for (const copy of copies) {
      const address = this.copy(copy, args);
      if (address === COPY_FAILED) {
        this.abandon();
        return false;
      }
      args[copy.arg] = address;
    }
    return true;
  }

  /**
   * copy - copy one indirect argument (`args[copy.arg]` and the arguments it names) into this
   * request's memory and check the copy.
   * @returns the copy's address (0 for a NULL pointer the call allows), or COPY_FAILED.
   */
  copy(copy: Copy, args: readonly Word[]): number {
    const source = args[copy.arg];
    if (typeof source !== 'number' || source < 0) return COPY_FAILED;
    switch (copy.kind) {
      case COPY.iov: {
        const count = args[copy.count as number];
        if (typeof count !== 'number' || count < 0 || count > IOV_MAX) return COPY_FAILED;
        return this.#iovecs(source, count);
      }
      case COPY.path: {
        const region = this.#source(source, 1);
        if (region === null) return COPY_FAILED;
        const offset = source - region.start;
        const nul = region.bytes.indexOf(0, offset);
        if (nul < 0 || region.start + nul >= region.end || nul - offset + 1 > PATH_MAX) return COPY_FAILED;
        return this.#bytes(region, offset, nul - offset + 1);
      }
      case COPY.timespec: {
        const region = this.#source(source, 16);
        if (region === null) return COPY_FAILED;
        const seconds = region.view.getBigInt64(source - region.start, true);
        const nanoseconds = region.view.getBigInt64(source - region.start + 8, true);
        // What nanosleep refuses with EINVAL, the thread refuses (the opcode is laxer).
        if (seconds < 0n || nanoseconds < 0n || nanoseconds >= 1_000_000_000n) return COPY_FAILED;
        return this.#bytes(region, source - region.start, 16);
      }
      case COPY.sized: {
        const size = args[copy.count as number];
        if (typeof size !== 'number' || size <= 0 || size > SIZED_MAX) return COPY_FAILED;
        const region = this.#source(source, size);
        return region === null ? COPY_FAILED : this.#bytes(region, source - region.start, size);
      }
      case COPY.msghdr:
        return this.#msghdr(source, copy.writeBack === true);
      case COPY.socklen: {
        if (source === 0) return 0;
        const region = this.#source(source, 4);
        if (region === null) return COPY_FAILED;
        const length = region.view.getUint32(source - region.start, true);
        const buffer = args[copy.count as number];
        // The buffer must hold the length the kernel will now read from the copy.
        if (typeof buffer !== 'number' || (buffer !== 0 && length > 0 && this.#registry.find(buffer, length) === null)) return COPY_FAILED;
        const at = this.#bytes(region, source - region.start, 4);
        if (at !== COPY_FAILED) this.#writeBackTo(DUTY_SOCKLEN, at, source, 4);
        return at;
      }
      case COPY.pollfd: {
        const region = this.#source(source, POLLFD_BYTES);
        if (region === null) return COPY_FAILED;
        const fd = region.view.getInt32(source - region.start, true);
        // A negative fd is skipped by ppoll (it would wait for nothing): the syscall decides.
        if (fd < 0) return COPY_FAILED;
        const at = this.#bytes(region, source - region.start, POLLFD_BYTES);
        if (at === COPY_FAILED) return COPY_FAILED;
        this.pollFd = fd;
        this.pollEvents = region.view.getUint16(source - region.start + 4, true);
        this.#writeBackTo(DUTY_POLLFD, at, source, POLLFD_BYTES);
        return at;
      }
      default:
        return COPY_FAILED;
    }
  }

  /** abandon - the request being prepared will not be made: give its memory back. */
  abandon(): void {
    this.#space.abandon();
    this.#duty = DUTY_NONE;
    this.#dutyRegion = null;
  }

  /** commit - the request being prepared is now the chain `token`'s, until {@link finish}. */
  commit(token: number): void {
    this.#space.commit(token);
    this.#duties[token] = this.#duty;
    this.#dutyCopies[token] = this.#dutyCopy;
    this.#dutyTargets[token] = this.#dutyTarget;
    this.#dutyRegions[token] = this.#dutyRegion;
    this.#duty = DUTY_NONE;
    this.#dutyRegion = null;
  }

  /**
   * pollAnswered - whether a POLL_ADD completion `value` (a closed fd already made POLLNVAL) for
   * the pollfd of `token` is an answer ppoll gives: io_uring always listens for POLLRDHUP too (a
   * socket whose peer shut down writing completes a wait for POLLPRI with only that bit, which
   * ppoll would not wake for), and fails EINVAL for a file without a poll method (a regular file,
   * /dev/null, a directory) where ppoll sleeps. Call before {@link finish}.
   */
  pollAnswered(token: number, value: number): boolean {
    if (value < 0) return value !== -EINVAL;
    const copy = this.#space.viewAt(this.#dutyCopies[token] as number, token);
    if (copy === null) return true;
    return (value & (copy.view.getUint16(copy.offset + 4, true) | POLL_ALWAYS)) !== 0;
  }

  /**
   * finish - the request of `token` completed with `value`: write back what the kernel wrote
   * into the copies (on success), and free them.
   */
  finish(token: number, value: number): void {
    const duty = this.#duties[token];
    if (duty !== DUTY_NONE) {
      const region = this.#dutyRegions[token] ?? null;
      const target = (this.#dutyTargets[token] as number) - (region?.start ?? 0);
      const copy = this.#space.viewAt(this.#dutyCopies[token] as number, token);
      if (region !== null && copy !== null && value >= 0) {
        if (duty === DUTY_SOCKLEN) region.view.setUint32(target, copy.view.getUint32(copy.offset, true), true);
        else if (duty === DUTY_POLLFD) {
          // The request's answer is the events that came: ppoll's revents, limited to what it reports.
          region.view.setUint16(target + 6, value & (copy.view.getUint16(copy.offset + 4, true) | POLL_ALWAYS), true);
        } else {
          // recvmsg: msg_namelen (u32 @8), msg_controllen (u64 @40), msg_flags (i32 @48).
          region.view.setUint32(target + 8, copy.view.getUint32(copy.offset + 8, true), true);
          region.view.setBigUint64(target + 40, copy.view.getBigUint64(copy.offset + 40, true), true);
          region.view.setInt32(target + 48, copy.view.getInt32(copy.offset + 48, true), true);
        }
      }
      this.#duties[token] = DUTY_NONE;
      this.#dutyRegions[token] = null;
    }
    this.#space.finish(token);
  }

  /** release - free all native memory (the ring is gone). */
  release(): void {
    this.#space.release();
  }

  #iovecs(source: number, count: number): number {
    if (count === 0) return this.#space.reserve(16) ?? COPY_FAILED;
    const region = this.#source(source, count * 16);
    if (region === null) return COPY_FAILED;
    const at = this.#bytes(region, source - region.start, count * 16);
    return at !== COPY_FAILED && this.#iovecsConfined(at, count) ? at : COPY_FAILED;
  }

  #msghdr(source: number, writeBack: boolean): number {
    const region = this.#source(source, MSGHDR_BYTES);
    if (region === null) return COPY_FAILED;
    const at = this.#bytes(region, source - region.start, MSGHDR_BYTES);
    if (at === COPY_FAILED) return COPY_FAILED;
    const header = this.#space.viewAt(at, -1);
    if (header === null) return COPY_FAILED;
    const { view, offset } = header;
    // struct msghdr: name@0, namelen@8 (u32), iov@16, iovlen@24, control@32, controllen@40, flags@48.
    const name = readPointer(view, offset);
    const nameLength = view.getUint32(offset + 8, true);
    const iov = readPointer(view, offset + 16);
    const iovLength = readPointer(view, offset + 24);
    const control = readPointer(view, offset + 32);
    const controlLength = readPointer(view, offset + 40);
    if (name < 0 || iov < 0 || iovLength < 0 || iovLength > IOV_MAX || control < 0 || controlLength < 0) return COPY_FAILED;
    if (name !== 0 && nameLength > 0 && this.#registry.find(name, nameLength) === null) return COPY_FAILED;
    if (control !== 0 && controlLength > 0 && this.#registry.find(control, controlLength) === null) return COPY_FAILED;
    if (iovLength > 0) {
      if (iov === 0) return COPY_FAILED;
      const iovCopy = this.#iovecs(iov, iovLength);
      if (iovCopy === COPY_FAILED) return COPY_FAILED;
      // The copy's msg_iov points at the copied array (the header copy may have moved: look again).
      const again = this.#space.viewAt(at, -1);
      if (again === null) return COPY_FAILED;
      again.view.setBigUint64(again.offset + 16, BigInt(iovCopy), true);
    }
    if (writeBack) this.#writeBackTo(DUTY_MSGHDR, at, source, MSGHDR_BYTES);
    return at;
  }

  #iovecsConfined(at: number, count: number): boolean {
    const copy = this.#space.viewAt(at, -1);
    if (copy === null) return false;
    for (let i = 0; i < count; i++) {
      const base = readPointer(copy.view, copy.offset + i * 16);
      const length = readPointer(copy.view, copy.offset + i * 16 + 8);
      if (length < 0) return false;
      if (length === 0) continue;
      if (base <= 0 || this.#registry.find(base, length) === null) return false;
    }
    return true;
  }

  /**
   * The kernel writes into the copy at `copy`: at completion it goes to the caller's structure
   * `source` was copied from (for a copy of the executor's copy, the structure that one came from).
   */
  #writeBackTo(duty: number, copy: number, source: number, length: number): void {
    const origin = this.#origin;
    let target = source;
    if (origin !== null && this.#inOrigin(source)) {
      // (The executor copies no pollfd: one in its private block has no caller's structure to go to.)
      if (duty === DUTY_POLLFD) return;
      target = duty === DUTY_SOCKLEN ? origin.socklenTarget : origin.msghdrTarget;
    }
    const region = target === 0 ? null : this.#registry.find(target, length);
    if (region === null) return;
    this.#duty = duty;
    this.#dutyCopy = copy;
    this.#dutyTarget = target;
    this.#dutyRegion = region;
  }

  #inOrigin(address: number): boolean {
    const origin = this.#origin;
    return origin !== null && address >= origin.address && address < origin.address + origin.view.byteLength;
  }

  /** Where `length` bytes at `address` are: engine memory, or the executor's private copies. */
  #source(address: number, length: number): Source | null {
    const found = this.#found;
    if (this.#inOrigin(address)) {
      const origin = this.#origin as Confinement;
      const end = origin.address + origin.view.byteLength;
      if (address + length > end) return null;
      found.start = origin.address;
      found.view = origin.view;
      found.bytes = origin.bytes;
      found.end = end;
      return found;
    }
    const region = this.#registry.find(address, length);
    if (region === null) return null;
    found.start = region.start;
    found.view = region.view;
    found.bytes = region.bytes;
    found.end = this.#registry.segmentEnd(region, address);
    return found;
  }

  /** Copies `length` bytes of `region` from `offset` into this request's memory. */
  #bytes(region: Source, offset: number, length: number): number {
    const at = this.#space.reserve(length);
    if (at === null) return COPY_FAILED;
    const target = this.#space.viewAt(at, -1);
    if (target === null) return COPY_FAILED;
    const from = region.bytes;
    if (length <= SMALL_COPY_BYTES) {
      // A path, a timespec, a socklen: byte by byte, with no view made per copy (two typed-array
      // objects per ring request were the largest garbage of a burst of stats on the ring).
      const view = target.view;
      const to = target.offset;
      for (let i = 0; i < length; i++) view.setUint8(to + i, from[offset + i] as number);
      return at;
    }
    new Uint8Array(target.view.buffer, target.view.byteOffset + target.offset, length).set(from.subarray(offset, offset + length));
    return at;
  }
}
