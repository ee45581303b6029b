// Issue #8, load through the POSIX layer: SYSLET_LOAD_OPS mixed requests (default 100k; 1M for
// the full figure) across 64 files and 8 socketpairs — cached aio_reads, aio_writes, aio_fsyncs
// (barriers), cancels of queued stream reads, and file.readAll plugin chains on the same engine —
// with up to 256 aiocbs in flight. Every request carries its id as sigev_value with SIGEV_THREAD:
// each must be notified exactly once, reach its final status (cancelled ones ECANCELED/-1), and
// RSS must stay bounded once warm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aioConfig, Aiocb, aio_cancel, aio_error, aio_fsync, aio_read, aio_return, aio_suspend, aio_write, aioEngine, errno, errnoName,
  AIO_CANCELED, EAGAIN, ECANCELED, EINPROGRESS, O_DSYNC, SIGEV_THREAD,
} from '../index.js';
import { fileReadAll, READ_ALL } from '../plugins/builtin/file.js';
import { closeAll, rawWrite, socketpair, SOCK_DGRAM } from './aio-fixture.js';

const OPS = Number(process.env.SYSLET_LOAD_OPS ?? 100_000);
const FILES = 64;
const PAIRS = 8;
const WINDOW = 256;
const PLUGINS_IN_FLIGHT = 8;

