// Issue #8, bad input everywhere, POSIX layer: every exported POSIX function and Promise twin given
// wrong types, NaN, negative, huge numbers and detached buffers → a typed error naming the field,
// or -1 with the POSIX errno (never a crash, never a throw from a C-style function). The table
// of what each gives is in docs/reliability.md ("POSIX layer: bad input").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Aiocb, aio, aio_cancel, aio_error, aio_fsync, aio_init, aio_read, aio_return, aio_suspend, aio_write, errno, lio_listio, receiveSignals,
  sysconf, submitRaw, AioError, AIO_ALLDONE, EBADF, EINVAL, LIO_NOWAIT, LIO_WAIT, O_SYNC,
} from '../index.js';
import { tempDir, fileWith, closeAll } from './aio-fixture.js';

const JUNK: unknown[] = [undefined, null, 'x', '3', {}, [], () => 0, Symbol('s'), 5n, Number.NaN, -1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY];
const BAD_INTS: unknown[] = [Number.NaN, 1.5, -0.5, Number.POSITIVE_INFINITY, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, '3', null, {}, 3n];
const name = (value: unknown): string => (typeof value === 'symbol' ? 'symbol' : typeof value === 'function' ? 'function' : Array.isArray(value) ? '[]' : String(value));

function detached(size = 64): Buffer {
  const backing = new ArrayBuffer(size);
  const view = Buffer.from(backing);
  structuredClone(backing, { transfer: [backing] });
  return view;
}

function minusOne(call: () => unknown, wanted: number, label: string): void {
  let result: unknown;
  assert.doesNotThrow(() => {
    result = call();
  }, label);
  assert.equal(result, -1, label);
  assert.equal(errno(), wanted, `${label}: errno`);
}

test('Aiocb fields: wrong types and out-of-range numbers are TypeError/RangeError naming the field', () => {
  const fields: Record<string, unknown[]> = {
    aio_fildes: BAD_INTS,
    aio_reqprio: BAD_INTS,
    aio_lio_opcode: BAD_INTS,
    aio_nbytes: [Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53, '16', null, 16n],
    aio_offset: [Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53, 2n ** 64n, -(2n ** 63n) - 1n, 'x', null],
    aio_buf: [Number.NaN, 1.5, 2 ** 53, 2n ** 64n, -(2n ** 63n) - 1n, 'x', {}, [], new ArrayBuffer(8)],
    aio_sigevent: [null, 'x', 5],
  };
  for (const [field, values] of Object.entries(fields)) {
    for (const value of values) {
      // (new Aiocb({ aio_sigevent: null }) takes null as "omitted": SIGEV_NONE.)
      if (!(field === 'aio_sigevent' && value === null)) assert.throws(() => new Aiocb({ [field]: value }), (error: unknown) => (error instanceof TypeError || error instanceof RangeError) && error.message.includes(field), `new Aiocb({ ${field}: ${name(value)} })`);
      const cb = new Aiocb();
      assert.throws(() => {
        (cb as unknown as Record<string, unknown>)[field] = value;
      }, (error: unknown) => (error instanceof TypeError || error instanceof RangeError) && error.message.includes(field), `cb.${field} = ${name(value)}`);
    }
  }
  for (const [field, value] of [['sigev_notify', Number.NaN], ['sigev_signo', 2 ** 40], ['sigev_value', 2n ** 64n], ['sigev_notify_function', 5], ['sigev_notify_attributes', 'x']] as const) {
    assert.throws(() => new Aiocb({ aio_sigevent: { [field]: value } }), (error: unknown) => error instanceof Error && error.message.includes(field), `sigevent ${field}`);
  }
  // Accepted as stored values, refused at submission: negative aio_nbytes, aio_offset, aio_reqprio.
  const cb = new Aiocb({ aio_nbytes: -1, aio_offset: -1, aio_reqprio: -1 });
  assert.equal(cb.aio_nbytes, -1);
  assert.equal(cb.aio_offset, -1);
});

