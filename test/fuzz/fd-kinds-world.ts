/**
 * The fds of the fd-kinds differential fuzz (test/fuzz/fd-kinds.ts): every kind of fd a program
 * hands an fd-taking atom — regular files (read-write, read-only, append), a memfd, pipes and
 * sockets (blocking and not), eventfds (blocking and not), a timerfd, an inotify fd, an epoll fd,
 * /dev/null and /dev/zero, a directory, an O_PATH fd, an unconnected UDP socket and a
 * number no fd has — each made twice with the same content: one for the engine, one for the
 * same syscalls made directly. Kinds the machine cannot make are skipped on both sides. (No
 * terminal: a pty echoes what is written to it from a kernel worker, so what a read finds there
 * depends on timing, not on the call.)
 *
 * A blocking stream read or written at its position would wait for good where nothing feeds it;
 * so each kind says which calls at the position may run (`free`), may run while the bytes it
 * holds or the room it has last (`counted`), or never run (`never`). The model follows the
 * direct side's results.
 */
import { closeSync, openSync, readFileSync, writeFileSync, constants } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { addressOf, syscall, EAGAIN } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';

// x86-64 numbers of set-up calls the syscall table has no row for (the library never makes them).
const SYS_timerfd_create = 283;
const SYS_epoll_create1 = 291;
const SYS_inotify_init1 = 294;
const SYS_memfd_create = 319;

const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const F_GETFL = 3;
const F_SETFL = 4;
const SEEK_CUR = 1;
const AF_UNIX = 1;
const AF_INET = 2;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const CLOCK_MONOTONIC = 1;
/** Bytes a file (and a memfd) starts with, and a stream holds to be read. */
export const FILE_BYTES = 8192;
const STREAM_BYTES = 4096;
/** A number no fd has (fd arguments are 32-bit ints, far below RLIMIT_NOFILE's hard limit here). */
const NO_FD = 987_654;

/** How calls at the fd's position may run (see the module comment). */
export type Gate = 'free' | 'counted' | 'never';

/** One side's fd of a kind, and what is needed to look at its state afterwards. */
export interface Side {
  readonly fd: number;
  /** The file's path, for regular files: its content is part of the state. */
  readonly path: string | null;
  /** The other end of a pipe or socket: what the fd wrote is read from it. */
  readonly peer: number | null;
  /** fds to close after the case (fd and peer included). */
  readonly owned: readonly number[];
}

/** A kind of fd. */
export interface Kind {
  readonly name: string;
  readonly reads: Gate;
  readonly writes: Gate;
  /** Bytes a `counted` reader holds at first. */
  readonly holds: number;
  /** Makes one side, or null when the machine cannot make this kind. */
  make(dir: string, tag: string): Side | null;
}

/** The bytes of pattern `seed`, the same on both sides. */
export function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + 1) & 0xff;
  return bytes;
}

function check(result: number, what: string): number {
  if (result < 0) throw new Error(`fd-kinds set-up: ${what} gave ${result}`);
  return result;
}

