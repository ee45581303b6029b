/**
 * Calls made directly on the calling thread, without a chain, for a path the dcache resolves
 * alone. The first call is always openat2 with RESOLVE_CACHED, the probe the engine itself makes
 * for an openat atom: it answers from memory (an fd or an error) or refuses with EAGAIN, and
 * then the caller runs its chain as before, whose open the engine hands to the ring or a
 * cachemiss thread. What the direct calls save is the submission around syscalls that never
 * block (the plugin instance, the executor's per-atom checks and result cells).
 */
import type { Engine } from '../engine/engine.js';
import { EAGAIN, EINVAL, EMFILE, ENFILE, ENOSYS, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD, RESOLVE_CACHED } from '../engine/syscalls/constants.generated.js';
import { fdOnRemoteMount } from '../engine/remote-mounts.js';
import type { Request } from '../plugins/requests.js';

/** {@link openCached}'s answer when the path is not all in the dcache (or openat2 cannot say): use the chain. */
export const NOT_CACHED = 1 << 30;

/** Offset in the slot's second path buffer of an empty C string (after the 24-byte open_how). */
export const EMPTY_PATH_AT = 24;

const SYS_openat2 = NR.openat2;
const SYS_close = NR.close;
const OPEN_HOW_BYTES = 24;

/**
 * openCached - openat2(path in the slot's first buffer, {flags, RESOLVE_CACHED}) made directly:
 * the engine's own inline probe of an openat atom, without the chain around it. The open_how is
 * written into the slot's second path buffer, followed by an empty C string at
 * {@link EMPTY_PATH_AT}.
 *
 * @returns the fd, -errno, or {@link NOT_CACHED} (EAGAIN: a component is not in the dcache; a
 *   file on a remote mount, engine/remote-mounts.ts;
 *   EINVAL/ENOSYS: openat2 or RESOLVE_CACHED missing; EMFILE/ENFILE: no fd to be had, see
 *   {@link outOfFds}) — the chain then decides, as the engine would.
 */
export function openCached(req: Request, flags: number): number {
  const how = req.slot.paths[1];
  how.writeUInt32LE(flags, 0);
  how.writeUInt32LE(0, 4);
  how.writeUInt32LE(0, 8);
  how.writeUInt32LE(0, 12);
  how.writeUInt32LE(RESOLVE_CACHED, 16);
  how.writeUInt32LE(0, 20);
  how[EMPTY_PATH_AT] = 0;
  const fd = syscall(SYS_openat2, AT_FDCWD, req.slot.pathAddresses[0], req.slot.pathAddresses[1], OPEN_HOW_BYTES);
  if (fd === -EAGAIN || fd === -EINVAL || fd === -ENOSYS || outOfFds(fd)) return NOT_CACHED;
  // A file on a FUSE, NFS... mount: the calls made next on its fd (statx, faccessat2,
  // readlinkat) ask the server and wait for it (engine/remote-mounts.ts); the chain hands them off.
  if (fd >= 0 && fdOnRemoteMount(fd)) {
    syscall(SYS_close, fd);
    return NOT_CACHED;
  }
  return fd;
}

/**
 * outOfFds - whether an O_PATH open failed only because no fd was to be had (EMFILE: the
 * process's limit; ENFILE: the system's). stat, lstat, access, readlink and realpath go through
 * an O_PATH fd here, but Node makes them on the path and needs no fd: at the limit, the caller
 * makes node:fs/promises's call instead, so that a process out of fds still gets Node's answer
 * (the kernel takes the fd before the lookup, so even a missing path answers EMFILE here).
 *
 * @param status - the open's result: an fd or -errno.
 * @returns true for -EMFILE and -ENFILE.
 */
export function outOfFds(status: number): boolean {
  return status === -EMFILE || status === -ENFILE;
}

/**
 * directCallsAllowed - whether the engine's policy lets every one of `numbers` run, so that the
 * calls may be made directly rather than as atoms: an engine narrowed with `allow` (or disabled
 * by SYSLET_AIO_DISABLED) still sees them as atoms — denied, reported to its onDeny — as before.
 * Asked per call: a policy can be narrowed at any time.
 */
export function directCallsAllowed(engine: Engine, numbers: readonly number[]): boolean {
  return engine.policy.allowsAll(numbers);
}

/**
 * nodeMayServe - whether a call that syslet-aio/fs hands to node:fs (a large write: read-write.ts
 * writeFile, write-node.ts FileHandle.write) may be Node's: the engine is open — after its close
 * every call rejects with ESHUTDOWN, as docs/fs.md says, and a Node call would write regardless —
 * and its policy lets every one of `numbers` (the calls Node will make) run, so that a narrowed
 * policy still sees the chain's atoms denied and reported, as before.
 */
export function nodeMayServe(engine: Engine, numbers: readonly number[]): boolean {
  return !engine.closed && directCallsAllowed(engine, numbers);
}
