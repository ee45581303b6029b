/**
 * A cachemiss thread is a small executor: it must not reserve the address space of a full Node
 * isolate. Each one is a `worker_threads` Worker started with Node's default resource limits,
 * which reserves about 650-780 MB of virtual memory (V8's 128 MB code range, the heap's
 * reservation, a malloc arena): measured by hunt19, 743 -> 1,522 -> 2,174 MB of VmSize for
 * the first two plain Workers; with `resourceLimits: { codeRangeSizeMb: 8,
 * maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 }` about 84 MB each after the first.
 *
 * Why it matters: under an address-space limit (`ulimit -v`, `prlimit --as`, a container's
 * RLIMIT_AS) of 2 GiB, the packed package's first blocking call aborted the process with V8's
 * "Fatal process OOM in Failed to reserve virtual memory for CodeRange" (exit 133): a FIFO read
 * through syslet-aio/fs on io_uring, any first call on the threads engine (up to 2.8 GiB),
 * where the same program on node:fs/promises runs. (V8 makes a failed isolate reservation
 * fatal, so nothing above the pool can catch it.) A child under `prlimit --as` cannot be the
 * test: tsx's WebAssembly needs ~10 GiB of address space of its own.
 *
 * Fixed by the coordinator: the threads the library starts (cachemiss threads, the fd waker) get
 * `resourceLimits: { codeRangeSizeMb: 16 }` (THREAD_RESOURCE_LIMITS): 593 -> 97 MB of VmSize
 * per cachemiss thread; the packed package's FIFO read and readFile under `prlimit --as=2GiB`
 * ran on both engines (the threads engine aborted with exit 133 before).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine } from '../engine/engine.js';

const THREADS = 4;
/** Address space a cachemiss thread may reserve: well under a default isolate's ~650 MB. */
const PER_THREAD_LIMIT_MB = 200;

function vmSizeMb(): number {
  const match = /VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  assert.ok(match, 'VmSize in /proc/self/status');
  return Number(match[1]) / 1024;
}

test('cachemiss threads reserve at most 200 MB of address space each', { timeout: 60_000 }, async () => {
  const engine = new Engine({ engine: 'threads', threads: THREADS, minThreads: 0 });
  try {
    // One thread first, so that what any first Worker costs the process once (the platform's
    // shared structures) is not counted against the others.
    await engine.warm(1);
    const before = vmSizeMb();
    await engine.warm(THREADS);
    assert.equal(engine.threads, THREADS, 'the pool started its threads');
    const perThread = (vmSizeMb() - before) / (THREADS - 1);
    assert.ok(perThread <= PER_THREAD_LIMIT_MB, `each cachemiss thread reserved ${perThread.toFixed(0)} MB of address space (limit ${PER_THREAD_LIMIT_MB} MB)`);
  } finally {
    await engine.close();
  }
});
