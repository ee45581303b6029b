// i386 aiocbs laid out by a `gcc -m32 -D_FILE_OFFSET_BITS=64` program (test/fixtures/compat32-aiocbs.c)
// are read with readAiocb32 and submitted with submitRaw (width 4), as a 32-bit program's
// aio_read/aio_write/aio_fsync would be; the same program submits the same bytes to i386 glibc's
// AIO natively. Both must end each request with the same __error_code/__return_value words, the
// same bytes in each buffer and the same file: reads at, past and far past the end of the file
// (2^32 − 1, 2^40, 2^53 + 1, 2^63 − 100, 2^63 − 1), zero-length reads, writes at 2^40, 2^62 + 3 and 2^63 − 100, writes to a read-only fd, /dev/null and /dev/zero, a closed
// fd and -1, a directory, fsync and fdatasync (of /dev/null: EINVAL). Where glibc refuses at
// submission (aio_reqprio outside 0..20: -1/EINVAL, written to the status too; aio_fsync of an fd
// that is not open: -1/EBADF, nothing written) submitRaw answers the same -errno and writes the
// same words. What readAiocb32 refuses (a negative aio_offset: EINVAL; aio_buf NULL or outside
// the arena: EFAULT) is the errno glibc's request ends with.
//
// Session 20 (posix20): submitRaw left the status words of a refused aio_reqprio untouched (0/0,
// where glibc writes EINVAL/-1) and took an fsync of a closed fd, which then ended EBADF (glibc:
// -1/EBADF at once), and readAiocb32 rounded offsets past 2^53 (2^63 − 100: EINVAL for glibc's
// 0 bytes and EFBIG).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, fstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aioEngine, submitRaw, RawAioRequest } from '../index.js';
import { Arena32, ConversionError, readAiocb32 } from '../compat32/index.js';
import { syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL } from '../engine/syscalls/constants.generated.js';
import { skipOrFail } from './compat32-fixture.js';
import { compilerProblem } from './layout-oracle.js';

const OPS = ['read', 'write', 'fsync', 'fdatasync'] as const;
const CLOSED = 1000;

interface CResult {
  readonly op: number;
  readonly submit: number;
  readonly errno: number;
  readonly status: [number, number];
}
interface COutput {
  readonly base: number;
  readonly size: number;
  readonly aiocbSize: number;
  readonly buffers: number;
  readonly results: readonly CResult[];
}

