/**
 * SIGEV_SIGNAL: a real queued signal sent by the chain (notify.signal composed last), received
 * with receiveSignals: si_code SI_ASYNCIO, si_value = sigev_value (a pointer: the aiocb's
 * address), the final status visible inside the handler; inline and cachemiss completions,
 * cancelled requests, and lio_listio's list signal. Checklist items 21, 25, 26, 29, 57.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Aiocb, aio_read, aio_cancel, aio_error, aio_return, aio_suspend, lio_listio, receiveSignals, type AioSignalInfo, AIO_CANCELED,
  ECANCELED, EINPROGRESS, LIO_NOWAIT, LIO_READ, SIGEV_SIGNAL, SIGRTMIN, SI_ASYNCIO,
} from '../index.js';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_DGRAM, tempDir } from './aio-fixture.js';
import { evictFromPageCache } from './helpers/posix-os.js';

const dir = tempDir();
const file = fileWith(dir, 'f', pattern(4096), 'r');
test.after(() => {
  closeAll(file.fd);
  dir.cleanup();
});

const SIGNO = SIGRTMIN + 1;

function nextSignals(count: number, inside: (info: AioSignalInfo) => unknown = () => null): Promise<{ info: AioSignalInfo; seen: unknown }[]> {
  return new Promise((resolve) => {
    const got: { info: AioSignalInfo; seen: unknown }[] = [];
    const receiver = receiveSignals(SIGNO, (info) => {
      got.push({ info, seen: inside(info) });
      if (got.length === count) {
        receiver.dispose();
        resolve(got);
      }
    });
  });
}

test('an inline read sends SIGEV_SIGNAL with SI_ASYNCIO and sival_ptr = &aiocb; status final in the handler (items 21, 25, 26)', async () => {
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(100), aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO } });
  cb.aio_sigevent.sigev_value = cb.address;
  const received = nextSignals(1, () => [aio_error(cb), aio_return(cb)]);
  assert.equal(aio_read(cb), 0);
  const [first] = await received;
  assert.ok(first !== undefined);
  assert.equal(first.info.signo, SIGNO);
  assert.equal(first.info.code, SI_ASYNCIO);
  assert.equal(first.info.value, cb.address);
  assert.equal(first.info.pid, process.pid);
  assert.deepEqual(first.seen, [0, 100]);
});

test('a read completed on a cachemiss thread signals with its si_value (items 25, 29)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO, sigev_value: 0x1234 } });
    const received = nextSignals(1, () => aio_error(cb));
    assert.equal(aio_read(cb), 0);
    assert.equal(aio_error(cb), EINPROGRESS);
    rawWrite(b, Buffer.from('ping'));
    const [only] = await received;
    assert.equal(only?.info.code, SI_ASYNCIO);
    assert.equal(only?.info.value, 0x1234);
    assert.equal(only?.info.int, 0x1234);
    assert.equal(only?.seen, 0);
  } finally {
    closeAll(a, b);
  }
});

test('a cancelled request is notified by signal, with ECANCELED visible in the handler (items 26, 29; aio_cancel/3-1)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const running = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    const victim = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO } });
    victim.aio_sigevent.sigev_value = victim.address;
    const received = nextSignals(1, () => aio_error(victim));
    aio_read(running);
    aio_read(victim);
    assert.equal(aio_cancel(a, victim), AIO_CANCELED);
    const [only] = await received;
    assert.equal(only?.info.value, victim.address);
    assert.equal(only?.info.code, SI_ASYNCIO);
    assert.equal(only?.seen, ECANCELED);
    rawWrite(b, Buffer.from('x'));
    while (aio_error(running) === EINPROGRESS) aio_suspend([running], null);
  } finally {
    closeAll(a, b);
  }
});

test('lio_listio(LIO_NOWAIT) sends its list signal after the last entry, besides each entry\'s own (item 57; tst-aio4)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const entry = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ, aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO, sigev_value: 1 } });
    const other = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ, aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO, sigev_value: 2 } });
    const received = nextSignals(3, () => aio_error(entry));
    // The entries complete independently, and each signals as it completes: POSIX gives them no
    // order. The file read completes inline while its page is cached, but another process that
    // drops the page cache (a cold benchmark on the same machine) sends it to the io_uring ring or
    // a cachemiss thread, and the socket read, on a thread already started, signals first (the
    // likely cause of the one failure of this test under load, when it asserted [2, 1, 77]). The
    // page is dropped here so that a late entry is tested every time; only the list signal's place
    // is fixed.
    evictFromPageCache(file.fd);
    assert.equal(lio_listio(LIO_NOWAIT, [entry, other], 2, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGNO, sigev_value: 77 }), 0);
    rawWrite(b, Buffer.from('go'));
    const got = await received;
    const values = got.map((g) => g.info.value);
    assert.deepEqual(values.slice(0, 2).map(Number).sort((x, y) => x - y), [1, 2], 'each entry signals once');
    assert.equal(values[2], 77, 'the list signal comes after both entries\' own');
    assert.ok(got.every((g) => g.info.code === SI_ASYNCIO));
    assert.equal(got[2]?.seen, 0, 'every entry is final when the list signal arrives');
  } finally {
    closeAll(a, b);
  }
});
