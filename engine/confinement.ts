/**
 * Pointer confinement with the kernel's copy_from_user-once model. Before a call, every pointer
 * it will read or write through must lie in engine memory. Some of those checks depend on memory
 * the call's own pointers name: an iovec array (each buffer's address and length), a socklen
 * (how far a sockaddr may be written), a msghdr (its name, iovecs and control buffer) and a C
 * string (where its NUL is). That memory is shared: another chain, on another cachemiss thread,
 * can change it between the check and the moment the kernel reads it again, and a length checked
 * as 64 becomes 4,160 (issue 15 item 1). So each such structure is copied once into memory private
 * to the executing thread — never in any region, so no chain can name it — checked there, and the
 * kernel is given the copy. What the kernel writes back into a copy (a socklen, a msghdr's
 * lengths and flags) is copied out after the call.
 *
 * Calls whose pointers all have scalar lengths (pread64, write, fstat...) copy nothing: their
 * lengths are argument values, already read once into the executor's argument array.
 */
import { allocNative, type Word, EFAULT, EINVAL, ENAMETOOLONG } from './native/index.js';
import type { MemoryRegistry, Region } from './memory.js';
import { LEN, type CompiledSyscall } from './compiled-table.js';
import type { DecodedAtom } from './atom-decode.js';
import { readPointer, setWord } from './words.js';
import { IOV_MAX, PATH_MAX } from './syscalls/abi.js';
import { STRUCT_SIZES } from './syscalls/table.js';

const IOVEC_SIZE = STRUCT_SIZES.iovec;
const MSGHDR_SIZE = STRUCT_SIZES.msghdr;

/**
 * The executor's private block: what lives where. The probe scratch is the executor's own
 * (an iovec, an open_how, a pollfd and a timespec for the non-blocking probes).
 */
export const PRIVATE_LAYOUT = {
  probe: 0,
  socklen: 128,
  msghdr: 192,
  iovecs: 256,
  paths: 256 + IOV_MAX * IOVEC_SIZE,
  size: 256 + IOV_MAX * IOVEC_SIZE + 2 * PATH_MAX,
} as const;

/** Checks a call's pointers against one registry, copying what the checks depend on. */
export class Confinement {
  readonly #memory: MemoryRegistry;
  /** The private block (native, in no registry). */
  readonly view: DataView;
  readonly #bytes: Uint8Array;
  /** The private block's address. */
  readonly address: number;
  /** Whether the last {@link check} copied anything (and so gave the kernel a private address). */
  copied = false;
  /**
   * After {@link check} of a private call (one with an implementation), per argument index: the
   * region holding the range that argument's check confined, so that the call works on it
   * without looking it up again. Null for a NULL pointer, a length of 0 and a copied structure;
   * entries of arguments the call does not check, and every entry after a kernel call's check,
   * are left from earlier calls — read only a private call's own pointer arguments.
   */
  readonly regions: (Region | null)[] = [null, null, null, null, null, null];
  /** After {@link check}: the iovecs copied (-1: none) and the bytes they describe in all. */
  iovecCount = -1;
  iovecBytes = 0;
  // What to copy back after the call: the caller's socklen and msghdr (0: nothing).
  #socklenBack = 0;
  #msghdrBack = 0;

  constructor(memory: MemoryRegistry) {
    this.#memory = memory;
    const block = allocNative(PRIVATE_LAYOUT.size, 64);
    this.view = new DataView(block.buffer);
    this.#bytes = new Uint8Array(block.buffer);
    this.address = block.address;
  }

