/**
 * open: fsp.open on the syslet path. openat and fstat are one chain (fs.open), inline when the
 * path is cached and the flags do not create or truncate; the fstat tells whether the file is a
 * FIFO, whose reads then wait for a writer as they would after Node's blocking open.
 */
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { allocNative, EAGAIN, ENXIO, syscall, type NativeBlock } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { fdOnRemoteMount } from '../engine/remote-mounts.js';
import { O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_NONBLOCK, O_TMPFILE, O_TRUNC, O_WRONLY, S_IFIFO, S_IFMT, S_IFREG } from '../engine/syscalls/constants.generated.js';
import type { Plugin } from '../plugins/plugin.js';
import { clearNonblock } from '../plugins/reader.js';
import { Request } from '../plugins/requests.js';
import { fastFlags, fastMode, fastPath } from './args.js';
import { fsOpen, fsOpenOnCachemiss, STAT_MODE_OFFSET } from './chains.js';
import { putPaths, result, submitted, take } from './core.js';
import { outOfFds } from './direct.js';
import { fsError } from './errors.js';
import { FileHandle } from './file-handle.js';
import { reclaimLeakedHandles } from './leaked-handles.js';

/**
 * open - fsp.open: a FileHandle on `engine` (a Node FileHandle when the arguments are ones this
 * layer leaves to Node, see args.ts, or when the open met the fd limit: see core.ts atTheFdLimit).
 */
export async function open(engine: Engine, path: unknown, flags?: unknown, mode?: unknown): Promise<FileHandle | nodeFs.FileHandle> {
  const fast = fastPath(path);
  const given = fastFlags(flags);
  const permissions = fastMode(mode, 0o666);
  if (fast === undefined || given === undefined || permissions === undefined) return nodeFs.open(path as string, flags as string, mode as number);
  // An open that is tried inline must not wait there: a FIFO's open waits for its other end.
  // The O_NONBLOCK added for that is cleared once the open has answered, for every kind of file:
  // a procfs, tracefs or FUSE regular file may honour it (/proc/kmsg's read answers EAGAIN instead
  // of waiting), and the handle's fd is the caller's, flags included (F_GETFL, a child's stdin).
  const mayBlockInline = (given & (O_CREAT | O_TRUNC | O_TMPFILE | O_NONBLOCK)) === 0;
  const got = take(engine);
  const req = got instanceof Request ? got : await got;
  try {
    const bad = putPaths(req, fast);
    if (bad !== 0) throw fsError(bad, 'open', fast);
    let outcome = await openWith(req, fsOpen, given | O_CLOEXEC | (mayBlockInline ? O_NONBLOCK : 0), permissions, fast);
    // At the fd limit, leaked handles first give their fds back, as Node's scavenges make them
    // (leaked-handles.ts), and the open is tried again.
    if (outOfFds(outcome.fd) && (await reclaimLeakedHandles())) outcome = await openWith(req, fsOpen, given | O_CLOEXEC | (mayBlockInline ? O_NONBLOCK : 0), permissions, fast);
    let nonblockAdded = mayBlockInline;
    // EAGAIN: a lease O_NONBLOCK refuses to wait for; ENXIO: a FIFO opened for writing with no
    // reader. Both opens may wait: on a cachemiss thread, without O_NONBLOCK.
    if (mayBlockInline && (outcome.fd === -EAGAIN || outcome.fd === -ENXIO)) {
      outcome = await openWith(req, fsOpenOnCachemiss, given | O_CLOEXEC, permissions, fast);
      nonblockAdded = false;
    }
    // Still at the fd limit: Node's open (core.ts atTheFdLimit), and so its FileHandle, as for
    // the arguments this layer leaves to Node.
    if (outOfFds(outcome.fd)) return await nodeFs.open(path as string, flags as string, mode as number);
    if (outcome.fd < 0) throw fsError(outcome.fd, 'open', fast);
    if (nonblockAdded) clearNonblock(outcome.fd);
    const type = outcome.mode & S_IFMT;
    // Write-only O_APPEND on a regular file: its writes at the file position may be positional (handle-io.ts HandleIo).
    const appendsAnywhere = type === S_IFREG && (given & O_ACCMODE) === O_WRONLY && (given & O_APPEND) !== 0 && appendsAtAnyOffset(outcome.fd);
    return new FileHandle(engine, outcome.fd, nonblockAdded && type === S_IFIFO, appendsAnywhere, type === S_IFREG);
  } finally {
    req.end();
  }
}

/**
 * The file systems (statfs f_type) whose writes to an O_APPEND file append whatever the offset
 * (generic_write_checks): ext2/3/4, XFS, Btrfs, tmpfs, F2FS, overlayfs. Elsewhere a procfs or
 * sysfs file is a regular file whose write takes the offset it is given (a second write through
 * one handle at offset 0 is not the write(2) at the file position Node makes), so it keeps write(2).
 */
const APPENDING_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x794c7630]);
/** struct statfs on x86-64 (f_type is its first word); allocated once, with the module. */
const STATFS_BYTES = 120;
const statfsBlock: NativeBlock = allocNative(STATFS_BYTES, 8);
const statfsView = new DataView(statfsBlock.buffer);

/**
 * Whether `fd`'s file system appends an O_APPEND write at any offset (one fstatfs, at open). None
 * on a FUSE, NFS... mount is in the list, and there the fstatfs asks the server (FUSE's STATFS) and
 * waits on this thread (an open 'a' held the event loop 1,503 ms against a 1.5 s server): not asked.
 */
function appendsAtAnyOffset(fd: number): boolean {
  if (fdOnRemoteMount(fd) || syscall(NR.fstatfs, fd, statfsBlock.address) !== 0) return false;
  return APPENDING_FILE_SYSTEMS.has(statfsView.getUint32(0, true));
}

async function openWith(req: Request, plugin: Plugin, flags: number, mode: number, path: string | Uint8Array): Promise<{ fd: number; mode: number }> {
  const instance = plugin.acquire(req.engine);
  try {
    instance.set(0, req.slot.pathAddresses[0]);
    instance.set(1, flags);
    instance.set(2, mode);
    const wait = submitted(req.run(plugin, instance), 'open', path);
    if (wait !== null) await wait;
    const fd = result(instance, 0);
    return { fd, mode: fd < 0 ? 0 : Number(instance.scratchWord('stat', STAT_MODE_OFFSET, 4)) };
  } finally {
    instance.release();
  }
}
