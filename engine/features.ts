/**
 * Kernel feature detection: what the running kernel offers the engine, found by trying each
 * feature once, the way liburing's tests do (a result of EOPNOTSUPP or ENOSYS means "not here",
 * never a crash). The inline fast path depends on these answers: without RWF_NOWAIT every read
 * becomes a handoff, without RESOLVE_CACHED every open does, and without MAP_32BIT compat32 has
 * no arena. `syslet-aio info` prints this report.
 *
 * The probes call the kernel directly through the FFI boundary, not through an engine: they are
 * the library asking about itself, so the atom policy (which denies io_uring_setup to syslets)
 * does not apply to them.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { machine, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocNative, releaseNative, mapLow, unmapLow, syscall, errnoName, EAGAIN, IORING_ENTER_GETEVENTS, IORING_REGISTER_PROBE, type NativeBlock } from './native/index.js';
import { Policy } from './policy.js';
import { SYSCALL_NUMBERS } from './syscalls/numbers.generated.js';
import { SYSCALL_TABLE, isDenied } from './syscalls/table.js';
import { NR } from './syscalls/nr.js';
import { describeAsyncEngine, type AsyncEngineReport } from './uring-describe.js';
import { AT_FDCWD, RESOLVE_CACHED, RWF_NOWAIT } from './syscalls/abi.js';
import { O_RDONLY, O_NONBLOCK, O_CLOEXEC } from './syscalls/constants.generated.js';

/** The outcome of one feature probe. */
export interface FeatureProbe {
  /** Whether the kernel offers the feature to this process. */
  readonly supported: boolean;
  /** The errno name the probe failed with (`'EOPNOTSUPP'`, `'ENOSYS'`...), or null when it worked. */
  readonly errno: string | null;
  /** One sentence: what was tried, what came back, and what it means for the engine. */
  readonly detail: string;
}

/** The io_uring probe, with the sysctl that explains a refusal. */
export interface IoUringProbe extends FeatureProbe {
  /**
   * /proc/sys/kernel/io_uring_disabled: 0 allowed, 1 only for the io_uring_group, 2 disabled for
   * everyone; null when the file does not exist (kernels before 6.6) or cannot be read.
   */
  readonly disabledSysctl: number | null;
  /** The `features` word io_uring_setup filled in (IORING_FEAT_* bits), or null when setup failed. */
  readonly features: number | null;
}

/** The MAP_32BIT probe, with where the mapping landed. */
export interface Map32Probe extends FeatureProbe {
  /** The address of the test mapping (below 2 GiB when supported), or null when mapping failed. */
  readonly address: number | null;
}

/** A syscall on the table's hard deny-list. */
export interface DeniedSyscall {
  /** The table's architecture-independent name. */
  readonly name: string;
  /** Its x86-64 number, or -1 when x86-64 has no such call (mmap2, sigreturn). */
  readonly x86_64: number;
  /** Why a syslet may never make it. */
  readonly reason: string;
}

/** The syscall policy a new engine starts with. */
export interface PolicySummary {
  /** How many calls an atom may make. */
  readonly allowedCount: number;
  /** Their names, in table order. */
  readonly allowed: readonly string[];
  /** The hard deny-list: no engine can ever allow these. */
  readonly denied: readonly DeniedSyscall[];
  /** True when SYSLET_AIO_DISABLED=1 narrowed the policy to nothing. */
  readonly disabledByEnv: boolean;
}

/** Everything {@link probeFeatures} found. */
export interface FeatureReport {
  /** The running kernel, as uname(2) reports it. */
  readonly kernel: {
    /** `uname -r`, e.g. `'6.18.44'`. */
    readonly release: string;
    /** `uname -m`, e.g. `'x86_64'`. */
    readonly machine: string;
  };
  /** The directory the file probes ran in. */
  readonly probeDir: string;
  /** Its file system, by statfs magic (`'ext2/ext3/ext4'`, `'tmpfs'`, or `'0x…'` when unknown). */
  readonly fileSystem: string;
  /** preadv2(RWF_NOWAIT) on a page-cached file: the inline probe for reads. */
  readonly rwfNowaitRead: FeatureProbe;
  /** pwritev2(RWF_NOWAIT) of a buffered write on {@link FeatureReport.fileSystem}: the inline probe for writes. */
  readonly rwfNowaitBufferedWrite: FeatureProbe;
  /** openat2(RESOLVE_CACHED): the inline probe for opens. */
  readonly resolveCached: FeatureProbe;
  /** mmap(MAP_32BIT): compat32's arenas. */
  readonly map32bit: Map32Probe;
  /** io_uring_setup(1) as the kernel answers it, with the sysctl that explains a refusal. */
  readonly ioUring: IoUringProbe;
  /**
   * What makes a new Engine's would-block calls here: io_uring (its set-up flags, ring sizes and
   * the calls it makes) or cachemiss threads, and why (SYSLET_AIO_ENGINE=threads, a seccomp
   * filter, what io_uring_setup answered).
   */
  readonly asyncEngine: AsyncEngineReport;
  /** signalfd4: POSIX AIO's SIGEV_SIGNAL delivery can be watched on the event loop. */
  readonly signalfd: FeatureProbe;
  /** eventfd2: how cachemiss threads wake the event loop. */
  readonly eventfd: FeatureProbe;
  /** The syscall policy a new engine starts with. */
  readonly policy: PolicySummary;
}

