// read(2) and write(2) of 0 bytes are answered by the file itself: a directory answers EISDIR, an
// eventfd EINVAL (it moves 8 bytes or none), an unconnected UDP socket EDESTADDRREQ. The engine
// answered 0 for all of them, inline (its RWF_NOWAIT probe is a preadv2, and a vector of 0 bytes
// never reaches the file) and through the ring (a READ of length 0 answers 0). Each answer here
// is compared with the same syscall made directly, inline and with SYSLET_ASYNC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { addressOf, syscall, errnoNumber, EINVAL, EISDIR } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const AF_INET = 2;
const SOCK_DGRAM = 2;
const EFD_CLOEXEC = 0o2000000;
const EDESTADDRREQ = errnoNumber('EDESTADDRREQ') as number;

test('read and write of 0 bytes answer EISDIR, EINVAL, EDESTADDRREQ as the file does, inline and async', { timeout: 30_000 }, async () => {
  const engine = new Engine();
  const dir = mkdtempSync(join(tmpdir(), 'syslet-zero-count-'));
  const directory = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  const eventfd = syscall(NR.eventfd2, 3, EFD_CLOEXEC);
  const udp = syscall(NR.socket, AF_INET, SOCK_DGRAM, 0);
  const scratch = Buffer.alloc(8);
  try {
    const cases = [
      { fd: directory, call: 'read', expected: -EISDIR },
      { fd: directory, call: 'pread64', expected: -EISDIR },
      { fd: eventfd, call: 'read', expected: -EINVAL },
      { fd: eventfd, call: 'write', expected: -EINVAL },
      { fd: udp, call: 'write', expected: -EDESTADDRREQ },
    ] as const;
    for (const { fd, call, expected } of cases) {
      const args = call === 'pread64' ? [fd, addressOf(scratch), 0, 0] : [fd, addressOf(scratch), 0];
      assert.equal(syscall(NR[call], ...args), expected, `${call} made directly`);
      for (const flags of [0, SYSLET_ASYNC]) {
        using chain = new ChainBuilder(engine.memory);
        const buffer = chain.buffer(8);
        chain.atom(call, call === 'pread64' ? [fd, buffer, 0, 0] : [fd, buffer, 0], { flags });
        const completion = await engine.runChain(chain.first);
        assert.equal(Number(completion.result), expected, `${call} of 0 bytes on fd ${fd}, flags ${flags}`);
      }
    }
  } finally {
    for (const fd of [directory, eventfd, udp]) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    await engine.close();
  }
});
