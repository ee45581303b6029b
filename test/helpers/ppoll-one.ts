/**
 * ppoll of one pollfd made two ways on an io_uring engine, for the ppoll differential tests:
 * through the ring (SYSLET_ASYNC, no timeout, no sigmask: IORING_OP_POLL_ADD) and as the syscall
 * made inline with a zero timeout (what the call answers now, without waiting) — and the fd
 * kinds those tests poll (pipes, sockets, eventfds, epoll/inotify/timerfd, a FIFO, a regular
 * file, /dev/null, a directory, a procfs file, a closed number).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';
import { SYSLET_ASYNC, SYSLET_SYNC } from '../../engine/atom.js';
import { syscall } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import { openPipe } from './pipe.js';
import { closeAll, socketPair } from './engine.js';

// x86-64 numbers of calls the library's syscall table does not name (the kernel's unistd_64.h).
const SYS_epoll_create1 = 291;
const SYS_inotify_init1 = 294;
const SYS_timerfd_create = 283;

/** What a ppoll answered: its result and the revents it wrote (0x7777: none written). */
export interface PollAnswer {
  readonly result: number;
  readonly revents: number;
}

/**
 * ppollOne - ppoll([{ fd, events }], 1, timeout, NULL, 8): 'syscall' inline with a zero
 * timeout, 'ring' through the ring with none. Resolves with the answer, or 'waiting' when it
 * has not answered within `waitMs` (the chain stays in flight until the engine closes).
 */
export async function ppollOne(engine: Engine, mode: 'ring' | 'syscall', fd: number, events: number, waitMs = 100): Promise<PollAnswer | 'waiting'> {
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const pollfd = chain.buffer(8);
  const view = new DataView(pollfd.bytes.buffer, pollfd.bytes.byteOffset, 8);
  view.setInt32(0, fd, true);
  view.setInt16(4, events, true);
  view.setInt16(6, 0x7777, true); // ppoll overwrites revents
  const zero = chain.buffer(16);
  const atom = chain.atom('ppoll', [pollfd, 1, mode === 'ring' ? 0 : zero, 0, 8], { flags: mode === 'ring' ? SYSLET_ASYNC : SYSLET_SYNC });
  const done = engine.runChain(chain.first).then((): PollAnswer => {
    const answer = { result: atom.result.number, revents: view.getUint16(6, true) };
    chain[Symbol.dispose]();
    return answer;
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), waitMs)));
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One kind of descriptor to poll, by name. */
export type FdKinds = Record<string, number>;

/**
 * openFdKinds - one descriptor of each kind in a state worth polling. `close()` closes them
 * and removes the scratch directory.
 */
export function openFdKinds(engine: Engine): { fds: FdKinds; close: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-ppoll-kinds-'));
  const fds: Record<string, number> = {};
  const data = openPipe();
  writeSync(data.writer, 'x');
  fds['pipe read end with data'] = data.reader;
  fds['pipe write end with room'] = data.writer;
  const noReader = openPipe();
  closeSync(noReader.reader);
  fds['pipe write end, reader gone'] = noReader.writer;
  const noWriter = openPipe();
  closeSync(noWriter.writer);
  fds['pipe read end, writer gone'] = noWriter.reader;
  const empty = openPipe();
  fds['empty pipe read end'] = empty.reader;
  const [idle, idlePeer] = socketPair(engine);
  fds['unix socket, idle'] = idle;
  const [withData, dataPeer] = socketPair(engine);
  writeSync(dataPeer, 'y');
  fds['unix socket with data'] = withData;
  const [peerClosed, closedPeer] = socketPair(engine);
  closeSync(closedPeer);
  fds['unix socket, peer closed'] = peerClosed;
  const [shutWr, shutPeer] = socketPair(engine);
  // shutdown(2) of the peer's writing side: this end sees POLLIN (end of file) and POLLRDHUP.
  shutdownWriting(engine, shutPeer);
  fds['unix socket, peer shut down writing'] = shutWr;
  fds['eventfd 0'] = syscall(NR.eventfd2, 0, 0, 0, 0, 0, 0);
  fds['eventfd 1'] = syscall(NR.eventfd2, 1, 0, 0, 0, 0, 0);
  fds['epoll fd'] = syscall(SYS_epoll_create1, 0, 0, 0, 0, 0, 0);
  fds['inotify fd'] = syscall(SYS_inotify_init1, 0, 0, 0, 0, 0, 0);
  fds['timerfd'] = syscall(SYS_timerfd_create, 1, 0, 0, 0, 0, 0);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  fds['FIFO opened read-write'] = openSync(join(dir, 'fifo'), 'r+');
  writeFileSync(join(dir, 'file'), 'z');
  fds['regular file'] = openSync(join(dir, 'file'), 'r');
  fds['/dev/null'] = openSync('/dev/null', 'r+');
  fds['directory'] = openSync(dir, 'r');
  fds['/proc/self/mounts'] = openSync('/proc/self/mounts', 'r');
  const extra = [idlePeer, dataPeer, shutPeer, empty.writer];
  return {
    fds,
    close: () => {
      closeAll(...Object.values(fds), ...extra);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function shutdownWriting(engine: Engine, fd: number): void {
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const atom = chain.atom('shutdown', [fd, 1]);
  engine.runChainSync(chain.first);
  if (atom.result.number !== 0) throw new Error(`shutdown: ${atom.result.number}`);
}
