// The inline probe's read goes through glibc's five-argument preadv2 (fewer FFI arguments than
// syscall()'s seven), which is not the raw call for every input: glibc takes fd, count and flags
// as ints (a count of 2^32 + 1 would read one iovec where the kernel answers EINVAL) and turns
// ENOSYS into EOPNOTSUPP. engine/native's preadv2() must answer exactly what the raw syscall
// answers for any words: compared here on a cached file, a procfs file (whose RWF_NOWAIT answer
// is EOPNOTSUPP, the answer that is asked of the kernel again) and an empty pipe, over counts,
// fds, offsets and flags at and past every int and IOV_MAX edge, as numbers and as bigints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocNative, preadv2, releaseNative, syscall, type Word } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { engineUrl, runChild } from './helpers/child.js';

const RWF_NOWAIT = 0x8;
const IOVECS = 1025;
const DATA = 4096;

test('preadv2 through glibc answers as the raw preadv2 syscall for every argument shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-preadv2-'));
  // 1025 iovecs (one past IOV_MAX): the first takes 100 bytes, the rest are empty.
  const block = allocNative(IOVECS * 16 + DATA);
  const iovecs = new DataView(block.buffer, 0, IOVECS * 16);
  iovecs.setBigUint64(0, BigInt(block.address + IOVECS * 16), true);
  iovecs.setBigUint64(8, 100n, true);
  const bytes = new Uint8Array(block.buffer, IOVECS * 16, DATA);
  const fds: number[] = [];
  try {
    writeFileSync(join(dir, 'file'), Buffer.alloc(8192, 0x61));
    const file = openSync(join(dir, 'file'), 'r');
    fds.push(file);
    // Read once so that the pages are cached (RWF_NOWAIT answers EAGAIN otherwise, on both).
    assert.equal(syscall(NR.pread64, file, block.address + IOVECS * 16, 4096, 0), 4096);
    const proc = openSync('/proc/self/stat', 'r');
    fds.push(proc);
    const pipeFds = pipeOf();
    fds.push(...pipeFds);
    const counts: Word[] = [0, 1, 2, 1024, 1025, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 1, -1, 1n, 2n ** 32n + 1n];
    const offsets: Word[] = [0, 5, 8191, 8192, -1, -2, 2 ** 40, 5n];
    const flagsList: Word[] = [RWF_NOWAIT, RWF_NOWAIT | 0x80, 2 ** 32 + RWF_NOWAIT, -1, BigInt(RWF_NOWAIT), RWF_NOWAIT | 0x1];
    let compared = 0;
    for (const fd of [file, proc, pipeFds[0]]) {
      for (const fdWord of [fd, 2 ** 32 + fd, BigInt(fd), -1]) {
        for (const count of counts) {
          for (const offset of offsets) {
            for (const flags of flagsList) {
              const answer = (read: () => number): [number, string] => {
                // Same position and a clean buffer before each: offset -1 reads at the position.
                syscall(NR.lseek, fd, 0, 0);
                bytes.fill(0);
                const result = read();
                return [result, Buffer.from(bytes.subarray(0, 100)).toString('hex')];
              };
              const through = answer(() => preadv2(fdWord, block.address, count, offset, flags));
              const raw = answer(() => syscall(NR.preadv2, fdWord, block.address, count, offset, 0, flags));
              assert.deepEqual(through, raw, `preadv2(${String(fdWord)}, iov, ${String(count)}, ${String(offset)}, ${String(flags)})`);
              compared++;
            }
          }
        }
      }
    }
    assert.equal(compared, 3 * 4 * counts.length * offsets.length * flagsList.length);
  } finally {
    for (const fd of fds) closeSync(fd);
    releaseNative(block);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An empty pipe: its RWF_NOWAIT read answers EAGAIN (or ESPIPE at an offset), never blocks. */
function pipeOf(): [number, number] {
  const block = allocNative(8);
  try {
    const result = syscall(NR.pipe2, block.address, 0o4000);
    assert.equal(result, 0);
    const ends = new Int32Array(block.buffer, 0, 2);
    return [ends[0] as number, ends[1] as number];
  } finally {
    releaseNative(block);
  }
}

test('preadv2 refused with ENOSYS (a seccomp filter) answers ENOSYS, as the raw call, not glibc\'s EOPNOTSUPP', async (t) => {
  // In a child: the filter cannot be taken off again. It answers ENOSYS to preadv2 on the
  // calling thread only (no TSYNC), and leaves every other call alone.
  const child = await runChild(`
import { openSync } from 'node:fs';
import { allocNative, preadv2, syscall } from ${JSON.stringify(engineUrl('native/index'))};
import { NR } from ${JSON.stringify(engineUrl('syscalls/nr'))};
const fd = openSync('/proc/self/exe', 'r');
const block = allocNative(4096 + 16);
const view = new DataView(block.buffer);
view.setBigUint64(0, BigInt(block.address + 16), true);
view.setBigUint64(8, 100n, true);
const before = preadv2(fd, block.address, 1, 0, ${RWF_NOWAIT});
// struct sock_filter[4]: load the syscall number; preadv2 -> SECCOMP_RET_ERRNO | ENOSYS; else ALLOW.
const program = allocNative(32 + 16);
const filter = new DataView(program.buffer);
const insn = (at, code, jt, jf, k) => { filter.setUint16(at, code, true); filter.setUint8(at + 2, jt); filter.setUint8(at + 3, jf); filter.setUint32(at + 4, k, true); };
insn(0, 0x20, 0, 0, 0);
insn(8, 0x15, 0, 1, NR.preadv2);
insn(16, 0x06, 0, 0, 0x00050000 | 38);
insn(24, 0x06, 0, 0, 0x7fff0000);
filter.setUint16(32, 4, true);
filter.setBigUint64(40, BigInt(program.address), true);
if (syscall(NR.prctl, 38, 1, 0, 0, 0) !== 0) throw new Error('no_new_privs');
const installed = syscall(NR.seccomp, 1, 0, program.address + 32);
const after = preadv2(fd, block.address, 1, 0, ${RWF_NOWAIT});
const raw = syscall(NR.preadv2, fd, block.address, 1, 0, 0, ${RWF_NOWAIT});
console.log(JSON.stringify({ before, installed, after, raw }));
`, 20_000);
  assert.equal(child.code, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
  if (outcome.installed !== 0) {
    assert.ok(outcome.installed !== undefined && outcome.installed < 0, child.stdout);
    t.skip(`the kernel refused a seccomp filter (${String(outcome.installed)}): nothing answers ENOSYS to compare`);
    return;
  }
  assert.notEqual(outcome.before, -38);
  assert.equal(outcome.raw, -38);
  assert.equal(outcome.after, -38, child.stdout);
});
