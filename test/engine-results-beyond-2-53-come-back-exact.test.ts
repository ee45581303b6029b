// A result wider than 53 bits comes back exactly: lseek on a memfd (tmpfs allows offsets up to
// 2^63 - 1) to 2^62 + 1 answers 2^62 + 1, and an ext4 directory's end is 2^63 - 1. The engine
// rounded such results to a double, and 2^63 - 1 rounded to 2^63 wrapped to -2^63 in the result
// cell: a negative "errno" no kernel sent. Inline, and on a cachemiss thread (SYSLET_ASYNC).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { addressOf, syscall, syscallBig } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const SYS_memfd_create = 319; // no row in the syscall table: the library never makes it
const MFD_CLOEXEC = 1;
const SEEK_SET = 0;

test('lseek to 2^62 + 1 on a memfd answers 2^62 + 1 exactly, inline and async', { timeout: 30_000 }, async (t) => {
  const engine = new Engine();
  const fd = syscall(SYS_memfd_create, addressOf(Buffer.from('exact\0')), MFD_CLOEXEC);
  if (fd < 0) {
    t.skip(`memfd_create is not available here (${fd})`);
    await engine.close();
    return;
  }
  try {
    const offset = 2n ** 62n + 1n;
    assert.equal(syscallBig(NR.lseek, fd, offset, SEEK_SET), offset, 'lseek made directly');
    for (const flags of [0, SYSLET_ASYNC]) {
      using chain = new ChainBuilder(engine.memory);
      const atom = chain.atom('lseek', [fd, offset, SEEK_SET], { flags });
      const completion = await engine.runChain(chain.first);
      assert.equal(BigInt(completion.result), offset, `the completion, flags ${flags}`);
      assert.equal(BigInt(atom.result.value), offset, `the result cell, flags ${flags}`);
    }
  } finally {
    closeSync(fd);
    await engine.close();
  }
});