test('aio_read/aio_write/aio_fsync/aio_error/aio_return/aio_cancel: non-Aiocbs and bad numbers are -1 with EINVAL/EBADF', () => {
  for (const value of JUNK) {
    minusOne(() => aio_read(value as never), EINVAL, `aio_read(${name(value)})`);
    minusOne(() => aio_write(value as never), EINVAL, `aio_write(${name(value)})`);
    minusOne(() => aio_fsync(O_SYNC, value as never), EINVAL, `aio_fsync(O_SYNC, ${name(value)})`);
    minusOne(() => aio_fsync(value as never, new Aiocb()), EINVAL, `aio_fsync(${name(value)}, cb)`);
    minusOne(() => aio_error(value as never), EINVAL, `aio_error(${name(value)})`);
    minusOne(() => aio_return(value as never), EINVAL, `aio_return(${name(value)})`);
    // (2^53 and 2^32 are a BUG: see reliability-aio-bugs.test.ts.)
    if (value !== 2 ** 53) minusOne(() => aio_cancel(value as never, null), EBADF, `aio_cancel(${name(value)}, null)`);
  }
  const dir = tempDir();
  const file = fileWith(dir, 'f', 'hello');
  try {
    for (const value of ['x', {}, 5, Symbol('s')]) minusOne(() => aio_cancel(file.fd, value as never), EINVAL, `aio_cancel(fd, ${name(value)})`);
    assert.equal(aio_cancel(file.fd, undefined), AIO_ALLDONE);
    // Out-of-range values that the setters accept are refused at submission.
    minusOne(() => aio_read(new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8), aio_reqprio: 21 })), EINVAL, 'aio_reqprio 21');
    minusOne(() => aio_read(new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8), aio_nbytes: 9 })), EINVAL, 'aio_nbytes > buffer');
    minusOne(() => aio_read(new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8), aio_nbytes: -1 })), EINVAL, 'negative aio_nbytes');
    minusOne(() => aio_fsync(O_SYNC, new Aiocb({ aio_fildes: 0x7fff_ffff })), EBADF, 'aio_fsync on a huge fd');
  } finally {
    closeAll(file.fd);
    dir.cleanup();
  }
});

test('a detached buffer: refused as aio_buf (RangeError), or a TypeError from the Promise twins; never a crash', async () => {
  const gone = detached();
  assert.equal(gone.byteLength, 0);
  let outcome: unknown = null;
  try {
    const cb = new Aiocb({ aio_fildes: -1, aio_buf: gone });
    outcome = aio_read(cb) === -1 ? errno() : aio_error(cb);
  } catch (error) {
    outcome = error;
  }
  assert.ok(outcome instanceof Error || typeof outcome === 'number', String(outcome));
  // Detached after it was given: the aiocb keeps the old address of memory that moved away.
  const backing = new ArrayBuffer(4096);
  const view = new Uint8Array(backing);
  const cb = new Aiocb({ aio_fildes: -1, aio_buf: view });
  const moved = structuredClone(backing, { transfer: [backing] });
  assert.equal(moved.byteLength, 4096);
  assert.doesNotThrow(() => aio_read(cb));
  for (let i = 0; i < 100 && aio_error(cb) === 115; i++) aio_suspend([cb], { tv_sec: 0, tv_nsec: 10_000_000 });
  assert.notEqual(aio_error(cb), 115);
  await assert.rejects(aio.read(-1, gone, 0), (error: unknown) => error instanceof Error);
});

