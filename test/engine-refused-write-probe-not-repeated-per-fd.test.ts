// A buffered write to a file system that refuses RWF_NOWAIT writes (ext4 answers EOPNOTSUPP)
// hands off; the engine remembers that answer per descriptor number for the next 64 writes, so
// it does not make the failed pwritev2 again for each (P5: one wasted syscall per cached 4 KiB
// write). The memory is only a hint: when the program puts a pipe on the same number (dup2), its
// writes still arrive whole, in order, and once the hint runs out they are probed (and made
// inline) again. The child runs under strace and marks the two phases with getppid; skipped
// without strace, or where the file system takes non-blocking buffered writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineUrl } from './helpers/child.js';
import { hasStrace, run } from './helpers/strace.js';

const FILE_WRITES = 200;
const PIPE_WRITES = 100;

const SCRIPT = `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { addressOf, syscall } from ${JSON.stringify(engineUrl('native/index'))};
import { NR } from ${JSON.stringify(engineUrl('syscalls/nr'))};
import { O_CLOEXEC } from ${JSON.stringify(engineUrl('syscalls/constants.generated'))};
import { openSync, closeSync, readFileSync, readSync } from 'node:fs';

const engine = new Engine();
const path = process.argv[2];
const fd = openSync(path, 'w+');
const fileResults = [];
for (let i = 0; i < ${FILE_WRITES}; i++) {
  const chain = new ChainBuilder(engine.memory);
  chain.atom('pwrite64', [fd, chain.buffer(Buffer.alloc(4096, 65 + (i % 26))), 4096, i * 4096]);
  fileResults.push(Number((await engine.runChain(chain.first)).result));
}
const content = readFileSync(path);
const intact = content.length === ${FILE_WRITES} * 4096 && Array.from({ length: ${FILE_WRITES} }, (_, i) => content[i * 4096] === 65 + (i % 26)).every(Boolean);
syscall(NR.getppid);
const pair = Buffer.alloc(8);
if (syscall(NR.pipe2, addressOf(pair), O_CLOEXEC) !== 0) throw new Error('pipe2');
const reader = pair.readInt32LE(0);
// The pipe's write end takes the file's number, as a program reusing numbers would see it.
if (syscall(NR.dup3, pair.readInt32LE(4), fd, O_CLOEXEC) !== fd) throw new Error('dup3');
syscall(NR.close, pair.readInt32LE(4));
const pipeResults = [];
for (let i = 0; i < ${PIPE_WRITES}; i++) {
  const chain = new ChainBuilder(engine.memory);
  chain.atom('write', [fd, chain.buffer(Buffer.from([i])), 1]);
  pipeResults.push(Number((await engine.runChain(chain.first)).result));
}
const got = Buffer.alloc(${PIPE_WRITES} + 1);
const read = readSync(reader, got, 0, got.length, null);
await engine.close();
closeSync(fd);
closeSync(reader);
console.log(JSON.stringify({ fd, fileResults, intact, pipeResults, piped: [...got.subarray(0, read)] }));
`;

test('a write probe answered EOPNOTSUPP is not repeated on that fd; a pipe reusing the number still gets every byte', { timeout: 120_000 }, async (t) => {
  if (!hasStrace()) return t.skip('strace is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'syslet-write-probe-'));
  try {
    const script = join(dir, 'child.mts');
    const trace = join(dir, 'trace');
    writeFileSync(script, SCRIPT);
    const child = await run('strace', ['-f', '-qq', '-e', 'trace=pwritev2,getppid', '-o', trace, process.execPath, '--import', 'tsx', script, join(dir, 'data')], 90_000);
    assert.equal(child.code, 0, child.stderr);
    const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { fd: number; fileResults: number[]; intact: boolean; pipeResults: number[]; piped: number[] };
    assert.deepEqual(report.fileResults, Array.from({ length: FILE_WRITES }, () => 4096), 'every file write wrote 4096 bytes');
    assert.equal(report.intact, true, 'each block holds what was written at its offset');
    assert.deepEqual(report.pipeResults, Array.from({ length: PIPE_WRITES }, () => 1), 'every pipe write wrote its byte');
    assert.deepEqual(report.piped, Array.from({ length: PIPE_WRITES }, (_, i) => i), 'the pipe holds every byte once, in order');
    const lines = readFileSync(trace, 'utf8').split('\n');
    // Node makes getppid calls of its own at start-up: the child's marker is the last one.
    const marker = lines.findLastIndex((line) => line.includes('getppid('));
    assert.ok(marker > 0, 'the phase marker is in the trace');
    const probes = (from: number, to: number): string[] => lines.slice(from, to).filter((line) => new RegExp(`pwritev2\\(${report.fd},.*RWF_NOWAIT`).test(line));
    const fileProbes = probes(0, marker);
    if (fileProbes.length > 0 && !fileProbes.some((line) => line.includes('EOPNOTSUPP'))) return t.skip('this file system takes non-blocking buffered writes: nothing to remember');
    // One probe, then 64 writes without, then one again: 200 writes make 4 probes.
    assert.ok(fileProbes.length >= 1 && fileProbes.length <= 4, `${fileProbes.length} failed probes for ${FILE_WRITES} writes:\n${fileProbes.slice(0, 8).join('\n')}`);
    // The pipe's first 64 writes hand off on the stale hint; the rest are probed and written inline.
    const pipeProbes = probes(marker, lines.length);
    assert.ok(pipeProbes.length >= PIPE_WRITES - 64 - 1, `the pipe's writes are probed again once the hint runs out: ${pipeProbes.length} probes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
