// A canned chain's read that would block (its RWF_NOWAIT probe answers EAGAIN: the file's pages
// were pushed out with POSIX_FADV_DONTNEED) goes where the generic path sends it — into the
// io_uring ring, or to a cachemiss thread with SYSLET_AIO_ENGINE=threads — and the rest of the
// chain (aio_status) runs after it there: the listener hears of the chain exactly once, with the
// bytes read and the status published. The next run of the same chain, its pages now cached,
// ends inline through the plan, and the listener hears nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { aioRead } from '../plugins/builtin/aio.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const SIZE = 1 << 20;
const READ = 256 * 1024;
const POSIX_FADV_DONTNEED = 4;
const ATTEMPTS = 5;

test('a canned chain\'s read that would block is handed off, and its chain ends there once', (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const content = patternBytes(SIZE, 3);
  const fd = openSync(freshFile(tempDir(t), 'cold.bin', content), 'r');
  t.after(() => closeSync(fd));
  using advise = new ChainBuilder(engine.memory);
  const dropped = advise.atom('fadvise64', [fd, 0, 0, POSIX_FADV_DONTNEED]);
  const buffer = engine.memory.allocate(READ);
  const status = engine.memory.allocate(16);
  const instance = aioRead.acquire(engine);
  let heard = 0;
  let heardResult = 0;
  const listener = {
    chainDone(_last: number, result: number): void {
      heard++;
      heardResult = result;
    },
  };
  let offset = -1;
  for (let attempt = 0; attempt < ATTEMPTS && offset < 0; attempt++) {
    const at = attempt * READ;
    engine.runChainSync(advise.first);
    assert.equal(dropped.result.value, 0, 'fadvise(DONTNEED) answered 0');
    instance.setParams({ fd, buf: buffer.start, nbytes: READ, offset: at, error_code: status.start, return_value: status.start + 8, width: 8 });
    instance.reset();
    const submitted = engine.submitCanned(instance.canned, listener);
    if (submitted === 0) {
      offset = at;
      break;
    }
    // The kernel may serve an uncached RWF_NOWAIT read within the call: then it ended inline, correctly.
    assert.ok(submitted > 0, `submit answered ${submitted}`);
    assert.equal(instance.result(0), READ);
    assert.deepEqual(buffer.bytes, content.subarray(at, at + READ));
  }
  if (offset < 0) {
    t.skip(`the kernel served ${ATTEMPTS} uncached reads inline: no hand-off to show`);
    return;
  }
  assert.equal(engine.waitUntil(() => heard > 0 && engine.inflight === 0, 10_000), 0, 'the handed-off chain completed');
  assert.equal(heard, 1, 'the listener heard of the chain once');
  assert.equal(heardResult, READ, 'its last atom (aio_status) answered the count');
  assert.equal(instance.result(0), READ, 'pread64 read the whole range');
  assert.equal(instance.result(1), READ, 'aio_status ran after it');
  assert.equal(status.view.getInt32(0, true), 0);
  assert.equal(status.view.getBigInt64(8, true), BigInt(READ));
  assert.deepEqual(buffer.bytes, content.subarray(offset, offset + READ));
  // Cached now: the same chain ends inline through its plan.
  instance.reset();
  buffer.bytes.fill(0);
  assert.ok(engine.submitCanned(instance.canned, listener) > 0, 'the cached read ended inline');
  assert.equal(instance.canned.count, 2, 'through the plan');
  assert.deepEqual(buffer.bytes, content.subarray(offset, offset + READ));
  assert.equal(engine.waitUntil(() => engine.inflight === 0, 1000), 0);
  assert.equal(heard, 1, 'and the listener heard nothing more');
});
