// Issue #8, faults: EINTR during aio_suspend and lio_listio(LIO_WAIT) with the signal delivered
// *while the JS thread is blocked* (aio-suspend.test.ts and lio-listio.test.ts raise it before the
// call, so it is already pending). A child process (perl: its syscall builtin has tgkill) sends
// signal 40 to the JS thread 300 ms after it is spawned; the JS thread is by then blocked in the
// call. As a safety net the child writes to the socket the request waits on 5 s later, so a
// missed signal fails the test instead of hanging it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, errno, lio_listio, receiveSignals, EINPROGRESS, EINTR, LIO_READ, LIO_WAIT } from '../index.js';
import { syscall } from '../engine/native/index.js';
import { closeAll, rawWrite, socketpair, SOCK_DGRAM } from './aio-fixture.js';
import { NR } from '../engine/syscalls/nr.js';

const SIGNO = 40;
const SYS_gettid = NR.gettid;
const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

/** Spawn the signaller: tgkill(pid, JS tid, 40) after `delayMs`, then write 'late' to fd 3 after 5 s. */
function signaller(peer: number, delayMs: number): void {
  const script = `select(undef,undef,undef,${delayMs / 1000}); syscall(234, ${process.pid}, ${syscall(SYS_gettid)}, ${SIGNO}); select(undef,undef,undef,5); open(my $s, '>&=', 3); syswrite($s, 'late');`;
  const child = spawn('perl', ['-e', script], { stdio: ['ignore', 'ignore', 'inherit', peer], detached: false });
  child.unref();
}

function wait(cb: Aiocb, peer: number): void {
  rawWrite(peer, Buffer.from('late')); // (the child's own safety write may land later: harmless)
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], { tv_sec: 1, tv_nsec: 0 });
}

test('aio_suspend blocked with no timeout returns -1/EINTR when a received signal arrives mid-wait; its handler ran; the request goes on', { skip: hasPerl ? false : 'no perl' }, () => {
  const [a, peer] = socketpair(SOCK_DGRAM);
  const seen: number[] = [];
  const receiver = receiveSignals(SIGNO, (info) => seen.push(info.signo));
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    assert.equal(aio_read(cb), 0);
    signaller(peer, 300);
    const result = aio_suspend([cb], null);
    assert.equal(result, -1);
    assert.equal(errno(), EINTR);
    assert.deepEqual(seen, [SIGNO], 'the handler ran inside the interrupted call');
    assert.equal(aio_error(cb), EINPROGRESS, 'the request goes on');
    wait(cb, peer);
    assert.equal(aio_return(cb), 4);
  } finally {
    receiver.dispose();
    closeAll(a, peer);
  }
});

test('aio_suspend with a timeout is interrupted too (EINTR, not EAGAIN)', { skip: hasPerl ? false : 'no perl' }, () => {
  const [a, peer] = socketpair(SOCK_DGRAM);
  const receiver = receiveSignals(SIGNO, () => undefined);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    aio_read(cb);
    signaller(peer, 300);
    assert.equal(aio_suspend([cb], { tv_sec: 4, tv_nsec: 0 }), -1);
    assert.equal(errno(), EINTR);
    wait(cb, peer);
  } finally {
    receiver.dispose();
    closeAll(a, peer);
  }
});

test('lio_listio(LIO_WAIT) blocked on an entry returns -1/EINTR when a received signal arrives mid-wait; the entries go on', { skip: hasPerl ? false : 'no perl' }, () => {
  const [a, peer] = socketpair(SOCK_DGRAM);
  const seen: number[] = [];
  const receiver = receiveSignals(SIGNO, (info) => seen.push(info.signo));
  try {
    const blocked = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ });
    signaller(peer, 300);
    assert.equal(lio_listio(LIO_WAIT, [blocked], 1, null), -1);
    assert.equal(errno(), EINTR);
    assert.deepEqual(seen, [SIGNO]);
    assert.equal(aio_error(blocked), EINPROGRESS);
    wait(blocked, peer);
    assert.equal(aio_return(blocked), 4);
  } finally {
    receiver.dispose();
    closeAll(a, peer);
  }
});
