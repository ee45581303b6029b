/**
 * Telling threads and held files apart through /proc (split from engine/native/thread-resources.ts
 * by job): a thread's identity (tid and start time, so a reused tid is another thread), what kind
 * of file an fd number names now, which file of its kind it is where the kernel says so (an
 * io_uring instance's inode, an eventfd's `eventfd-id`), whether a mapping is still a ring's and a
 * POSIX timer still signals a given thread. What the process-wide record of each worker thread's
 * resources checks before it closes, unmaps or deletes anything of an ended thread.
 */
import { fstatSync, readFileSync, readlinkSync } from 'node:fs';
import { syscall } from './libc.js';
import { NR } from '../syscalls/nr.js';

/** What an entry holds (its fd, or its mapping's address and size). */
export const THREAD_RESOURCE = {
  /** An io_uring instance's fd. */
  ring: 1,
  /** An eventfd. */
  eventfd: 2,
  /** A signalfd. */
  signalfd: 3,
  /** A mapping of an io_uring instance (address, size). */
  ringMapping: 4,
  /** A cachemiss thread's /proc/…/schedstat file (engine/cachemiss-clock.ts), its pool's to close. */
  schedstat: 5,
  /** A POSIX timer (its id in the fd word, the thread it signals in the size word): engine/cachemiss-watchdog.ts. */
  signalTimer: 6,
  /** /proc/self/mountinfo, which engine/remote-mounts.ts polls for mounts made or gone. */
  mountinfo: 7,
} as const;

/** A thread of this process, by tid and start time (clock ticks since boot). */
export interface ThreadIdentity {
  readonly tid: number;
  readonly start: number;
}

/** linkIsOfKind - whether /proc/self/fd/N's link (null: no such fd) is a file of `kind` (checked before the fd is closed). */
export function linkIsOfKind(link: string | null, kind: number): boolean {
  if (link === null) return false;
  switch (kind) {
    case THREAD_RESOURCE.ring: return link === 'anon_inode:[io_uring]';
    case THREAD_RESOURCE.eventfd: return link === 'anon_inode:[eventfd]';
    case THREAD_RESOURCE.signalfd: return link === 'anon_inode:[signalfd]';
    case THREAD_RESOURCE.schedstat: return link.startsWith('/proc/') && link.endsWith('/schedstat');
    case THREAD_RESOURCE.mountinfo: return link.startsWith('/proc/') && link.endsWith('/mountinfo');
    default: return false;
  }
}

/** The page size of x86-64 (the only architecture the library runs on). */
const PAGE_BYTES = 4096;

/** This thread's identity (tid, start time), read once. */
let self: ThreadIdentity | undefined;

/** startTimeOf - field 22 (starttime, clock ticks) of a /proc stat file, or -1 when it cannot be read. */
export function startTimeOf(statPath: string): number {
  let text: string;
  try {
    text = readFileSync(statPath, 'latin1');
  } catch {
    return -1;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[19] ?? -1);
}

/** threadIdentity - this thread's identity (read once). */
export function threadIdentity(): ThreadIdentity {
  self ??= { tid: syscall(NR.gettid), start: startTimeOf('/proc/thread-self/stat') };
  return self;
}

/**
 * identityOf - what tells this file apart from every other of its kind while it is open: an
 * io_uring instance's inode (each ring has its own), an eventfd's `eventfd-id` (fdinfo, Linux
 * 5.17 and later). 0 when the kernel gives none (signalfds share one inode and have no id).
 */
export function identityOf(kind: number, fd: number): number {
  if (fd < 0) return 0;
  if (kind === THREAD_RESOURCE.ring) {
    try {
      return fstatSync(fd).ino;
    } catch {
      return 0;
    }
  }
  if (kind === THREAD_RESOURCE.eventfd) {
    const id = /^eventfd-id:\s*(\d+)$/m.exec(readProc(`/proc/self/fdinfo/${fd}`));
    return id === null ? 0 : Number(id[1]);
  }
  return 0;
}

/** ringMappingAt - whether the mapping at `address` of `size` bytes is still an io_uring ring's (that ring's, when its inode `identity` is known); `maps` is /proc/self/maps ({@link readProc}). */
export function ringMappingAt(maps: string, address: number, size: number, identity: number): boolean {
  // The kernel maps whole pages, and /proc/self/maps shows them so (a ring's 208-byte SQ ring is
  // one 4 KiB line): matched on the recorded size, no terminated worker's mapping was ever found.
  const line = `${address.toString(16)}-${(address + Math.ceil(size / PAGE_BYTES) * PAGE_BYTES).toString(16)} `;
  const at = maps.startsWith(line) ? 0 : maps.indexOf(`\n${line}`);
  if (at < 0) return false;
  const end = maps.indexOf('\n', at + 1);
  // address-range perms offset dev inode path
  const fields = maps.slice(at, end < 0 ? undefined : end).trim().split(/\s+/);
  return fields[5] === 'anon_inode:[io_uring]' && (identity === 0 || fields[4] === String(identity));
}

/** readProc - a /proc file's text, or '' when it cannot be read. */
export function readProc(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/**
 * Whether /proc/self/timers lists timer `id` as one that signals thread `tid` (`notify:
 * signal/tid.N`, kept after the thread has ended): a timer id is the process's, and one deleted
 * and made again by someone else would name another thread.
 */
export function timerSignalsThread(timers: string, id: number, tid: number): boolean {
  const listed = `\n${timers}`;
  const at = listed.indexOf(`\nID: ${id}\n`);
  if (at < 0) return false;
  const next = listed.indexOf('\nID: ', at + 1);
  return listed.slice(at, next < 0 ? undefined : next).includes(`\nnotify: signal/tid.${tid}\n`);
}

/** linkOf - where /proc/self/fd/`fd` links to, or null when there is no such fd. */
export function linkOf(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}
