/**
 * Native memory at the FFI boundary: stable allocations that other threads may use later (which
 * Buffers allocated by V8 are not guaranteed to be), zero-copy views of them, the address of a
 * JS buffer, and mappings in the low 4 GiB for compat32.
 */
import koffi from 'koffi';
import { libc, syscall } from './libc.js';
import { EEXIST, EINVAL } from './errno.js';
import { NR } from '../syscalls/nr.js';
import { PROT_READ, PROT_WRITE, MAP_PRIVATE, MAP_ANONYMOUS, MAP_32BIT, MAP_FIXED_NOREPLACE } from '../syscalls/constants.generated.js';

const alignedAlloc = libc.func('void *aligned_alloc(size_t alignment, size_t size)') as (alignment: number, size: number) => bigint | null;
const free = libc.func('void free(void *ptr)') as (ptr: bigint) => void;
const memset = libc.func('void *memset(void *s, int c, size_t n)') as (ptr: bigint, c: number, n: number) => bigint;

/** A block of native memory and a view of it. */
export interface NativeBlock {
  /** The block's address. */
  readonly address: number;
  /** Its size in bytes. */
  readonly size: number;
  /** A zero-copy ArrayBuffer over the block (valid until the block is released). */
  readonly buffer: ArrayBuffer;
}

/**
 * allocNative - allocate zeroed, aligned native memory that stays at one address until released.
 *
 * @param size - bytes, > 0.
 * @param alignment - a power of two, at least 8 (default 64, one cache line).
 * @returns the block; throws RangeError for a bad size or alignment and Error when out of memory.
 */
export function allocNative(size: number, alignment = 64): NativeBlock {
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`size must be a positive integer, got ${size}`);
  if (alignment < 8 || (alignment & (alignment - 1)) !== 0) throw new RangeError(`alignment must be a power of two >= 8, got ${alignment}`);
  const rounded = Math.ceil(size / alignment) * alignment;
  const pointer = alignedAlloc(alignment, rounded);
  if (pointer === null || pointer === 0n) throw new Error(`out of native memory allocating ${rounded} bytes`);
  memset(pointer, 0, rounded);
  return { address: Number(pointer), size, buffer: koffi.view(pointer, size) };
}

/** releaseNative - free a block from {@link allocNative}. Its views must not be used afterwards. */
export function releaseNative(block: NativeBlock): void {
  free(BigInt(block.address));
}

/**
 * viewOf - a zero-copy ArrayBuffer over native memory that this process owns. Used by each
 * cachemiss thread to see the regions the main thread registered.
 */
export function viewOf(address: number, size: number): ArrayBuffer {
  return koffi.view(BigInt(address), size);
}

/**
 * peekByte - the byte at `address` of native memory this process owns (a C string's first
 * character), read without a view: nothing is allocated.
 */
export function peekByte(address: number): number {
  return koffi.decode(address, 'uint8') as number;
}

/**
 * addressOf - the address of the first byte of a Buffer, TypedArray, DataView or ArrayBuffer.
 * Taking the address makes V8 move a small on-heap typed array off the heap first, so the
 * address stays valid for as long as the buffer lives.
 */
export function addressOf(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): number {
  if (ArrayBuffer.isView(value) && value.byteLength === 0) return addressOf(value.buffer) + value.byteOffset;
  // koffi takes views of a SharedArrayBuffer but not the store itself ("expected pointer"): every
  // registration of a view of one failed, and the POSIX layer answered EAGAIN.
  if (value instanceof SharedArrayBuffer) return Number(koffi.address(new Uint8Array(value)));
  return Number(koffi.address(value));
}

const SYS_mmap = NR.mmap;
const SYS_munmap = NR.munmap;

/** A mapping below 4 GiB: 32-bit pointers into it are real addresses. */
export interface LowMapping extends NativeBlock {
  /** How it was obtained: MAP_32BIT (first 2 GiB) or a fixed address the caller asked for. */
  readonly how: 'MAP_32BIT' | 'fixed';
}

/**
 * mapLow - map zeroed read/write memory whose every byte lies below 4 GiB.
 *
 * @param size - bytes (rounded up to pages).
 * @param fixedBase - when given, map exactly there (MAP_FIXED_NOREPLACE: never clobbers a mapping).
 * @returns the mapping, or `-errno` (ENOMEM when no low space is left, EEXIST when the fixed
 *   range is taken, EINVAL for a base that is not page-aligned or would cross 4 GiB).
 */
export function mapLow(size: number, fixedBase?: number): LowMapping | number {
  const length = Math.ceil(size / 4096) * 4096;
  if (!Number.isSafeInteger(length) || length <= 0 || length > 0x8000_0000) return -EINVAL;
  if (fixedBase !== undefined && (fixedBase % 4096 !== 0 || fixedBase <= 0 || fixedBase + length > 0x1_0000_0000)) return -EINVAL;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | (fixedBase === undefined ? MAP_32BIT : MAP_FIXED_NOREPLACE);
  const result = syscall(SYS_mmap, fixedBase ?? 0, length, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (result < 0 && result > -4096) return result;
  if (fixedBase !== undefined && result !== fixedBase) {
    // Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and treat the address as a hint.
    syscall(SYS_munmap, result, length);
    return -EEXIST;
  }
  return { address: result, size: length, buffer: viewOf(result, length), how: fixedBase === undefined ? 'MAP_32BIT' : 'fixed' };
}

/** unmapLow - release a {@link mapLow} mapping. @returns 0 or -errno. */
export function unmapLow(mapping: LowMapping): number {
  return syscall(SYS_munmap, mapping.address, mapping.size);
}
