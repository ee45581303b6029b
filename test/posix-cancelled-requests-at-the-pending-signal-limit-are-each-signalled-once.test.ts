// 200 SIGEV_SIGNAL reads queued on one pipe (one running on a thread, 199 queued behind it), the
// pending-signal limit then lowered to 4 above the user's queued signals (RLIMIT_SIGPENDING), and
// aio_cancel(fd, NULL): 199 cancelled (ECANCELED) and the running one left to end when a byte
// arrives. glibc signals each of the 200 once. Each cancellation's signal is refused at the limit
// and queued again once room is made (posix-sigev-signal-at-the-pending-signal-limit-...); the
// running read's signal, refused on its thread while the event loop was draining the queue, found
// nothing of ours pending any more and gave up: on the io_uring engine that read ended EAGAIN and
// without its signal, 3 of 3 runs (199 signals). Now a refused signal is sent once more before any
// room is made: 200 signals, each once, on both engines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, helperUrl } from './helpers/child.js';
import { hasGcc } from './helpers/posix-os.js';

const NATIVE = new URL('../engine/native/index.ts', import.meta.url).href;

const CHILD = (impl: string): string => `
import { readFileSync } from 'node:fs';
import { allocNative, syscall } from ${JSON.stringify(NATIVE)};
import { implementation } from ${JSON.stringify(helperUrl('posix-impl'))};
import { pipe } from ${JSON.stringify(helperUrl('posix-os'))};
const impl = await implementation(${JSON.stringify(impl)});
const k = impl.constants;
const [reader, writer] = pipe();
const signo = k.SIGRTMIN + 2;
const catcher = impl.catchSignal(signo, { restart: true });
const COUNT = 200;
const cbs = Array.from({ length: COUNT }, (_, i) => impl.aiocb({ aio_fildes: reader, aio_buf: impl.buffer(8), aio_nbytes: 8, aio_sigevent: { sigev_notify: k.SIGEV_SIGNAL, sigev_signo: signo, sigev_value: i } }));
for (const cb of cbs) if (impl.aio_read(cb) !== 0) throw new Error('aio_read');
// Let the first read start on its thread.
await new Promise((resolve) => setTimeout(resolve, 300));
const queued = Number(/SigQ:\\s+(\\d+)\\//.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
const limit = allocNative(16, 8);
new DataView(limit.buffer).setBigUint64(0, BigInt(queued + 4), true);
new DataView(limit.buffer).setBigUint64(8, BigInt(queued + 4), true);
if (syscall(302, 0, 11, limit.address, 0) !== 0) throw new Error('prlimit64');
const cancelled = impl.aio_cancel(reader, null);
syscall(1, writer, allocNative(8, 8).address, 8);
for (const cb of cbs) for (let t = 0; impl.aio_error(cb) === 115 && t < 100; t++) impl.aio_suspend([cb], 1, { tv_sec: 0, tv_nsec: 20e6 });
await new Promise((resolve) => setTimeout(resolve, 200));
const received = await catcher.waitFor(COUNT, 2000);
const times = new Map();
for (const info of received) times.set(Number(info.value), (times.get(Number(info.value)) ?? 0) + 1);
const ended = {};
for (const cb of cbs) { const error = impl.aio_error(cb); ended[error] = (ended[error] ?? 0) + 1; }
process.stdout.write(JSON.stringify({ cancelled, ended, signals: received.length, distinct: times.size, twice: [...times.values()].filter((n) => n > 1).length }));
process.exit(0);
`;

interface Outcome { cancelled: number; ended: Record<string, number>; signals: number; distinct: number; twice: number }

async function run(impl: 'glibc' | 'syslet', engine?: 'threads'): Promise<Outcome> {
  const result = await runChild(CHILD(impl), 60_000, { env: { SYSLET_AIO_ENGINE: engine ?? '' } });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Outcome;
}

const EXPECTED: Outcome = { cancelled: 1, ended: { 0: 1, 125: 199 }, signals: 200, distinct: 200, twice: 0 };

test('glibc (the reference): 199 cancelled, 1 read, 200 signals once each', async (t) => {
  if (!hasGcc()) return t.skip('gcc is not installed: the C signal handler the glibc side needs cannot be built');
  assert.deepEqual(await run('glibc'), EXPECTED);
});

for (const engine of [undefined, 'threads'] as const) {
  test(`${engine ?? 'io_uring'} engine: the same`, async () => {
    assert.deepEqual(await run('syslet', engine), EXPECTED);
  });
}