test('i386 aiocbs from a gcc -m32 program end as i386 glibc AIO ends them', (t) => {
  const problem = compilerProblem(['-m32']);
  if (problem !== null) return skipOrFail(t, problem);
  const dir = mkdtempSync(join(tmpdir(), 'syslet-compat32-aiocbs-'));
  const binary = join(dir, 'compat32-aiocbs');
  execFileSync('gcc', ['-m32', '-D_FILE_OFFSET_BITS=64', '-O2', '-Wall', '-Werror', join(import.meta.dirname, 'fixtures', 'compat32-aiocbs.c'), '-o', binary]);
  const text = 'hello i386 world, 0123456789abcdefghijklmnopqrstuvwxyz\n'.repeat(4);
  writeFileSync(join(dir, 'data-c'), text);
  copyFileSync(join(dir, 'data-c'), join(dir, 'data-ts'));
  mkdirSync(join(dir, 'directory'));
  assert.ok(syscall(NR.fcntl, CLOSED, F_GETFL) < 0, `fd ${CLOSED} is closed`);

  // The six fds the requests name: data O_RDWR, data O_RDONLY, /dev/null, a closed number, a directory, /dev/zero.
  const open = (name: string): number[] => [
    openSync(join(dir, name), 'r+'), openSync(join(dir, name), 'r'), openSync('/dev/null', 'w'), CLOSED,
    openSync(join(dir, 'directory'), 'r'), openSync('/dev/zero', 'r'),
  ];
  const cFds = open('data-c');
  // The C side gets its fds as 3..7 (execFileSync's extra stdio), the closed number as itself.
  const childFds = [3, 4, 5, CLOSED, 6, 7];
  const stdio = ['ignore', 'pipe', 'inherit', ...cFds.filter((fd) => fd !== CLOSED)] as const;
  const c = JSON.parse(execFileSync(binary, [join(dir, 'before'), join(dir, 'after'), ...childFds.map(String)], { encoding: 'utf8', stdio: [...stdio] })) as COutput;
  for (const fd of cFds) if (fd !== CLOSED) closeSync(fd);
  const before = readFileSync(join(dir, 'before'));
  const after = readFileSync(join(dir, 'after'));
  assert.equal(c.aiocbSize, 144, 'sizeof(struct aiocb) with a 64-bit aio_offset on i386');

  const fds = open('data-ts');
  const engine = aioEngine();
  const arena = Arena32.map(engine.memory, c.size, c.base);
  const differences: string[] = [];
  try {
    arena.bytes.set(before);
    c.results.forEach((theirs, i) => {
      const address = c.base + i * c.aiocbSize;
      const statusWords = (): [number, number] => [arena.i32(address + 96), arena.i32(address + 100)];
      let fields;
      try {
        fields = readAiocb32(arena, address);
      } catch (error) {
        if (!(error instanceof ConversionError)) throw error;
        // The conversion's refusal is the errno glibc's request ended with.
        if (theirs.submit !== 0 || theirs.status[0] !== -error.errno || theirs.status[1] !== -1) differences.push(`${i}: conversion ${error.code}, glibc ${JSON.stringify(theirs)}`);
        return;
      }
      const fd = fields.fd === -1 ? -1 : (fds[childFds.indexOf(fields.fd)] ?? fields.fd);
      const handle = submitRaw({
        op: OPS[fields.lioOpcode] ?? 'read', fd, buf: fields.buf, nbytes: fields.nbytes, offset: fields.offset, reqprio: fields.reqprio,
        errorCodeAddress: address + 96, returnValueAddress: address + 100, width: 4,
      });
      if (handle instanceof RawAioRequest) {
        while (handle.inProgress) engine.waitUntil(() => !handle.inProgress, 1000);
      }
      const mine = { submit: handle instanceof RawAioRequest ? 0 : -1, errno: handle instanceof RawAioRequest ? 0 : -handle, status: statusWords() };
      if (JSON.stringify([mine.submit, mine.errno, mine.status]) !== JSON.stringify([theirs.submit, theirs.errno, theirs.status])) {
        differences.push(`${i} (${OPS[theirs.op]}): submitRaw ${JSON.stringify(mine)}, glibc ${JSON.stringify(theirs)}`);
      }
    });
    c.results.forEach((_, i) => {
      const at = c.buffers + i * 256;
      if (!Buffer.from(arena.bytes.subarray(at, at + 256)).equals(after.subarray(at, at + 256))) differences.push(`${i}: buffer bytes differ`);
    });
  } finally {
    arena.close();
    for (const fd of fds) if (fd !== CLOSED) closeSync(fd);
  }
  assert.deepEqual(differences, []);
  // The file is sparse (a write at 2^40): its size, its head and the bytes written there.
  const look = (name: string): [number, string, string] => {
    const fd = openSync(join(dir, name), 'r');
    const head = Buffer.alloc(1024);
    const far = Buffer.alloc(16);
    const got: [number, string, string] = [fstatSync(fd).size, head.subarray(0, readSync(fd, head, 0, 1024, 0)).toString('latin1'), far.subarray(0, readSync(fd, far, 0, 16, 2 ** 40)).toString('latin1')];
    closeSync(fd);
    return got;
  };
  assert.deepEqual(look('data-ts'), look('data-c'), 'the data file');
  rmSync(dir, { recursive: true, force: true });
});