  /**
   * check - confine every pointer of a call, copying what the checks depend on.
   *
   * @param compiled - the call's compiled row.
   * @param args - its argument values; pointers whose structure was copied are replaced by the
   *   copy's address.
   * @returns 0, or the call's result when it must not be made: -EFAULT (outside engine memory),
   *   -EINVAL (an iovec count outside 0..1024, a negative socklen), -ENAMETOOLONG (a path of
   *   PATH_MAX bytes or more, as the kernel says).
   */
  check(compiled: CompiledSyscall, args: Word[]): number {
    const memory = this.#memory;
    const checks = compiled.checks;
    // Only a private call works on the regions found (the kernel is given addresses): a kernel
    // call's check stores none, which was a write barrier per pointer (a caller's Buffer region
    // is usually a young object, and the array is old).
    const regions = compiled.impl !== null ? this.regions : null;
    this.copied = false;
    this.iovecCount = -1;
    this.#socklenBack = 0;
    this.#msghdrBack = 0;
    for (let c = 0; c < checks.length; c++) {
      const check = checks[c] as (typeof checks)[number];
      const raw = args[check.index] as Word;
      // A region is stored only where it changes: the same aiocb and instance slabs come back
      // request after request, and an equal store still paid the write barrier.
      if (raw === 0) {
        // The kernel never touches a NULL array whose length argument is 0 (`ppoll(NULL, 0, t)`
        // is a plain sleep; `read(fd, NULL, 0)` is answered by the file), so neither do we.
        if (!check.nullable && !(check.len === LEN.arg && args[check.n] === 0)) return -EFAULT;
        if (regions !== null) regions[check.index] = null;
        continue;
      }
      if (typeof raw !== 'number' || raw < 0) return -EFAULT;
      let length: number;
      switch (check.len) {
        case LEN.arg: {
          const value = args[check.n] as Word;
          if (typeof value !== 'number' || value < 0) return -EFAULT;
          length = value * check.scale;
          if (length === 0) {
            if (regions !== null) regions[check.index] = null;
            continue;
          }
          break;
        }
        case LEN.size:
          length = check.n;
          break;
        case LEN.lenPtr: {
          const verdict = this.#copySocklen(args, check.n);
          if (verdict < 0) return verdict;
          length = verdict;
          if (length === 0) {
            if (regions !== null) regions[check.index] = null;
            continue;
          }
          break;
        }
        case LEN.cstring: {
          const verdict = this.#copyString(raw, check.slot);
          if (verdict !== 0) return verdict;
          args[check.index] = this.address + PRIVATE_LAYOUT.paths + check.slot * PATH_MAX;
          this.copied = true;
          if (regions !== null) regions[check.index] = null;
          continue;
        }
        case LEN.iov: {
          const count = args[check.n] as Word;
          if (typeof count !== 'number' || count < 0 || count > IOV_MAX) return -EINVAL;
          if (!this.#copyIovecs(raw, count)) return -EFAULT;
          args[check.index] = this.address + PRIVATE_LAYOUT.iovecs;
          this.copied = true;
          if (regions !== null) regions[check.index] = null;
          continue;
        }
        case LEN.msghdr: {
          if (!this.#copyMsghdr(raw)) return -EFAULT;
          if (check.writes) this.#msghdrBack = raw;
          args[check.index] = this.address + PRIVATE_LAYOUT.msghdr;
          this.copied = true;
          if (regions !== null) regions[check.index] = null;
          continue;
        }
        default:
          return -EFAULT;
      }
      const region = memory.find(raw, length);
      if (region === null) return -EFAULT;
      if (regions !== null && regions[check.index] !== region) regions[check.index] = region;
    }
    return 0;
  }

  /**
   * checkRemembered - {@link check}, for a decoded atom that remembers its last passed check: a
   * call that copies nothing depends only on its argument values and the registry's regions, so
   * when the values are the ones that passed last time and no region has gone since, the answer
   * is the same (0, with the same regions) and nothing is looked up again. Only the arguments
   * the checks read are compared (a pread64's offset is not one). A call that copies
   * (its checks read memory the arguments name, which may have changed) is always checked.
   */
  checkRemembered(compiled: CompiledSyscall, args: Word[], decoded: DecodedAtom): number {
    if (compiled.copies) return this.check(compiled, args);
    const version = this.#memory.version;
    const checked = decoded.checkedArgs;
    const checks = compiled.checks;
    const confined = compiled.confinedArgs;
    const regions = compiled.impl !== null ? this.regions : null;
    let same = decoded.checkedVersion === version;
    for (let i = 0; same && i < confined.length; i++) {
      const index = confined[i] as number;
      same = args[index] === checked[index];
    }
    if (same) {
      this.passedRemembered();
      if (regions !== null) {
        const found = decoded.checkedRegions;
        for (let c = 0; c < checks.length; c++) {
          const index = (checks[c] as (typeof checks)[number]).index;
          const region = found[index] as Region | null;
          if (regions[index] !== region) regions[index] = region;
        }
      }
      return 0;
    }
    const verdict = this.check(compiled, args);
    if (verdict !== 0) return verdict;
    // Refusals are never remembered, nor values that are not plain numbers.
    decoded.checkedVersion = -1;
    for (let i = 0; i < confined.length; i++) {
      const index = confined[i] as number;
      const value = args[index];
      if (typeof value !== 'number') return 0;
      checked[index] = value;
    }
    if (regions !== null) {
      const found = decoded.checkedRegions;
      for (let c = 0; c < checks.length; c++) {
        const index = (checks[c] as (typeof checks)[number]).index;
        found[index] = regions[index] as Region | null;
      }
    }
    decoded.checkedVersion = version;
    return 0;
  }

  /**
   * passedRemembered - leave what {@link check} leaves behind for a call that copies nothing,
   * when a remembered check has passed (checkRemembered, a canned chain's fast path): nothing
   * copied, nothing to write back.
   */
  passedRemembered(): void {
    this.copied = false;
    this.iovecCount = -1;
    this.#socklenBack = 0;
    this.#msghdrBack = 0;
  }

  /** The private block's bytes (the io_uring engine copies a request's copies from here). */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** After {@link check}: the caller's socklen that the private one was copied from (0: none). */
  get socklenTarget(): number {
    return this.#socklenBack;
  }

  /** After {@link check}: the caller's msghdr the kernel's answers go back to (0: none). */
  get msghdrTarget(): number {
    return this.#msghdrBack;
  }

  /**
   * writeBack - after the call: copy what the kernel wrote into a private copy back to the
   * caller's memory (a socklen; a received msghdr's name length, control length and flags). Only
   * a successful call writes them, as the kernel only does then.
   */
  writeBack(result: Word): void {
    if ((this.#socklenBack === 0 && this.#msghdrBack === 0) || (typeof result === 'number' ? result < 0 : result < 0n)) return;
    const memory = this.#memory;
    const view = this.view;
    if (this.#socklenBack !== 0) {
      // The region may have been released meanwhile (its memory is kept until the chain ends):
      // then there is nothing to write back to.
      const region = memory.find(this.#socklenBack, 4);
      if (region !== null) region.view.setUint32(this.#socklenBack - region.start, view.getUint32(PRIVATE_LAYOUT.socklen, true), true);
    }
    if (this.#msghdrBack !== 0) {
      const region = memory.find(this.#msghdrBack, MSGHDR_SIZE);
      if (region !== null) {
        const at = this.#msghdrBack - region.start;
        const from = PRIVATE_LAYOUT.msghdr;
        // recvmsg writes msg_namelen only when msg_name is set; msg_controllen and msg_flags always.
        if (view.getUint32(from, true) !== 0 || view.getUint32(from + 4, true) !== 0) region.view.setUint32(at + 8, view.getUint32(from + 8, true), true);
        region.view.setUint32(at + 40, view.getUint32(from + 40, true), true);
        region.view.setUint32(at + 44, view.getUint32(from + 44, true), true);
        region.view.setInt32(at + 48, view.getInt32(from + 48, true), true);
      }
    }
  }

  /**
   * advanceIovecs - drop `done` bytes from the copied iovecs, starting at iovec `from` (a short
   * read that is to be continued): whole iovecs are skipped and the first partly used one is
   * shortened in place.
   *
   * @returns the index of the first iovec with bytes left (`iovecCount` when none are).
   */
  advanceIovecs(from: number, done: number): number {
    const view = this.view;
    let left = done;
    for (let i = from; i < this.iovecCount; i++) {
      const at = PRIVATE_LAYOUT.iovecs + i * IOVEC_SIZE;
      const length = readPointer(view, at + 8);
      if (left < length) {
        setWord(view, at, readPointer(view, at) + left);
        setWord(view, at + 8, length - left);
        return i;
      }
      left -= length;
    }
    return this.iovecCount;
  }

  /**
   * Reads the socklen argument `lengthArg` points at, once, into the private copy, and hands the
   * kernel the copy. @returns the length, or -errno.
   */
  #copySocklen(args: Word[], lengthArg: number): number {
    const lengthAddress = args[lengthArg] as Word;
    // A sockaddr without its length: the kernel would fault on it (after doing the work).
    if (typeof lengthAddress !== 'number' || lengthAddress <= 0) return -EFAULT;
    const region = this.#memory.find(lengthAddress, 4);
    if (region === null) return -EFAULT;
    const length = region.view.getUint32(lengthAddress - region.start, true);
    // socklen_t is an int to the kernel: a negative one is -EINVAL there.
    if (length > 0x7fffffff) return -EINVAL;
    this.view.setUint32(PRIVATE_LAYOUT.socklen, length, true);
    args[lengthArg] = this.address + PRIVATE_LAYOUT.socklen;
    this.#socklenBack = lengthAddress;
    this.copied = true;
    return length;
  }

  /** Copies a C string, NUL included, into path buffer `slot`. @returns 0, -EFAULT or -ENAMETOOLONG. */
  #copyString(address: number, slot: number): number {
    const memory = this.#memory;
    const region = memory.find(address, 1);
    if (region === null) return -EFAULT;
    const bytes = region.bytes;
    const from = address - region.start;
    // The NUL must lie in the same region, in the same segment of a segmented one.
    const end = memory.segmentEnd(region, address) - region.start;
    const into = this.#bytes;
    const base = PRIVATE_LAYOUT.paths + slot * PATH_MAX;
    const limit = Math.min(end - from, PATH_MAX);
    for (let i = 0; i < limit; i++) {
      const byte = bytes[from + i] as number;
      into[base + i] = byte;
      if (byte === 0) return 0;
    }
    // No NUL in the first PATH_MAX bytes: the kernel stops there too, with ENAMETOOLONG.
    return limit === PATH_MAX ? -ENAMETOOLONG : -EFAULT;
  }

  /** Copies `count` iovecs into the private array and checks every buffer of the copy. */
  #copyIovecs(address: number, count: number): boolean {
    this.iovecCount = count;
    this.iovecBytes = 0;
    if (count === 0) return true;
    const memory = this.#memory;
    const region = memory.find(address, count * IOVEC_SIZE);
    if (region === null) return false;
    const from = region.view;
    const base = address - region.start;
    const into = this.view;
    let total = 0;
    for (let i = 0; i < count; i++) {
      const source = base + i * IOVEC_SIZE;
      const target = PRIVATE_LAYOUT.iovecs + i * IOVEC_SIZE;
      // One read of each word: these values are what is checked and what the kernel gets.
      into.setUint32(target, from.getUint32(source, true), true);
      into.setUint32(target + 4, from.getUint32(source + 4, true), true);
      into.setUint32(target + 8, from.getUint32(source + 8, true), true);
      into.setUint32(target + 12, from.getUint32(source + 12, true), true);
      const length = readPointer(into, target + 8);
      if (length < 0) return false;
      if (length === 0) continue;
      const buffer = readPointer(into, target);
      if (buffer <= 0 || memory.find(buffer, length) === null) return false;
      total += length;
    }
    this.iovecBytes = total;
    return true;
  }

  /** Copies a msghdr and its iovecs, points the copy at the copied iovecs, and checks the copy. */
  #copyMsghdr(address: number): boolean {
    const memory = this.#memory;
    const region = memory.find(address, MSGHDR_SIZE);
    if (region === null) return false;
    const into = this.view;
    const at = PRIVATE_LAYOUT.msghdr;
    const base = address - region.start;
    for (let i = 0; i < MSGHDR_SIZE; i += 4) into.setUint32(at + i, region.view.getUint32(base + i, true), true);
    // struct msghdr: name@0, namelen@8 (u32), iov@16, iovlen@24, control@32, controllen@40, flags@48.
    const name = readPointer(into, at);
    const nameLength = into.getUint32(at + 8, true);
    const iov = readPointer(into, at + 16);
    const iovLength = readPointer(into, at + 24);
    const control = readPointer(into, at + 32);
    const controlLength = readPointer(into, at + 40);
    // readPointer gives -1 for a word of 2^53 or more: the kernel would use it, so refuse.
    if (iov < 0 || iovLength < 0 || control < 0 || controlLength < 0) return false;
    if (name !== 0 && nameLength > 0 && (name < 0 || memory.find(name, nameLength) === null)) return false;
    if (iovLength > IOV_MAX) return false;
    if (iovLength > 0 && (iov === 0 || !this.#copyIovecs(iov, iovLength))) return false;
    if (iovLength === 0) this.iovecCount = 0;
    if (control !== 0 && controlLength > 0 && memory.find(control, controlLength) === null) return false;
    setWord(into, at + 16, this.address + PRIVATE_LAYOUT.iovecs);
    return true;
  }
}