/** Options for {@link probeFeatures}. */
export interface ProbeOptions {
  /** Directory for the temporary probe file (default: `os.tmpdir()`); its file system decides the write probe. */
  readonly dir?: string;
}

const PAGE = 4096;
const TWO_GIB = 0x8000_0000;
/**
 * signalfd4 is not in the syslet table (no atom may create one), so its number is spelled here,
 * from asm/unistd_64.h.
 */
const SYS_signalfd4 = NR.signalfd4;

// Scratch layout inside one page-aligned block: the structs first, the data page last.
const AT_IOV = 0; // struct iovec { void *base; size_t len; }
const AT_HOW = 64; // struct open_how { u64 flags, mode, resolve; }, 24 bytes
const AT_PARAMS = 128; // struct io_uring_params, 120 bytes
const AT_SIGSET = 256; // kernel sigset_t, 8 bytes
const AT_PATH = 512; // NUL-terminated path, up to PATH_MAX
const AT_DATA = 2 * PAGE; // one page of file data
const SCRATCH_SIZE = 3 * PAGE;
const IO_URING_PARAMS_SIZE = 120;
const IO_URING_FEATURES_OFFSET = 20;

/** statfs f_type magics (linux/magic.h) of the file systems users are likely to probe on. */
const FS_MAGIC: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext2/ext3/ext4'],
  [0x58465342, 'xfs'],
  [0x9123683e, 'btrfs'],
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
  [0x794c7630, 'overlayfs'],
  [0xf2f52010, 'f2fs'],
  [0xca451a4e, 'bcachefs'],
  [0x2fc12fc1, 'zfs'],
  [0x6969, 'nfs'],
  [0x65735546, 'fuse'],
  [0x01021997, '9p'],
]);

/**
 * probeFeatures - find out which kernel features the engine can use on this machine.
 *
 * Each probe tries the feature once on a throwaway object (a page-cached temporary file, a
 * one-page mapping, a one-entry ring) and releases it at once. A feature that is missing is
 * reported, never thrown: the report is meant for `syslet-aio info` and for tests that must
 * skip, with a reason, on kernels that lack something.
 *
 * @param options - where to put the probe file (see {@link ProbeOptions}).
 * @returns the {@link FeatureReport}.
 * @throws nothing for a missing feature. When the probe directory cannot be used, the file
 *   probes come back unsupported with the error (e.g. `EACCES`) and its message.
 * @example
 * ```ts
 * const report = probeFeatures();
 * if (!report.rwfNowaitRead.supported) console.warn(`every read will hand off: ${report.rwfNowaitRead.detail}`);
 * ```
 * @see preadv2(2), openat2(2), io_uring_setup(2)
 */
export function probeFeatures(options: ProbeOptions = {}): FeatureReport {
  const dir = options.dir ?? tmpdir();
  const scratch = allocNative(SCRATCH_SIZE, PAGE);
  try {
    const files = probeFiles(dir, scratch);
    return {
      kernel: { release: release(), machine: machine() },
      probeDir: dir,
      fileSystem: fileSystemOf(dir),
      ...files,
      map32bit: probeMap32(),
      ioUring: probeIoUring(scratch),
      asyncEngine: describeAsyncEngine(),
      signalfd: probeSignalfd(scratch),
      eventfd: probeEventfd(),
      policy: summarizePolicy(),
    };
  } finally {
    releaseNative(scratch);
  }
}

