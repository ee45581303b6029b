/**
 * notify.signal delivers a real signal: rt_tgsigqueueinfo to this process's JavaScript thread
 * with si_code SI_ASYNCIO, received by a Node 'SIGUSR2' handler. Composed after aio.read it is the
 * "enclosing sys_kill()" of Ingo's 2007 mail: when the handler runs, the read's status is already
 * published. (si_code and si_value are checked through a signalfd by the POSIX layer's tests; a
 * Node handler does not see the siginfo.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { syscall } from '../engine/native/index.js';
import { aioRead, composePlugins, notifySignal } from '../plugins/index.js';
import { tempDir } from './plugin-fixture.js';
import { NR } from '../engine/syscalls/nr.js';

const SYS_gettid = NR.gettid;
const SIGUSR2 = 12;

/** Resolves on the next SIGUSR2, with whatever `probe` reads at that moment. */
function nextSignal<T>(probe: () => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.removeListener('SIGUSR2', onSignal);
      reject(new Error('no SIGUSR2 within 5 s'));
    }, 5000);
    const onSignal = (): void => {
      clearTimeout(timer);
      process.removeListener('SIGUSR2', onSignal);
      resolve(probe());
    };
    process.on('SIGUSR2', onSignal);
  });
}

test('notify.signal queues a signal that a Node handler receives; another pid is refused', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const tid = syscall(SYS_gettid);
  const received = nextSignal(() => true);
  const outcome = await notifySignal.run(engine, { pid: process.pid, tid, signo: SIGUSR2, value: 42, uid: process.getuid?.() ?? 0 });
  assert.equal(outcome.atoms[0]?.result, 0);
  assert.equal(await received, true);

  const other = await notifySignal.run(engine, { pid: 1, tid: 1, signo: SIGUSR2, value: 0, uid: 0 });
  assert.equal(other.atoms[0]?.errno, 'EPERM', 'signals may only target this process');
});

test('aio.read + notify.signal: the signal arrives after the status is published', async (t) => {
  const { dir, cleanup } = tempDir('notify');
  const engine = new Engine();
  const path = join(dir, 'f');
  writeFileSync(path, 'abcdefgh');
  const fd = openSync(path, 'r');
  t.after(async () => {
    closeSync(fd);
    await engine.close();
    cleanup();
  });
  const readThenSignal = composePlugins('test.readThenSignal', [aioRead, notifySignal]);
  assert.deepEqual(readThenSignal.calls, ['pread64', 'aio_status', 'rt_tgsigqueueinfo']);
  const memory = engine.alloc(4096);
  const status = { error: memory.start + 1024, value: memory.start + 1032 };
  memory.view.setInt32(1024, 115, true); // EINPROGRESS until the chain publishes
  const seen = nextSignal(() => ({ error: memory.view.getInt32(1024, true), value: Number(memory.view.getBigInt64(1032, true)) }));
  const outcome = await readThenSignal.run(engine, {
    fd, buf: memory.start, nbytes: 8, offset: 0, error_code: status.error, return_value: status.value, width: 8,
    pid: process.pid, tid: syscall(SYS_gettid), signo: SIGUSR2, value: 7, uid: 0,
  });
  assert.equal(outcome.atoms[2]?.result, 0);
  assert.deepEqual(await seen, { error: 0, value: 8 });
  assert.equal(Buffer.from(memory.bytes.subarray(0, 8)).toString(), 'abcdefgh');
});