test('aio_suspend/lio_listio: bad lists, nent, timeouts, modes and sigevents are -1/EINVAL', () => {
  const cb = new Aiocb();
  for (const list of ['x', 5, null, undefined, {}]) {
    minusOne(() => aio_suspend(list as never, null), EINVAL, `aio_suspend(${name(list)})`);
    minusOne(() => lio_listio(LIO_WAIT, list as never, null), EINVAL, `lio_listio(${name(list)})`);
  }
  for (const nent of [-1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
    minusOne(() => aio_suspend([cb], nent, null), EINVAL, `aio_suspend nent ${nent}`);
    minusOne(() => lio_listio(LIO_NOWAIT, [cb], nent, null), EINVAL, `lio_listio nent ${nent}`);
  }
  for (const timeout of [{ tv_sec: -1, tv_nsec: 0 }, { tv_sec: 0, tv_nsec: 1e9 }, { tv_sec: Number.NaN, tv_nsec: 0 }, { tv_sec: '1', tv_nsec: 0 }, { tv_sec: 1.5, tv_nsec: 0 }]) {
    minusOne(() => aio_suspend([cb], timeout as never), EINVAL, `timeout ${JSON.stringify(timeout)}`);
  }
  // aio_suspend(list, 'x') reads a non-number as the timeout: a string has no tv_sec → EINVAL.
  minusOne(() => aio_suspend([cb], 'x' as never), EINVAL, 'timeout "x"');
  for (const mode of [Number.NaN, -1, 2, '0', null]) minusOne(() => lio_listio(mode as never, [cb], null), EINVAL, `lio_listio mode ${name(mode)}`);
  minusOne(() => lio_listio(LIO_NOWAIT, [cb], 1, 'sig' as never), EINVAL, 'lio_listio sig "sig"');
  minusOne(() => lio_listio(LIO_WAIT, ['x', {}] as never, null), EINVAL, 'lio_listio with non-aiocb entries (nothing queued)');
  minusOne(() => aio_suspend(['x'] as never, null), EINVAL, 'aio_suspend with a non-aiocb entry');
});

test('Promise twins: bad fds/positions/buffers reject with a typed error, never throw synchronously', async () => {
  const cases: [string, () => Promise<unknown>][] = [];
  for (const fd of [Number.NaN, 1.5, 2 ** 31, '3', null]) cases.push([`read fd ${name(fd)}`, () => aio.read(fd as never, Buffer.alloc(8), 0)]);
  for (const position of [Number.NaN, 1.5, 2 ** 53, 2n ** 64n, 'x']) cases.push([`read position ${name(position)}`, () => aio.read(-1, Buffer.alloc(8), position as never)]);
  for (const buffer of [null, 'x', 5, {}, new ArrayBuffer(8)]) cases.push([`write buffer ${name(buffer)}`, () => aio.write(-1, buffer as never, 0)]);
  cases.push(['read reqprio 99', () => aio.read(-1, Buffer.alloc(8), 0, { reqprio: 99 })]);
  cases.push(['read reqprio NaN', () => aio.read(-1, Buffer.alloc(8), 0, { reqprio: Number.NaN })]);
  cases.push(['read fd -1', () => aio.read(-1, Buffer.alloc(8), 0)]);
  for (const fd of [Number.NaN, 'x', -1, 2 ** 40]) cases.push([`fsync fd ${name(fd)}`, () => aio.fsync(fd as never)]);
  cases.push(['fsync op NaN', () => aio.fsync(-1, Number.NaN)]);
  for (const timeout of [-1, Number.NaN, { tv_sec: -1, tv_nsec: 0 }]) cases.push([`suspend timeout ${JSON.stringify(timeout)}`, () => aio.suspend([new Aiocb()], { timeout: timeout as never })]);
  cases.push(['suspend junk list entry', () => aio.suspend(['x'] as never)]);
  for (const [label, make] of cases) {
    let promise: Promise<unknown> | null = null;
    assert.doesNotThrow(() => {
      promise = make();
    }, label);
    await assert.rejects(promise as unknown as Promise<unknown>, (error: unknown) => error instanceof AioError || error instanceof TypeError || error instanceof RangeError, label);
  }
  // aio.suspend of an empty list resolves at once; aio.listio of junk entries rejects with EINVAL.
  await aio.suspend([]);
  await assert.rejects(aio.listio(['x', null] as never), (error: unknown) => error instanceof AioError && error.errno === -EINVAL);
});

test('aio_init/sysconf/receiveSignals/submitRaw: typed errors or documented sentinels', () => {
  for (const init of [null, 'x', 5]) assert.throws(() => aio_init(init as never), TypeError, `aio_init(${name(init)})`);
  for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 'x']) assert.throws(() => aio_init({ aio_idle_time: value as never }), /aio_idle_time/);
  for (const value of [Number.NaN, -1, 1.5, 'x', 99999]) assert.doesNotThrow(() => sysconf(value as never));
  for (const signo of [0, 9, 19, 65, Number.NaN, 1.5, '40']) assert.throws(() => receiveSignals(signo as never, () => undefined), RangeError, `receiveSignals(${name(signo)})`);
  assert.throws(() => receiveSignals(40, 'x' as never), TypeError);
  assert.equal(submitRaw({ op: 'nope' as never, fd: -1, errorCodeAddress: 0, returnValueAddress: 0, width: 8 }), -EINVAL);
  assert.equal(submitRaw({ op: 'read', fd: -1, errorCodeAddress: 0, returnValueAddress: 0, width: 3 as never }), -EINVAL);
  assert.equal(submitRaw({ op: 'read', fd: -1, reqprio: Number.NaN, errorCodeAddress: 0, returnValueAddress: 0, width: 8 }), -EINVAL);
  assert.equal(submitRaw({ op: 'read', fd: -1, errorCodeAddress: 4096, returnValueAddress: 4100, width: 8 }), -14);
  // (NaN addresses are a BUG: see reliability-aio-bugs.test.ts.)
});
