// A positional read that goes to the io_uring ring asks the kernel about its fd once, also while
// the mount namespace has a FUSE, NFS... mount (remote-mounts.ts active). The ring's position rule
// asks statx for the fd's file type (uring-fd-rules.ts: a regular file or a block device), and the
// remote-mount check needs the same file's st_dev, which that statx has already read: it used to
// make a second statx of the fd for every ring-bound read (uncached32: 5.6 % of P2's calling
// thread with /mnt/remote-sim mounted). A read of a local file still reads its bytes. The child
// runs under strace, which lists its statx calls; skipped without strace, FUSE or io_uring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineUrl } from './helpers/child.js';
import { hasStrace, run } from './helpers/strace.js';
import { fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const READS = 32;

const SCRIPT = `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { SYSLET_ASYNC } from ${JSON.stringify(engineUrl('atom'))};
import { openSync, closeSync } from 'node:fs';

const engine = new Engine({ engine: 'io_uring' });
if (engine.asyncEngine.kind !== 'io_uring') {
  console.log(JSON.stringify({ skip: 'no io_uring engine here: ' + engine.asyncEngine.reason }));
  process.exit(0);
}
const fd = openSync(process.argv[2], 'r');
let ringReads = 0;
const results = [];
const intact = [];
for (let i = 0; i < ${READS}; i++) {
  const chain = new ChainBuilder(engine.memory);
  const buffer = chain.buffer(4096);
  // SYSLET_ASYNC: no inline probe, the read goes to the ring at once.
  chain.atom('pread64', [fd, buffer, 4096, i * 4096], { flags: SYSLET_ASYNC });
  const done = engine.runChain(chain.first);
  if (engine.ringInFlight > 0) ringReads++;
  results.push(Number((await done).result));
  intact.push(buffer.bytes[0] === 65 + (i % 26) && buffer.bytes[4095] === 65 + (i % 26));
}
await engine.close();
closeSync(fd);
console.log(JSON.stringify({ fd, ringReads, results, intact: intact.every(Boolean) }));
`;

test('a read sent to the ring asks statx about its fd once while a remote mount is present', { timeout: 120_000 }, async (t) => {
  if (!hasStrace()) return t.skip('strace is not installed');
  const fuseMissing = fuseSkipReason();
  if (fuseMissing !== undefined) return t.skip(fuseMissing);
  // The slow FUSE mount makes the remote-mount checks active in this namespace (the child's too).
  const scratch = await slowFuseForTest(t, 0);
  if (scratch === undefined) return;
  const script = join(scratch.dir, 'child.mts');
  const data = join(scratch.dir, 'data');
  const trace = join(scratch.dir, 'trace');
  writeFileSync(script, SCRIPT);
  writeFileSync(data, Buffer.concat(Array.from({ length: READS }, (_, i) => Buffer.alloc(4096, 65 + (i % 26)))));
  const child = await run('strace', ['-f', '-qq', '-e', 'trace=statx', '-o', trace, process.execPath, '--import', 'tsx', script, data], 90_000);
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { skip?: string; fd: number; ringReads: number; results: number[]; intact: boolean };
  if (report.skip !== undefined) return t.skip(report.skip);
  assert.deepEqual(report.results, Array.from({ length: READS }, () => 4096), 'every read read 4096 bytes');
  assert.equal(report.intact, true, 'each buffer holds its block');
  assert.ok(report.ringReads > 0, 'reads went to the ring');
  // The engine's statx of an fd (AT_STATX_DONT_SYNC); libuv's own of other files that get the
  // same number while modules load say AT_STATX_SYNC_AS_STAT.
  const statxs = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes(`statx(${report.fd}, "", AT_STATX_DONT_SYNC`));
  assert.ok(statxs.length <= report.ringReads, `${report.ringReads} reads went to the ring; ${statxs.length} statx of their fd:\n${statxs.slice(0, 6).join('\n')}`);
});
