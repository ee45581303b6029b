// Differential: a canned chain's runs (Engine.submitCanned: the plan, engine/executor-canned.ts)
// answer what the same chain answers through the generic path (Engine.submit) and what the
// same pread64 answers made directly — bytes, results, the status aio_status publishes, and what
// the submission reports (last atom, atoms run, stop, executed mask) — over offsets and counts
// around the end of the file, a negative offset, a count of 0, and fds that refuse the read
// (none, a directory, a pipe, write-only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { aioRead } from '../plugins/builtin/aio.js';
import type { PluginInstance } from '../plugins/instance.js';
import { closeAll, freshFile, patternBytes, socketPair, tempDir, untilIdle } from './helpers/engine.js';

const SIZE = 10_000;

interface Lane {
  readonly instance: PluginInstance;
  readonly buffer: Uint8Array;
  readonly bufferAddress: number;
  readonly status: DataView;
  readonly statusAddress: number;
}

function lane(engine: Engine): Lane {
  const buffer = engine.memory.allocate(SIZE + 4096);
  const status = engine.memory.allocate(16);
  return { instance: aioRead.acquire(engine), buffer: buffer.bytes, bufferAddress: buffer.start, status: status.view, statusAddress: status.start };
}

test('canned runs of aio.read answer as generic runs and as the syscall made directly', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const dir = tempDir(t);
  const content = patternBytes(SIZE, 5);
  const file = openSync(freshFile(dir, 'data.bin', content), 'r');
  const writeOnly = openSync(join(dir, 'data.bin'), 'w');
  mkdirSync(join(dir, 'sub'));
  const directory = openSync(join(dir, 'sub'), 'r');
  const [socket, peer] = socketPair(engine);
  // No fd of this process (a closed number could be reused by the engine's own fds meanwhile).
  const closed = 1_000_000;
  t.after(() => closeAll(file, writeOnly, directory, socket, peer));
  const canned = lane(engine);
  const generic = lane(engine);
  const direct = engine.memory.allocate(SIZE + 4096);
  const cases: [string, number, number, number][] = [];
  for (const offset of [0, 1, 4095, 4096, SIZE - 100, SIZE - 1, SIZE, SIZE + 4096]) {
    for (const nbytes of [1, 100, 4096, SIZE]) cases.push([`file @${offset} ×${nbytes}`, file, offset, nbytes]);
  }
  cases.push(['count 0', file, 0, 0], ['negative offset', file, -1, 10], ['closed fd', closed, 0, 10], ['directory', directory, 0, 10], ['socket', socket, 0, 10], ['write-only fd', writeOnly, 0, 10]);
  // Every case twice over: the second time the plan (and the remembered checks) are reused.
  for (const [name, fd, offset, nbytes] of [...cases, ...cases]) {
    const answers = [canned, generic].map((which) => {
      which.buffer.fill(0xee);
      which.instance.setParams({ fd, buf: which.bufferAddress, nbytes, offset, error_code: which.statusAddress, return_value: which.statusAddress + 8, width: 8 });
      which.instance.reset();
      const submitted = which === canned ? engine.submitCanned(which.instance.canned, null) : engine.submit(which.instance.first, null);
      const report = { ...engine.lastSubmit };
      // A read of 0 bytes is not probed: it goes to the ring or a thread, on both paths.
      if (submitted === 0) untilIdle(engine);
      return {
        submitted: submitted > 0 ? submitted - which.instance.first : submitted, atoms: report.atoms, stop: report.stop, executed: report.executed,
        results: [which.instance.result(0), which.instance.result(1)],
        status: [which.status.getInt32(0, true), which.status.getBigInt64(8, true)],
        bytes: Buffer.from(which.buffer.subarray(0, Math.max(0, nbytes))).toString('hex'),
      };
    });
    assert.deepEqual(answers[0], answers[1], `${name}: canned and generic runs agree`);
    direct.bytes.fill(0xee);
    const made = syscall(NR.pread64, fd, direct.start, nbytes, offset);
    assert.equal(answers[0]?.results[0], made, `${name}: the read answered as pread64 made directly`);
    assert.equal(answers[0]?.bytes, Buffer.from(direct.bytes.subarray(0, Math.max(0, nbytes))).toString('hex'), `${name}: the same bytes`);
    assert.equal(answers[0]?.status[0], made < 0 ? -made : 0, `${name}: aio_status published the errno`);
  }
  assert.equal(canned.instance.canned.count, 2, 'the canned lane ran through its plan');
});
