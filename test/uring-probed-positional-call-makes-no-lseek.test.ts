// A positional write whose RWF_NOWAIT probe would block goes to the io_uring ring without an
// lseek: the probe itself is a pwritev2 at that offset, and the syscall refuses a file that takes
// no offsets (a pipe, a socket) with ESPIPE before anything else, so a probe answered EOPNOTSUPP
// or EAGAIN has shown that the fd takes offsets — the lseek(fd, 0, SEEK_CUR) the ring used to make
// to find that out cost one more syscall per request (P5: every 4 KiB write on ext4). A pwrite64
// on a pipe still fails with ESPIPE. The child runs under strace, which lists its lseeks on the
// file; skipped without strace, or where the file system takes non-blocking buffered writes
// (the probe then writes, and nothing goes to the ring).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineUrl } from './helpers/child.js';
import { hasStrace, run } from './helpers/strace.js';

const WRITES = 32;

const SCRIPT = `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { addressOf, syscall } from ${JSON.stringify(engineUrl('native/index'))};
import { NR } from ${JSON.stringify(engineUrl('syscalls/nr'))};
import { O_CLOEXEC } from ${JSON.stringify(engineUrl('syscalls/constants.generated'))};
import { openSync, closeSync, readFileSync } from 'node:fs';

const engine = new Engine({ engine: 'io_uring' });
if (engine.asyncEngine.kind !== 'io_uring') {
  console.log(JSON.stringify({ skip: 'no io_uring engine here: ' + engine.asyncEngine.reason }));
  process.exit(0);
}
const path = process.argv[2];
const fd = openSync(path, 'w+');
let ringWrites = 0;
const results = [];
for (let i = 0; i < ${WRITES}; i++) {
  const chain = new ChainBuilder(engine.memory);
  chain.atom('pwrite64', [fd, chain.buffer(Buffer.alloc(4096, 65 + (i % 26))), 4096, i * 4096]);
  const done = engine.runChain(chain.first);
  if (engine.ringInFlight > 0) ringWrites++;
  results.push(Number((await done).result));
}
const pair = Buffer.alloc(8);
if (syscall(NR.pipe2, addressOf(pair), O_CLOEXEC) !== 0) throw new Error('pipe2');
const pipeChain = new ChainBuilder(engine.memory);
pipeChain.atom('pwrite64', [pair.readInt32LE(4), pipeChain.buffer(Buffer.from('x')), 1, 0]);
const pipeResult = Number((await engine.runChain(pipeChain.first)).result);
const content = readFileSync(path);
const intact = content.length === ${WRITES} * 4096 && Array.from({ length: ${WRITES} }, (_, i) => content[i * 4096] === 65 + (i % 26) && content[i * 4096 + 4095] === 65 + (i % 26)).every(Boolean);
await engine.close();
closeSync(fd);
console.log(JSON.stringify({ fd, ringWrites, results, pipeResult, intact }));
`;

test('a positional write whose probe would block goes to the ring with no lseek; on a pipe it still fails with ESPIPE', { timeout: 120_000 }, async (t) => {
  if (!hasStrace()) return t.skip('strace is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'syslet-no-lseek-'));
  try {
    const script = join(dir, 'child.mts');
    const trace = join(dir, 'trace');
    writeFileSync(script, SCRIPT);
    const child = await run('strace', ['-f', '-qq', '-e', 'trace=lseek', '-o', trace, process.execPath, '--import', 'tsx', script, join(dir, 'data')], 90_000);
    assert.equal(child.code, 0, child.stderr);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { skip?: string; fd: number; ringWrites: number; results: number[]; pipeResult: number; intact: boolean };
    if (report.skip !== undefined) return t.skip(report.skip);
    assert.deepEqual(report.results, Array.from({ length: WRITES }, () => 4096), 'every write wrote 4096 bytes');
    assert.equal(report.intact, true, 'each block holds what was written at its offset');
    assert.equal(report.pipeResult, -29, 'pwrite64 on a pipe: ESPIPE');
    if (report.ringWrites === 0) return t.skip('this file system takes non-blocking buffered writes: no write went to the ring');
    const lseeks = readFileSync(trace, 'utf8').split('\n').filter((line) => new RegExp(`lseek\\(${report.fd},`).test(line));
    assert.deepEqual(lseeks, [], `${report.ringWrites} writes went to the ring; lseeks on the file:\n${lseeks.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
