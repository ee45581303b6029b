/**
 * An entry a terminated worker left in the process-wide record of its engine's fds
 * (engine/native/thread-resources.ts) never closes a file that took its number since: the ring an
 * entry names is checked by its own inode, the eventfd by its `eventfd-id`, not only by kind.
 *
 * Why it matters: a worker's exit handlers are JavaScript, and worker.terminate() stops them
 * anywhere. The ring's release let go of its entry and then closed the fd; a worker terminated in
 * between left its ring open for good (session 25: one io_uring fd after the last worker, 1 CI run
 * of 4). Closing first and letting go after leaves, on such a termination, an entry whose number
 * is free: here the worker closes its ring and eventfd without letting go (what that termination
 * leaves), this thread puts a ring and an eventfd of its own at those numbers, and the record is
 * released once the worker has ended. Without the identity check both of this thread's files were
 * closed. The worker's ring mappings, which keep its ring alive after the fd's close, are unmapped
 * (they were never found before: recorded by their byte size, listed by whole pages).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fstatSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { identityOf, releaseResourcesOfEndedThreads, setupRing, syscall, THREAD_RESOURCE, type RingMapping } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { EFD_CLOEXEC, O_CLOEXEC } from '../engine/syscalls/constants.generated.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function eventfdId(fd: number): string | undefined {
  return /^eventfd-id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'))?.[1];
}

test('entries a terminated worker left never close a ring or an eventfd that took their numbers', { timeout: 60_000 }, async (t) => {
  const probe = syscall(NR.eventfd2, 0, EFD_CLOEXEC);
  const hasEventfdId = eventfdId(probe) !== undefined;
  syscall(NR.close, probe);

  const source = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const { tsImport } = await import('tsx/esm/api');
      const N = await tsImport(${JSON.stringify(`${ROOT}engine/native/index.ts`)}, ${JSON.stringify(ROOT)});
      const ring = N.setupRing({ entries: 4, flags: 0 });
      if (typeof ring === 'number') throw new Error('setupRing ' + ring);
      // Without an eventfd-id an eventfd is let go before its close (closeHeld), so it is not left so.
      const eventfd = N.syscall(${NR.eventfd2}, 0, ${EFD_CLOEXEC});
      if (${JSON.stringify(hasEventfdId)}) N.holdForThisThread(N.THREAD_RESOURCE.eventfd, eventfd);
      // The ring's inode, asked before its close: its mappings name it in /proc/self/maps.
      const ino = N.identityOf(N.THREAD_RESOURCE.ring, ring.fd);
      // What a termination between the close and the letGo leaves: closed, still recorded (the
      // ring's mappings stay, so the ring itself lives on until the record is released).
      N.syscall(${NR.close}, ring.fd);
      N.syscall(${NR.close}, eventfd);
      parentPort.postMessage([ring.fd, eventfd, ino]);
    })().catch((error) => parentPort.postMessage('failed: ' + error.stack));
  `;
  const worker = new Worker(source, { eval: true });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const message = await new Promise<[number, number, number] | string>((resolve) => worker.once('message', resolve));
  assert.ok(Array.isArray(message), String(message));
  const [ringFd, eventFd, workerRingIno] = message;
  const workerRingMapped = (): number => readFileSync('/proc/self/maps', 'latin1').split('\n').filter((line) => line.split(/\s+/)[4] === String(workerRingIno)).length;
  assert.ok(workerRingMapped() >= 1, 'the worker\'s ring is still mapped after its fd was closed');
  await exited;

  // This thread's own ring and eventfd, at the numbers the worker's entries name.
  const mine = setupRing({ entries: 4, flags: 0 });
  assert.notEqual(typeof mine, 'number', 'io_uring_setup');
  const ring = mine as RingMapping;
  assert.ok(workerRingIno > 0, 'the worker\'s ring has an inode');
  t.after(() => ring.release());
  if (ring.fd !== ringFd) {
    assert.equal(syscall(NR.dup3, ring.fd, ringFd, O_CLOEXEC), ringFd);
  }
  const ringIno = fstatSync(ringFd).ino;
  const eventfd = syscall(NR.eventfd2, 0, EFD_CLOEXEC);
  if (eventfd !== eventFd) {
    assert.equal(syscall(NR.dup3, eventfd, eventFd, O_CLOEXEC), eventFd);
    syscall(NR.close, eventfd);
  }
  const myEventfdId = eventfdId(eventFd);
  t.after(() => syscall(NR.close, eventFd));

  const released = releaseResourcesOfEndedThreads();
  // The worker's ring mappings (still that ring's) were given back — matched on whole pages, as
  // the kernel maps them (before session 25 never: a 208-byte SQ ring is a 4 KiB line) — and its
  // closed fds, named by numbers that are this thread's files now, were left alone.
  assert.equal(workerRingMapped(), 0, `the worker's ring is unmapped (released ${released})`);
  assert.equal(fstatSync(ringFd).ino, ringIno, 'this thread\'s ring at the worker\'s old number is still open');
  assert.equal(identityOf(THREAD_RESOURCE.ring, ringFd), ringIno);
  if (hasEventfdId) assert.equal(eventfdId(eventFd), myEventfdId, 'this thread\'s eventfd at the worker\'s old number is still open');
  else t.diagnostic('this kernel shows no eventfd-id: the eventfd keeps the let-go-first order, only the ring is checked');
  if (ring.fd !== ringFd) syscall(NR.close, ringFd);
});
