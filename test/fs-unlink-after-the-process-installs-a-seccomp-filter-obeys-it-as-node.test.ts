// A process that sandboxes itself once initialised (seccomp, as Chromium's and systemd's services
// do) expects its filter to bind every later call. io_uring's requests are not system calls: a
// filter never sees them (why container runtimes keep io_uring out of their profiles), so the
// engine takes cachemiss threads when a filter is installed at its start (uring-select.ts,
// Seccomp: 2). It looked only then: a filter installed afterwards, refusing unlink and unlinkat
// with EPERM, refused node:fs/promises' unlink and the threads engine's, and syslet-aio/fs on the
// io_uring engine deleted the file all the same (hunt30: unlink and rm, every run; FileHandle.sync
// resolved under a filter refusing fsync likewise). The ring now asks
// for a filter before each submission (uring-ring.ts, PR_GET_SECCOMP) and, once one is there,
// refuses new SQEs as a filter refusing io_uring_enter would: they go to cachemiss threads, whose
// calls the filter sees. The file must stay and the call be refused as Node's is. Skipped where
// io_uring is not the engine, or where the filter does not bind Node itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';

const SYS_unlink = 87;
const SYS_unlinkat = 263;
const EPERM = 1;

const script = (dir: string): string => `
import { writeFileSync, existsSync } from 'node:fs';
import { unlink as nodeUnlink } from 'node:fs/promises';
import { unlink, stat, sharedEngine } from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
import { installSeccompFilter } from ${JSON.stringify(new URL('./helpers/seccomp-self.ts', import.meta.url).href)};
const dir = ${JSON.stringify(dir)};
writeFileSync(dir + '/node', 'x');
writeFileSync(dir + '/syslet', 'x');
await stat(dir + '/syslet');
const engine = sharedEngine().asyncEngine.kind;
const filters = [installSeccompFilter(${SYS_unlink}, ${SYS_unlink}, ${EPERM}), installSeccompFilter(${SYS_unlinkat}, ${SYS_unlinkat}, ${EPERM})];
const answer = async (call) => { try { await call(); return 'ok'; } catch (e) { return e.code; } };
const node = await answer(() => nodeUnlink(dir + '/node'));
const syslet = await answer(() => unlink(dir + '/syslet'));
console.log(JSON.stringify({ engine, filters, node, syslet, sysletFileStays: existsSync(dir + '/syslet') }));
`;

test('syslet-aio/fs unlink after the process installs a seccomp filter refusing it is refused as Node\'s, the file stays', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-seccomp-late-'));
  try {
    const run = await runChild(script(dir), 45_000);
    const line = run.stdout.trim().split('\n').pop() ?? '';
    assert.match(line, /^\{/, `the child reported nothing: ${run.stderr.slice(0, 1500)}`);
    const report = JSON.parse(line) as { engine: string; filters: number[]; node: string; syslet: string; sysletFileStays: boolean };
    if (report.engine !== 'io_uring') return t.skip(`the engine is ${report.engine}: nothing reaches the kernel outside the filter`);
    if (report.filters.some((result) => result !== 0) || report.node !== 'EPERM') return t.skip(`the filter does not bind Node here (${JSON.stringify(report)})`);
    assert.deepEqual({ syslet: report.syslet, sysletFileStays: report.sysletFileStays }, { syslet: 'EPERM', sysletFileStays: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
