// A NULL array whose length argument is 0 is never touched by the kernel: `ppoll(NULL, 0, t, NULL,
// 8)` sleeps for t and answers 0, `read(fd, NULL, 0)` is answered by the file. Confinement refused
// every NULL it was not told could be NULL, so the engine answered -EFAULT where the kernel does
// not (session 11's open item). Each answer is compared with the same syscall made directly,
// inline and with SYSLET_ASYNC; a NULL array with a nonzero length stays -EFAULT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { addressOf, syscall, EFAULT } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const SIGSET_BYTES = 8; // the kernel's sigset_t on x86-64

test('a NULL array of length 0 gets the answer the same call gets made directly', { timeout: 30_000 }, async () => {
  const engine = new Engine();
  const dir = mkdtempSync(join(tmpdir(), 'syslet-null-zero-'));
  const directory = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  const devNull = openSync('/dev/null', 'r+');
  const oneMillisecond = Buffer.alloc(16);
  oneMillisecond.writeBigInt64LE(1_000_000n, 8);
  try {
    const cases = [
      { call: 'ppoll', args: <T>(timeout: T) => [0, 0, timeout, 0, SIGSET_BYTES] },
      { call: 'read', args: () => [devNull, 0, 0] },
      { call: 'read', args: () => [directory, 0, 0] },
      { call: 'write', args: () => [devNull, 0, 0] },
      { call: 'pread64', args: () => [directory, 0, 0, 0] },
    ] as const;
    for (const { call, args } of cases) {
      const direct = syscall(NR[call], ...args(addressOf(oneMillisecond)));
      for (const flags of [0, SYSLET_ASYNC]) {
        using chain = new ChainBuilder(engine.memory);
        const timeout = chain.buffer(16);
        timeout.bytes.set(oneMillisecond);
        chain.atom(call, args(timeout), { flags });
        const completion = await engine.runChain(chain.first);
        assert.notEqual(Number(completion.result), -EFAULT, `${call}(${args(0).join(', ')}) flags ${flags} was refused`);
        assert.equal(Number(completion.result), direct, `${call}(${args(0).join(', ')}) flags ${flags}`);
      }
    }
    // A length the kernel would use still needs memory the engine knows.
    for (const [call, args] of [['read', [devNull, 0, 1]], ['ppoll', [0, 1, 0, 0, SIGSET_BYTES]]] as const) {
      using chain = new ChainBuilder(engine.memory);
      chain.atom(call, args);
      const completion = await engine.runChain(chain.first);
      assert.equal(Number(completion.result), -EFAULT, `${call}(${args.join(', ')})`);
    }
  } finally {
    for (const fd of [directory, devNull]) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    await engine.close();
  }
});