function pair(nr: number, args: readonly number[], what: string): [number, number] {
  const fds = Buffer.alloc(8);
  check(syscall(nr, ...args, addressOf(fds)), what);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

function feed(fd: number, bytes: Buffer): void {
  check(syscall(NR.write, fd, addressOf(bytes), bytes.length), 'write of a stream\'s first bytes');
}

function file(flags: number, contentSeed: number) {
  return (dir: string, tag: string): Side => {
    const path = join(dir, `file-${tag}`);
    writeFileSync(path, pattern(FILE_BYTES, contentSeed));
    const fd = openSync(path, flags);
    return { fd, path, peer: null, owned: [fd] };
  };
}

function pipeEnd(end: 'read' | 'write', flags: number) {
  return (): Side => {
    const [reader, writer] = pair(NR.pipe2, [], 'pipe2');
    // The end under test gets the flags; the other end stays blocking-free for draining.
    const fd = end === 'read' ? reader : writer;
    const peer = end === 'read' ? writer : reader;
    check(syscall(NR.fcntl, fd, F_SETFL, flags), 'fcntl F_SETFL');
    check(syscall(NR.fcntl, peer, F_SETFL, O_NONBLOCK), 'fcntl F_SETFL');
    if (end === 'read') feed(writer, pattern(STREAM_BYTES, 3));
    return { fd, path: null, peer, owned: [reader, writer] };
  };
}

function eventfd(count: number, flags: number) {
  return (): Side => {
    const fd = check(syscall(NR.eventfd2, count, O_CLOEXEC | flags), 'eventfd2');
    return { fd, path: null, peer: null, owned: [fd] };
  };
}

function single(make: (dir: string) => number) {
  return (dir: string): Side | null => {
    const fd = make(dir);
    return fd < 0 ? null : { fd, path: null, peer: null, owned: [fd] };
  };
}

/** Every kind the fuzz draws from. */
export const KINDS: readonly Kind[] = [
  { name: 'file O_RDWR', reads: 'free', writes: 'free', holds: 0, make: file(constants.O_RDWR, 1) },
  { name: 'file O_RDONLY', reads: 'free', writes: 'free', holds: 0, make: file(constants.O_RDONLY, 2) },
  { name: 'file O_WRONLY|O_APPEND', reads: 'free', writes: 'free', holds: 0, make: file(constants.O_WRONLY | constants.O_APPEND, 3) },
  {
    name: 'memfd', reads: 'free', writes: 'free', holds: 0,
    make: () => {
      const fd = syscall(SYS_memfd_create, addressOf(Buffer.from('fd-kinds\0')), 1 /* MFD_CLOEXEC */);
      if (fd < 0) return null;
      feed(fd, pattern(FILE_BYTES, 4));
      return { fd, path: null, peer: null, owned: [fd] };
    },
  },
  { name: 'pipe read end', reads: 'counted', writes: 'free', holds: STREAM_BYTES, make: pipeEnd('read', 0) },
  { name: 'pipe read end O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: pipeEnd('read', O_NONBLOCK) },
  { name: 'pipe write end', reads: 'free', writes: 'counted', holds: 0, make: pipeEnd('write', 0) },
  { name: 'pipe write end O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: pipeEnd('write', O_NONBLOCK) },
  {
    name: 'unix stream socket O_NONBLOCK', reads: 'free', writes: 'free', holds: 0,
    make: () => {
      const [fd, peer] = pair(NR.socketpair, [AF_UNIX, SOCK_STREAM | O_NONBLOCK | O_CLOEXEC, 0], 'socketpair');
      feed(peer, pattern(STREAM_BYTES, 5));
      return { fd, path: null, peer, owned: [fd, peer] };
    },
  },
  { name: 'eventfd count 3', reads: 'never', writes: 'never', holds: 0, make: eventfd(3, 0) },
  { name: 'eventfd count 3 O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: eventfd(3, O_NONBLOCK) },
  { name: 'eventfd count 0 O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: eventfd(0, O_NONBLOCK) },
  { name: 'timerfd O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: single(() => syscall(SYS_timerfd_create, CLOCK_MONOTONIC, O_NONBLOCK | O_CLOEXEC)) },
  { name: 'inotify O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: single(() => syscall(SYS_inotify_init1, O_NONBLOCK | O_CLOEXEC)) },
  { name: 'epoll', reads: 'free', writes: 'free', holds: 0, make: single(() => syscall(SYS_epoll_create1, O_CLOEXEC)) },
  { name: 'udp socket O_NONBLOCK', reads: 'free', writes: 'free', holds: 0, make: single(() => syscall(NR.socket, AF_INET, SOCK_DGRAM | O_NONBLOCK | O_CLOEXEC, 0)) },
  { name: '/dev/null', reads: 'free', writes: 'free', holds: 0, make: single(() => openSync('/dev/null', 'r+')) },
  { name: '/dev/zero', reads: 'free', writes: 'free', holds: 0, make: single(() => openSync('/dev/zero', 'r')) },
  { name: 'directory', reads: 'free', writes: 'free', holds: 0, make: single((dir) => openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)) },
  { name: 'O_PATH file', reads: 'free', writes: 'free', holds: 0, make: file(O_PATH, 6) },
  { name: 'no fd', reads: 'free', writes: 'free', holds: 0, make: () => ({ fd: NO_FD, path: null, peer: null, owned: [] }) },
];

/** Reads what a stream fd holds without waiting (made O_NONBLOCK first). */
function drain(fd: number): string {
  check(syscall(NR.fcntl, fd, F_SETFL, (syscall(NR.fcntl, fd, F_GETFL, 0) | O_NONBLOCK) >>> 0), 'fcntl F_SETFL');
  const chunk = Buffer.alloc(65536);
  const hash = createHash('sha1');
  let total = 0;
  for (let rounds = 0; rounds < 64; rounds++) {
    const got = syscall(NR.read, fd, addressOf(chunk), chunk.length);
    if (got <= 0) {
      return `${total} bytes ${hash.digest('hex').slice(0, 12)} then ${got === -EAGAIN ? 'EAGAIN' : got}`;
    }
    hash.update(chunk.subarray(0, got));
    total += got;
  }
  return `${total} bytes and more`;
}

/**
 * stateOf - what a side holds after a case, to compare the two: a file's bytes and the fd's
 * position; what a stream's peer can read (what the fd wrote) or what the fd still holds; an
 * eventfd's count.
 */
export function stateOf(kind: Kind, side: Side): string {
  const position = syscall(NR.lseek, side.fd, 0, SEEK_CUR);
  const parts = [`position ${position}`];
  if (side.path !== null) parts.push(`file ${createHash('sha1').update(readFileSync(side.path)).digest('hex').slice(0, 12)}`);
  if (side.peer !== null) parts.push(`peer reads ${drain(side.peer)}`);
  if (kind.name.startsWith('pipe read') || kind.name.startsWith('unix') || kind.name.startsWith('eventfd')) parts.push(`holds ${drain(side.fd)}`);
  return parts.join('; ');
}

/** Closes what a side owns. */
export function closeSide(side: Side): void {
  for (const fd of side.owned) closeSync(fd);
}