test(`${OPS} mixed POSIX requests and plugin chains: each completes and is notified exactly once, cancels accounted, RSS bounded`, async (t) => {
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'syslet-aio-load-'));
  const fds = Array.from({ length: FILES }, (_, i) => {
    const fd = openSync(join(dir, `f${i}`), 'w+');
    writeSync(fd, Buffer.alloc(65536, i));
    return fd;
  });
  const pairs = Array.from({ length: PAIRS }, () => socketpair(SOCK_DGRAM));
  t.after(() => {
    closeAll(...fds);
    for (const [a, b] of pairs) closeAll(a, b);
    rmSync(dir, { recursive: true, force: true });
  });
  const engine = aioEngine();
  const notified = new Uint8Array(OPS);
  const onNotify = (value: number | bigint): void => {
    const id = Number(value);
    notified[id] = (notified[id] as number) + 1;
  };
  interface Slot {
    cb: Aiocb;
    id: number;
    kind: string;
    cancelled: boolean;
  }
  const free: Slot[] = Array.from({ length: WINDOW }, () => ({ cb: new Aiocb({ aio_buf: Buffer.alloc(4096), aio_sigevent: { sigev_notify: SIGEV_THREAD, sigev_notify_function: onNotify } }), id: -1, kind: '', cancelled: false }));
  const busy = new Set<Slot>();
  const blockedFds = new Set<number>();
  const blockedBy = new Map<Slot, number>();
  const counts: Record<string, number> = {};
  const finals: Record<string, number> = {};
  let submitted = 0;
  let finished = 0;
  let refused = 0;
  let cancelled = 0;
  let pluginsInFlight = 0;
  let pluginsDone = 0;
  const path = engine.alloc(256);
  path.bytes.set(Buffer.from(`${join(dir, 'f1')}\0`));
  const pluginBufs = Array.from({ length: PLUGINS_IN_FLIGHT }, () => engine.alloc(65536));
  const finish = (slot: Slot): void => {
    const status = aio_error(slot.cb);
    const key = `${slot.kind}:${status === 0 ? 'OK' : errnoName(status)}`;
    finals[key] = (finals[key] ?? 0) + 1;
    if (slot.cancelled) assert.ok(status === ECANCELED && aio_return(slot.cb) === -1, `cancelled request ${slot.id}: ${errnoName(status)}`);
    else assert.equal(status, 0, `${slot.kind} ${slot.id}: ${errnoName(status)}`);
    busy.delete(slot);
    const blockedFd = blockedBy.get(slot);
    if (blockedFd !== undefined) {
      blockedBy.delete(slot);
      blockedFds.delete(blockedFd);
    }
    free.push(slot);
    finished++;
  };
  const submit = (slot: Slot, kind: string, fd: number, call: () => number): boolean => {
    slot.id = submitted;
    slot.kind = kind;
    slot.cancelled = false;
    slot.cb.aio_fildes = fd;
    slot.cb.aio_sigevent.sigev_value = slot.id;
    if (call() !== 0) {
      assert.equal(errno(), EAGAIN, `${kind}: ${errnoName(errno())}`);
      refused++;
      return false;
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    busy.add(slot);
    submitted++;
    return true;
  };
  const reap = (): number => {
    let reaped = 0;
    for (const slot of [...busy]) {
      if (aio_error(slot.cb) !== EINPROGRESS && notified[slot.id] === 1) {
        finish(slot);
        reaped++;
      }
    }
    return reaped;
  };
  const pending: Promise<void>[] = [];
  // Start the whole pool before measuring: the engine grows it only as far as the workload needs
  // (CPU-bound phases run on as many threads as cores), so a later blocking phase may start more
  // threads, each a few tens of MiB under tsx. Bounded means no growth beyond a full pool.
  await engine.warm(aio_init_threads());
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssWarm = 0;
  let rssPeak = 0;
  const started = performance.now();
  let turn = 0;
  while (submitted < OPS) {
    while (submitted < OPS && free.length >= 2) {
      const k = (submitted * 7919) % 100;
      if (k < 3 && pluginsInFlight < PLUGINS_IN_FLIGHT) {
        // A file.readAll chain on the POSIX engine: it counts as a request too.
        const buf = pluginBufs[pluginsInFlight] as ReturnType<typeof engine.alloc>;
        pluginsInFlight++;
        const id = submitted++;
        counts.readAll = (counts.readAll ?? 0) + 1;
        pending.push(fileReadAll.run(engine, { path: path.start, buf: buf.start, chunk: 16384, chunks: 4 }).then((result) => {
          assert.equal(result.atoms[READ_ALL.total]?.result, 65536);
          notified[id] = (notified[id] as number) + 1;
          pluginsInFlight--;
          pluginsDone++;
        }));
        continue;
      }
      const slot = free.pop() as Slot;
      const fd = fds[submitted % FILES] as number;
      slot.cb.aio_offset = 4096 * (submitted % 16);
      if (k < 58) submit(slot, 'read', fd, () => aio_read(slot.cb));
      else if (k < 83) submit(slot, 'write', fd, () => aio_write(slot.cb));
      else if (k < 93) submit(slot, 'fsync', fd, () => aio_fsync(O_DSYNC, slot.cb));
      else {
        // Two stream reads on an idle socket: the first blocks on a cachemiss thread, the second
        // waits in the fd's FIFO and is cancelled; then one datagram completes the first.
        const pair = pairs[submitted % PAIRS] as [number, number];
        if (blockedFds.has(pair[0])) {
          submit(slot, 'read', fd, () => aio_read(slot.cb));
          continue;
        }
        const second = free.pop() as Slot;
        slot.cb.aio_offset = 0;
        second.cb.aio_offset = 0;
        if (!submit(slot, 'blocked', pair[0], () => aio_read(slot.cb))) {
          free.push(second);
          continue;
        }
        blockedFds.add(pair[0]);
        blockedBy.set(slot, pair[0]);
        if (!submit(second, 'queued', pair[0], () => aio_read(second.cb))) continue;
        const answer = aio_cancel(pair[0], second.cb);
        if (answer === AIO_CANCELED) {
          second.cancelled = true;
          cancelled++;
        }
        rawWrite(pair[1], Buffer.alloc(1, 0x61));
        if (answer !== AIO_CANCELED) rawWrite(pair[1], Buffer.alloc(1, 0x62));
      }
    }
    if (++turn % 4 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (reap() === 0 && busy.size > 0) aio_suspend([...busy].map((slot) => slot.cb), { tv_sec: 0, tv_nsec: 20_000_000 });
    if (rssWarm === 0 && submitted >= OPS / 10) rssWarm = process.memoryUsage().rss;
    if (submitted % 8192 < 64) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }
  const deadline = performance.now() + 30_000;
  while ((busy.size > 0 || pluginsInFlight > 0) && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    // (Completions of chains finished on cachemiss threads after a blocking wait are not delivered
    // to the event loop by themselves: BUG in reliability-aio-bugs.test.ts; pump by hand.)
    engine.pump();
    if (reap() === 0 && busy.size > 0) aio_suspend([...busy].map((slot) => slot.cb), { tv_sec: 0, tv_nsec: 20_000_000 });
  }
  await Promise.all(pending);
  await new Promise((resolve) => setImmediate(resolve));
  const seconds = (performance.now() - started) / 1000;
  const rssAfter = process.memoryUsage().rss;
  let missing = 0;
  let duplicated = 0;
  for (let id = 0; id < submitted; id++) {
    if (notified[id] === 0) missing++;
    else if ((notified[id] as number) > 1) duplicated++;
  }
  t.diagnostic(`${submitted} requests in ${seconds.toFixed(1)} s (${Math.round(submitted / seconds)}/s): ${JSON.stringify(counts)}; finals ${JSON.stringify(finals)}; ${cancelled} cancelled; ${pluginsDone} readAll chains; ${refused} EAGAIN refusals; missing ${missing}, duplicated ${duplicated}; RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB before, ${(rssWarm / 2 ** 20).toFixed(1)} warm, ${(rssPeak / 2 ** 20).toFixed(1)} peak, ${(rssAfter / 2 ** 20).toFixed(1)} after`);
  assert.equal(busy.size, 0, 'every request reached its final status');
  assert.equal(submitted, OPS);
  assert.equal(finished + pluginsDone, OPS);
  assert.equal(missing, 0);
  assert.equal(duplicated, 0);
  assert.ok(cancelled > 0, 'some queued requests were cancelled');
  assert.ok(rssAfter - rssWarm < 128 * 2 ** 20, `RSS grew by ${((rssAfter - rssWarm) / 2 ** 20).toFixed(1)} MiB after warm-up`);
});

/** The POSIX pool's thread bound (glibc's aio_threads default, or what aio_init set). */
function aio_init_threads(): number {
  return aioConfig().aio_threads;
}
