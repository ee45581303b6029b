/**
 * io_uring at the FFI boundary: the four raw system calls
 * (io_uring_setup, mmap of the rings, io_uring_enter, io_uring_register) and nothing else. No
 * liburing, no new native dependency: every call goes through the boundary's fixed-arity
 * `syscall` alias, and the rings come back as zero-copy ArrayBuffers (koffi external views over
 * the kernel's shared mappings) for the koffi-free ring code above (engine/uring-ring.ts).
 *
 * Results follow the boundary's convention: a non-negative value, or `-errno` (never a throw
 * for a kernel refusal), so a caller can fall back to cachemiss threads on ENOSYS (no io_uring),
 * EPERM (seccomp, kernel.io_uring_disabled) or ENOMEM (locked-memory limits on old kernels).
 */
import { syscall } from './libc.js';
import { allocNative, releaseNative, viewOf, type NativeBlock } from './memory.js';
import { THREAD_RESOURCE, closeHeld, holdForThisThread, identityOf, letGo } from './thread-resources.js';
import { NR } from '../syscalls/nr.js';
import { MAP_POPULATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../syscalls/constants.generated.js';
import {
  IO_URING_CQE, IO_CQRING_OFFSETS, IORING_FEAT_SINGLE_MMAP, IORING_OFF_CQ_RING, IORING_OFF_SQ_RING, IORING_OFF_SQES, IORING_REGISTER_EVENTFD,
  IORING_REGISTER_FILES, IORING_REGISTER_PROBE, IORING_SETUP_CQSIZE, IORING_UNREGISTER_EVENTFD, IO_URING_OP_SUPPORTED, IO_URING_PARAMS, IO_URING_PROBE, IO_URING_PROBE_OP, IO_URING_SQE,
  IO_SQRING_OFFSETS,
} from './uring-abi.js';

const SYS_io_uring_setup = NR.io_uring_setup;
const SYS_io_uring_enter = NR.io_uring_enter;
const SYS_io_uring_register = NR.io_uring_register;
const SYS_mmap = NR.mmap;
const SYS_munmap = NR.munmap;
const SYS_close = NR.close;
/** Opcodes the probe asks about: more than any kernel defines today (the kernel clamps). */
const PROBE_OPS = 256;

/** What io_uring_setup asked for. */
export interface RingSetup {
  /** SQ entries (the kernel rounds up to a power of two). */
  readonly entries: number;
  /** IORING_SETUP_* flags. */
  readonly flags: number;
  /** CQ entries (sets IORING_SETUP_CQSIZE); default: the kernel's 2 × SQ entries. */
  readonly cqEntries?: number;
  /** SQPOLL idle time in milliseconds before the poll thread sleeps. */
  readonly sqThreadIdleMs?: number;
}

/** Offsets into the SQ ring mapping (struct io_sqring_offsets as the kernel filled it in). */
export interface SqOffsets { readonly head: number; readonly tail: number; readonly ringMask: number; readonly ringEntries: number; readonly flags: number; readonly dropped: number; readonly array: number }
/** Offsets into the CQ ring mapping (struct io_cqring_offsets as the kernel filled it in). */
export interface CqOffsets { readonly head: number; readonly tail: number; readonly ringMask: number; readonly ringEntries: number; readonly overflow: number; readonly cqes: number; readonly flags: number }

/** A set-up ring: its fd, what the kernel granted, and the three shared mappings as views. */
export interface RingMapping {
  readonly fd: number;
  readonly sqEntries: number;
  readonly cqEntries: number;
  /** The setup flags the kernel accepted. */
  readonly flags: number;
  /** IORING_FEAT_* bits. */
  readonly features: number;
  readonly sqOff: SqOffsets;
  readonly cqOff: CqOffsets;
  /** The SQ ring (head, tail, flags, index array). */
  readonly sqRing: ArrayBuffer;
  /** The CQ ring (head, tail, flags, CQEs): the same mapping as sqRing under IORING_FEAT_SINGLE_MMAP. */
  readonly cqRing: ArrayBuffer;
  /** The SQE array, sqEntries × 64 bytes. */
  readonly sqes: ArrayBuffer;
  /** Unmap everything and close the ring fd: the kernel cancels what is still in flight. */
  release(): void;
}

/**
 * setupRing - io_uring_setup plus the mmaps of the SQ ring, CQ ring and SQE array.
 *
 * @returns the mapping, or `-errno`: ENOSYS (kernel without io_uring), EPERM (seccomp,
 *   kernel.io_uring_disabled), EINVAL (a flag this kernel does not know), ENOMEM.
 */
export function setupRing(setup: RingSetup): RingMapping | number {
  const params = allocNative(IO_URING_PARAMS.size, 8);
  try {
    const view = new DataView(params.buffer);
    let flags = setup.flags;
    if (setup.cqEntries !== undefined) {
      flags |= IORING_SETUP_CQSIZE;
      view.setUint32(IO_URING_PARAMS.cq_entries, setup.cqEntries, true);
    }
    view.setUint32(IO_URING_PARAMS.flags, flags, true);
    if (setup.sqThreadIdleMs !== undefined) view.setUint32(IO_URING_PARAMS.sq_thread_idle, setup.sqThreadIdleMs, true);
    const fd = syscall(SYS_io_uring_setup, setup.entries, params.address);
    if (fd < 0) return fd;
    return mapRing(fd, view);
  } finally {
    releaseNative(params);
  }
}

function mapRing(fd: number, params: DataView): RingMapping | number {
  const u32 = (at: number): number => params.getUint32(at, true);
  const sq = IO_URING_PARAMS.sq_off;
  const cq = IO_URING_PARAMS.cq_off;
  const sqOff: SqOffsets = {
    head: u32(sq + IO_SQRING_OFFSETS.head), tail: u32(sq + IO_SQRING_OFFSETS.tail), ringMask: u32(sq + IO_SQRING_OFFSETS.ring_mask),
    ringEntries: u32(sq + IO_SQRING_OFFSETS.ring_entries), flags: u32(sq + IO_SQRING_OFFSETS.flags), dropped: u32(sq + IO_SQRING_OFFSETS.dropped),
    array: u32(sq + IO_SQRING_OFFSETS.array),
  };
  const cqOff: CqOffsets = {
    head: u32(cq + IO_CQRING_OFFSETS.head), tail: u32(cq + IO_CQRING_OFFSETS.tail), ringMask: u32(cq + IO_CQRING_OFFSETS.ring_mask),
    ringEntries: u32(cq + IO_CQRING_OFFSETS.ring_entries), overflow: u32(cq + IO_CQRING_OFFSETS.overflow), cqes: u32(cq + IO_CQRING_OFFSETS.cqes),
    flags: u32(cq + IO_CQRING_OFFSETS.flags),
  };
  const sqEntries = u32(IO_URING_PARAMS.sq_entries);
  const cqEntries = u32(IO_URING_PARAMS.cq_entries);
  const features = u32(IO_URING_PARAMS.features);
  let sqSize = sqOff.array + sqEntries * 4;
  let cqSize = cqOff.cqes + cqEntries * IO_URING_CQE.size;
  const single = (features & IORING_FEAT_SINGLE_MMAP) !== 0;
  // One mapping serves both rings since 5.4: map the larger size once.
  if (single) sqSize = cqSize = Math.max(sqSize, cqSize);
  const mappings: { address: number; size: number }[] = [];
  const unmapAll = (): void => {
    for (const m of mappings) syscall(SYS_munmap, m.address, m.size);
  };
  const map = (size: number, offset: number): number => {
    const address = syscall(SYS_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, offset);
    if (address >= 0) mappings.push({ address, size });
    return address;
  };
  const sqAddress = map(sqSize, IORING_OFF_SQ_RING);
  const cqAddress = single ? sqAddress : map(cqSize, IORING_OFF_CQ_RING);
  const sqesAddress = map(sqEntries * IO_URING_SQE.size, IORING_OFF_SQES);
  for (const address of [sqAddress, cqAddress, sqesAddress]) {
    if (address < 0) {
      unmapAll();
      syscall(SYS_close, fd);
      return address;
    }
  }
  // Given back by another thread if this one is terminated before it releases them
  // (thread-resources.ts); the mappings carry their ring's inode, so a left entry never matches
  // another ring's mapping at the same place.
  const ino = identityOf(THREAD_RESOURCE.ring, fd);
  holdForThisThread(THREAD_RESOURCE.ring, fd, 0, 0, ino);
  for (const m of mappings) holdForThisThread(THREAD_RESOURCE.ringMapping, -1, m.address, m.size, ino);
  const sqRing = viewOf(sqAddress, sqSize);
  return {
    fd, sqEntries, cqEntries, flags: u32(IO_URING_PARAMS.flags), features, sqOff, cqOff,
    sqRing, cqRing: single ? sqRing : viewOf(cqAddress, cqSize), sqes: viewOf(sqesAddress, sqEntries * IO_URING_SQE.size),
    release: () => {
      // Unmapped and closed before the entries go: a thread terminated in between leaves
      // entries that name this ring's inode, which no later file has (closeHeld).
      unmapAll();
      closeHeld(THREAD_RESOURCE.ring, fd);
      for (const m of mappings) letGo(THREAD_RESOURCE.ringMapping, -1, m.address);
    },
  };
}

/**
 * ringEnter - io_uring_enter(fd, toSubmit, minComplete, flags, NULL, 0).
 * @returns SQEs consumed, or `-errno` (EINTR when a signal arrived while waiting; EBUSY/EAGAIN
 *   when the kernel cannot take more right now).
 */
export function ringEnter(fd: number, toSubmit: number, minComplete: number, flags: number): number {
  return syscall(SYS_io_uring_enter, fd, toSubmit, minComplete, flags, 0, 0);
}

/**
 * registerEventfd - IORING_REGISTER_EVENTFD: the kernel signals `eventfd` whenever it posts CQEs
 * (under DEFER_TASKRUN: whenever completion work is queued for the submitter to run).
 * @returns 0 or `-errno`.
 */
export function registerEventfd(ringFd: number, eventfd: number): number {
  const arg = allocNative(8, 8);
  try {
    new DataView(arg.buffer).setInt32(0, eventfd, true);
    return syscall(SYS_io_uring_register, ringFd, IORING_REGISTER_EVENTFD, arg.address, 1);
  } finally {
    releaseNative(arg);
  }
}

/** unregisterEventfd - IORING_UNREGISTER_EVENTFD. @returns 0 or `-errno`. */
export function unregisterEventfd(ringFd: number): number {
  return syscall(SYS_io_uring_register, ringFd, IORING_UNREGISTER_EVENTFD, 0, 0);
}

/**
 * registerSparseFiles - IORING_REGISTER_FILES with `count` empty slots: the table that direct
 * descriptors (an OPENAT with a file_index) are opened into.
 * @returns 0 or `-errno` (EMFILE when `count` is above RLIMIT_NOFILE, EBUSY when a table exists).
 */
export function registerSparseFiles(ringFd: number, count: number): number {
  const table = allocNative(count * 4, 8);
  try {
    new Int32Array(table.buffer).fill(-1);
    return syscall(SYS_io_uring_register, ringFd, IORING_REGISTER_FILES, table.address, count);
  } finally {
    releaseNative(table);
  }
}

/**
 * probeOpcodes - IORING_REGISTER_PROBE: which opcodes this kernel implements.
 * @returns `supported[op] === 1` for each implemented opcode (length last_op + 1), or `-errno`.
 */
export function probeOpcodes(ringFd: number): Uint8Array | number {
  const size = IO_URING_PROBE.size + PROBE_OPS * IO_URING_PROBE_OP.size;
  const block: NativeBlock = allocNative(size, 8);
  try {
    const result = syscall(SYS_io_uring_register, ringFd, IORING_REGISTER_PROBE, block.address, PROBE_OPS);
    if (result < 0) return result;
    const view = new DataView(block.buffer);
    const lastOp = view.getUint8(IO_URING_PROBE.last_op);
    const opsLength = view.getUint8(IO_URING_PROBE.ops_len);
    const supported = new Uint8Array(lastOp + 1);
    for (let i = 0; i < opsLength && i <= lastOp; i++) {
      const at = IO_URING_PROBE.ops + i * IO_URING_PROBE_OP.size;
      const op = view.getUint8(at + IO_URING_PROBE_OP.op);
      if (op <= lastOp && (view.getUint16(at + IO_URING_PROBE_OP.flags, true) & IO_URING_OP_SUPPORTED) !== 0) supported[op] = 1;
    }
    return supported;
  } finally {
    releaseNative(block);
  }
}
