/**
 * The chain of a batch of realpaths or readlinks (fs/link-batch.ts): built once per batch, reused for
 * every batch of calls it carries.
 *
 * readlink needs no fd name: per path, openat(path, O_PATH|O_NOFOLLOW) (→ J_i when it fails),
 * readlinkat(fd_i, "", target_i, size) and close(fd_i), the inline path's three calls; the end is
 * a close(-1). realpath needs the name of the fd, and:
 *
 * A chain cannot spell the number of the fd its openat returned into a /proc name, so each batch
 * holds an fd number of its own, K (an O_PATH fd of /proc/<pid>/fd while idle). Per path:
 *
 * ```
 * A_i  openat(AT_FDCWD, path_i, O_PATH|O_CLOEXEC)   STOP_ON_NEGATIVE|SKIP_TO_NEXT_ON_STOP → J_i
 * B_i  dup3(fd_i, K, O_CLOEXEC)                      K now names what the path names
 * C_i  close(fd_i)
 * D_i  readlinkat(dirfd, "K", target_i, size)        → A_i+1
 * J_i  close(-1)                                     only after a failed open: EBADF, → A_i+1
 * R    dup3(dirfd, K, O_CLOEXEC)                     K back to the directory: no file held
 * ```
 *
 * K is never closed while its batch lives, so no other open of the process can get its number
 * between two dup3s (a dup3 onto a number another thread holds would replace that file).
 */
import { SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { ChainBuilder, type AtomRef, type Cell } from '../engine/builder.js';
import type { Engine } from '../engine/engine.js';
import { AT_FDCWD, O_CLOEXEC, O_NOFOLLOW, O_PATH } from '../engine/syscalls/constants.generated.js';

/** Paths in one batch (one chain, one hand-off, one completion). */
export const BATCH_CALLS = 64;
/** Bytes for a path in a batch (with its NUL); a longer path is served inline. */
export const PATH_AREA = 512;
/** Bytes for a resolved name; a name that fills them is read again inline. */
export const TARGET_AREA = 512;
/** A result cell's value before its atom runs: no syscall answers it. */
export const NOT_RUN = -(2 ** 40);

/** What a batch answers: realpath or readlink (Node's name of the call, in its errors). */
export type BatchKind = 'realpath' | 'readlink';

/** A batch's chain and the parts of it the batch reads and relinks, per entry i. */
export interface LinkChain {
  readonly chain: ChainBuilder;
  /** A_i, and J_i (where a failed A_i skips to). */
  readonly opens: readonly AtomRef[];
  readonly jumps: readonly AtomRef[];
  /** The last atom of entry i's success path (D_i; readlink: its close). */
  readonly lasts: readonly AtomRef[];
  /** R (readlink: a close(-1)). */
  readonly end: AtomRef;
  /** A_i's result: the O_PATH fd, or -errno; {@link NOT_RUN} before it runs. */
  readonly fds: readonly Cell[];
  /** B_i's result: K when the dup3 made it (readlink: the readlinkat's, as {@link lengths}). */
  readonly dups: readonly Cell[];
  /** C_i's result (readlink: the close's). */
  readonly closes: readonly Cell[];
  /** D_i's result: the target's length, or -errno. */
  readonly lengths: readonly Cell[];
  /** The paths' area ({@link PATH_AREA} bytes per entry) and the targets' ({@link TARGET_AREA}). */
  readonly paths: Buffer;
  readonly targets: Buffer;
}

/**
 * buildLinkChain - the chain of a batch of {@link BATCH_CALLS} calls of `kind`, its entries not
 * yet linked one after the other (the batch links entry i to entry i + 1, or to the end after its
 * last call).
 *
 * @param dirFd - realpath: the O_PATH fd of /proc/<pid>/fd readlinkat looks K up in (-1 for readlink).
 * @param holdFd - realpath: K (-1 for readlink).
 */
export function buildLinkChain(engine: Engine, kind: BatchKind, dirFd: number, holdFd: number): LinkChain {
  const chain = new ChainBuilder(engine.memory, {
    maxAtoms: BATCH_CALLS * 5 + 1,
    dataBytes: BATCH_CALLS * (PATH_AREA + TARGET_AREA + 8 * 8) + 1024,
  });
  const pathArea = chain.buffer(BATCH_CALLS * PATH_AREA);
  const targetArea = chain.buffer(BATCH_CALLS * TARGET_AREA);
  const atFdcwd = chain.cell(AT_FDCWD);
  const readlink = kind === 'readlink';
  const openFlags = chain.cell(readlink ? O_PATH | O_NOFOLLOW | O_CLOEXEC : O_PATH | O_CLOEXEC);
  const zero = chain.cell(0);
  const hold = chain.cell(holdFd);
  const dir = chain.cell(dirFd);
  const cloexec = chain.cell(O_CLOEXEC);
  const noFd = chain.cell(-1);
  const targetBytes = chain.cell(TARGET_AREA);
  const name = chain.cstring(readlink ? '' : String(holdFd));
  const opens: AtomRef[] = [];
  const jumps: AtomRef[] = [];
  const lasts: AtomRef[] = [];
  const fds: Cell[] = [];
  const dups: Cell[] = [];
  const closes: Cell[] = [];
  const lengths: Cell[] = [];
  // Creation order is memory order: each open is followed by its jump, the skip target of a
  // failed open; the rest of each path's atoms come after the last jump and the end.
  for (let i = 0; i < BATCH_CALLS; i++) {
    const fd = chain.cell(NOT_RUN);
    fds.push(fd);
    opens.push(chain.atom('openat', [atFdcwd, { address: pathArea.at + i * PATH_AREA }, openFlags, zero], {
      flags: SYSLET_ASYNC | SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      ret: fd,
    }));
    jumps.push(chain.atom('close', [noFd], { ret: null }));
  }
  const end = readlink ? chain.atom('close', [noFd], { ret: null }) : chain.atom('dup3', [dir, hold, cloexec], { ret: null });
  for (let i = 0; i < BATCH_CALLS; i++) {
    const fd = fds[i] as Cell;
    const target = { address: targetArea.at + i * TARGET_AREA };
    if (readlink) {
      // readlinkat with an empty path reads the link the fd names (as the inline path does).
      const read = chain.atom('readlinkat', [fd, name, target, targetBytes]);
      const close = chain.atom('close', [fd]);
      dups.push(read.result);
      closes.push(close.result);
      lengths.push(read.result);
      lasts.push(close);
      chain.link(opens[i] as AtomRef, read);
      chain.link(read, close);
    } else {
      const dup = chain.atom('dup3', [fd, hold, cloexec]);
      const close = chain.atom('close', [fd]);
      const read = chain.atom('readlinkat', [dir, name, target, targetBytes]);
      dups.push(dup.result);
      closes.push(close.result);
      lengths.push(read.result);
      lasts.push(read);
      chain.link(opens[i] as AtomRef, dup);
      chain.link(dup, close);
      chain.link(close, read);
    }
  }
  const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { chain, opens, jumps, lasts, end, fds, dups, closes, lengths, paths: view(pathArea.bytes), targets: view(targetArea.bytes) };
}