/** The three probes that need a real, page-cached file. */
function probeFiles(dir: string, scratch: NativeBlock): Pick<FeatureReport, 'rwfNowaitRead' | 'rwfNowaitBufferedWrite' | 'resolveCached'> {
  let tempDir: string | undefined;
  let fd = -1;
  try {
    tempDir = mkdtempSync(join(dir, 'syslet-aio-probe-'));
    const file = join(tempDir, 'probe');
    // Writing through the page cache leaves the page resident: a NOWAIT read of it must succeed
    // wherever RWF_NOWAIT exists, so EAGAIN below can only mean memory pressure, not "missing".
    writeFileSync(file, Buffer.alloc(PAGE, 0x5a));
    fd = openSync(file, 'r+');
    return {
      rwfNowaitRead: probeNowait(fd, scratch, 'read'),
      rwfNowaitBufferedWrite: probeNowait(fd, scratch, 'write'),
      resolveCached: probeResolveCached(file, scratch),
    };
  } catch (error) {
    const failed = fromNodeError(error, `could not create a probe file in ${dir}`);
    return { rwfNowaitRead: failed, rwfNowaitBufferedWrite: failed, resolveCached: failed };
  } finally {
    if (fd >= 0) closeSync(fd);
    if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** preadv2/pwritev2 of one cached page with RWF_NOWAIT. */
function probeNowait(fd: number, scratch: NativeBlock, op: 'read' | 'write'): FeatureProbe {
  const view = new DataView(scratch.buffer);
  view.setBigUint64(AT_IOV, BigInt(scratch.address + AT_DATA), true);
  view.setBigUint64(AT_IOV + 8, BigInt(PAGE), true);
  const nr = op === 'read' ? SYSCALL_NUMBERS.preadv2.x86_64 : SYSCALL_NUMBERS.pwritev2.x86_64;
  const result = syscall(nr, fd, scratch.address + AT_IOV, 1, 0, 0, RWF_NOWAIT);
  const call = op === 'read' ? 'preadv2' : 'pwritev2';
  if (result >= 0) {
    return supported(`${call}(RWF_NOWAIT) moved ${result} cached bytes without blocking: inline ${op}s probe first`);
  }
  if (result === -EAGAIN) {
    // EAGAIN proves the flag is understood: the kernel only says "would block" for flags it knows.
    return supported(`${call}(RWF_NOWAIT) is understood but said EAGAIN (page evicted?): inline ${op}s probe first`);
  }
  const consequence = op === 'read'
    ? 'every read hands off to a cachemiss thread'
    : 'buffered writes hand off to the engine (io_uring or a cachemiss thread), or run inline with unprobeableWrite: \'inline\'';
  return unsupported(result, `${call}(RWF_NOWAIT) gave ${errnoName(result)}: ${consequence}`);
}

/** openat2(RESOLVE_CACHED) of the probe file, whose path the test just walked. */
function probeResolveCached(file: string, scratch: NativeBlock): FeatureProbe {
  const path = Buffer.from(`${file}\0`);
  if (path.length > AT_DATA - AT_PATH) return { supported: false, errno: 'ENAMETOOLONG', detail: `probe path too long: ${file}` };
  new Uint8Array(scratch.buffer, AT_PATH, path.length).set(path);
  const view = new DataView(scratch.buffer);
  view.setBigUint64(AT_HOW, BigInt(O_RDONLY | O_CLOEXEC), true);
  view.setBigUint64(AT_HOW + 8, 0n, true);
  view.setBigUint64(AT_HOW + 16, BigInt(RESOLVE_CACHED), true);
  const fd = syscall(SYSCALL_NUMBERS.openat2.x86_64, AT_FDCWD, scratch.address + AT_PATH, scratch.address + AT_HOW, 24);
  if (fd >= 0) {
    closeFd(fd);
    return supported('openat2(RESOLVE_CACHED) resolved a cached path: inline opens probe the dcache first');
  }
  if (fd === -EAGAIN) return supported('openat2(RESOLVE_CACHED) is understood but the path was not all cached (EAGAIN)');
  // EINVAL: openat2 exists but predates RESOLVE_CACHED (5.12); ENOSYS: no openat2 at all (5.6).
  return unsupported(fd, `openat2(RESOLVE_CACHED) gave ${errnoName(fd)}: every open hands off to a cachemiss thread`);
}

/** A one-page MAP_32BIT mapping, released at once. */
function probeMap32(): Map32Probe {
  const mapping = mapLow(PAGE);
  if (typeof mapping === 'number') {
    return { ...unsupported(mapping, `mmap(MAP_32BIT) gave ${errnoName(mapping)}: compat32 needs a fixed low base`), address: null };
  }
  unmapLow(mapping);
  const address = mapping.address;
  if (address + mapping.size > TWO_GIB) {
    // MAP_32BIT is a hint other architectures ignore; on x86-64 it must land below 2 GiB.
    return { supported: false, errno: null, detail: `mmap(MAP_32BIT) ignored the flag (mapped at 0x${address.toString(16)})`, address };
  }
  return { ...supported(`mmap(MAP_32BIT) mapped a page at 0x${address.toString(16)}: compat32 arenas available`), address };
}

/** io_uring_setup(1, params): available unless the kernel lacks it or the sysctl forbids it. */
function probeIoUring(scratch: NativeBlock): IoUringProbe {
  new Uint8Array(scratch.buffer, AT_PARAMS, IO_URING_PARAMS_SIZE).fill(0);
  const fd = syscall(SYSCALL_NUMBERS.io_uring_setup.x86_64, 1, scratch.address + AT_PARAMS);
  const disabledSysctl = readSysctl('/proc/sys/kernel/io_uring_disabled');
  if (fd >= 0) {
    const features = new DataView(scratch.buffer).getUint32(AT_PARAMS + IO_URING_FEATURES_OFFSET, true);
    // A filter may allow the set-up and refuse what a ring is used with: ask both (limits21).
    const entered = syscall(NR.io_uring_enter, fd, 0, 0, IORING_ENTER_GETEVENTS, 0, 0);
    // IORING_REGISTER_PROBE of 0 ops: a zeroed 16-byte header the kernel reads and fills.
    new Uint8Array(scratch.buffer, AT_PARAMS, IO_URING_PARAMS_SIZE).fill(0);
    const registered = entered < 0 ? 0 : syscall(NR.io_uring_register, fd, IORING_REGISTER_PROBE, scratch.address + AT_PARAMS, 0);
    closeFd(fd);
    if (entered < 0) return { ...unsupported(entered, `io_uring_setup(1) returned a ring but io_uring_enter gave ${errnoName(entered)}`), disabledSysctl, features };
    if (registered < 0) return { ...unsupported(registered, `io_uring_setup(1) returned a ring but io_uring_register (IORING_REGISTER_PROBE) gave ${errnoName(registered)}`), disabledSysctl, features };
    return { ...supported(`io_uring_setup(1) returned a ring (features 0x${features.toString(16)}), io_uring_enter and io_uring_register answer`), disabledSysctl, features };
  }
  // The sysctl explains a refusal only when it forbids something.
  const why = disabledSysctl === null || disabledSysctl === 0 ? '' : ` (kernel.io_uring_disabled = ${disabledSysctl})`;
  return { ...unsupported(fd, `io_uring_setup(1) gave ${errnoName(fd)}${why}`), disabledSysctl, features: null };
}

/** signalfd4 on an empty mask: proves the call exists without touching any signal's delivery. */
function probeSignalfd(scratch: NativeBlock): FeatureProbe {
  new DataView(scratch.buffer).setBigUint64(AT_SIGSET, 0n, true);
  const fd = syscall(SYS_signalfd4, -1, scratch.address + AT_SIGSET, 8, O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) {
    closeFd(fd);
    return supported('signalfd4 created a descriptor: SIGEV_SIGNAL completions can be read on the event loop');
  }
  return unsupported(fd, `signalfd4 gave ${errnoName(fd)}`);
}

/** eventfd2(0, EFD_CLOEXEC | EFD_NONBLOCK). */
function probeEventfd(): FeatureProbe {
  const fd = syscall(SYSCALL_NUMBERS.eventfd2.x86_64, 0, O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) {
    closeFd(fd);
    return supported('eventfd2 created a descriptor: cachemiss threads can wake the event loop');
  }
  return unsupported(fd, `eventfd2 gave ${errnoName(fd)}: the engine cannot signal completions`);
}

/** The policy a new engine starts with, and the table's deny-list with its reasons. */
function summarizePolicy(): PolicySummary {
  const allowed = new Policy().allowedNames();
  const denied = SYSCALL_TABLE.filter(isDenied).map((spec) => ({ name: spec.name, x86_64: spec.x86_64, reason: spec.policy.deny }));
  return { allowedCount: allowed.length, allowed, denied, disabledByEnv: process.env.SYSLET_AIO_DISABLED === '1' };
}

function fileSystemOf(dir: string): string {
  try {
    // statfs reports f_type as a signed long on some builds; normalise to the unsigned magic.
    const type = statfsSync(dir).type >>> 0;
    return FS_MAGIC.get(type) ?? `0x${type.toString(16)}`;
  } catch (error) {
    return `unknown (${nodeErrorCode(error) ?? 'statfs failed'})`;
  }
}

function readSysctl(file: string): number | null {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isNaN(value) ? null : value;
  } catch {
    return null;
  }
}

function closeFd(fd: number): void {
  syscall(SYSCALL_NUMBERS.close.x86_64, fd);
}

function supported(detail: string): FeatureProbe {
  return { supported: true, errno: null, detail };
}

function unsupported(result: number, detail: string): FeatureProbe {
  return { supported: false, errno: errnoName(result), detail };
}

function nodeErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fromNodeError(error: unknown, what: string): FeatureProbe {
  const message = error instanceof Error ? error.message : String(error);
  return { supported: false, errno: nodeErrorCode(error) ?? null, detail: `${what}: ${message}` };
}
