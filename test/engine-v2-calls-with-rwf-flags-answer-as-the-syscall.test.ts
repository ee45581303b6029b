// preadv2/pwritev2 with the caller's RWF_* flags answer what the syscall answers. Through the
// ring they did not: io_uring refuses RWF_HIPRI on a ring without IOPOLL (EINVAL where the
// syscall ignores it on a buffered file or /dev/null), and answers a caller's RWF_NOWAIT with
// EAGAIN where the syscall answers EOPNOTSUPP (a buffered ext4 append, say). Each answer is
// compared with the same call made directly on a twin file, inline and with SYSLET_ASYNC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const RWF_HIPRI = 0x1;
const RWF_NOWAIT = 0x8;

test('preadv2 and pwritev2 with RWF_HIPRI or RWF_NOWAIT answer as the syscall, inline and async', { timeout: 30_000 }, async () => {
  const engine = new Engine();
  const dir = mkdtempSync(join(tmpdir(), 'syslet-rwf-'));
  const content = Buffer.alloc(8192, 0x61);
  const open = (name: string, flags: number): number => {
    writeFileSync(join(dir, name), content);
    return openSync(join(dir, name), flags);
  };
  const fds: number[] = [];
  try {
    let twin = 0;
    for (const [call, target, rwf] of [
      ['pwritev2', '/dev/null', RWF_HIPRI],
      ['pwritev2', 'file', RWF_HIPRI],
      ['preadv2', 'file', RWF_HIPRI],
      ['pwritev2', 'append', RWF_NOWAIT],
      ['preadv2', 'file', RWF_NOWAIT],
    ] as const) {
      for (const flags of [0, SYSLET_ASYNC]) {
        twin++;
        const flagsOf = target === 'append' ? constants.O_WRONLY | constants.O_APPEND : constants.O_RDWR;
        const mine = target === '/dev/null' ? openSync('/dev/null', 'r+') : open(`${target}-${twin}-engine`, flagsOf);
        const theirs = target === '/dev/null' ? openSync('/dev/null', 'r+') : open(`${target}-${twin}-direct`, flagsOf);
        fds.push(mine, theirs);
        const bytes = Buffer.alloc(100, 0x62);
        const iov = Buffer.alloc(16);
        iov.writeBigUInt64LE(BigInt(addressOf(bytes)), 0);
        iov.writeBigUInt64LE(100n, 8);
        const expected = syscall(NR[call], theirs, addressOf(iov), 1, 16, 0, rwf);
        using chain = new ChainBuilder(engine.memory);
        const buffer = chain.buffer(100);
        buffer.bytes.fill(0x62);
        const vector = chain.buffer(16);
        const view = new DataView(vector.bytes.buffer, vector.bytes.byteOffset, 16);
        view.setBigUint64(0, buffer.address, true);
        view.setBigUint64(8, 100n, true);
        chain.atom(call, [mine, vector, 1, 16, 0, rwf], { flags });
        const completion = await engine.runChain(chain.first);
        assert.equal(Number(completion.result), expected, `${call} on ${target}, rwf ${rwf}, flags ${flags}`);
        if (target !== '/dev/null') {
          assert.deepEqual(readFileSync(join(dir, `${target}-${twin}-engine`)), readFileSync(join(dir, `${target}-${twin}-direct`)), `${call} on ${target}: the files`);
        }
      }
    }
  } finally {
    for (const fd of fds) closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    await engine.close();
  }
});
