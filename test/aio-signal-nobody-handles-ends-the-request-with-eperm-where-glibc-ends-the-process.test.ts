/**
 * SIGEV_SIGNAL with a signal the program does not handle: glibc queues it and the default action
 * ends the process (status 128 + signo); here the notify atom is refused (docs/syslets.md §6: a
 * chain notifies its process, it never ends it), and the refusal becomes the request's status as
 * glibc's aio_notify writes a failed sigqueue's: aio_error EPERM, aio_return -1. The read itself
 * happened. With a `process.on` listener the same request is heard once, status 0. A deliberate
 * difference from glibc (docs/posix-aio.md), checked against glibc in its own child process.
 * Before session 27 the process died here too (hunt26 #11), without its report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;
// SIGRTMIN + 5 (39) and SIGUSR2 (12): a real-time and a classic signal, both fatal by default.
const SIGNALS = [39, 12];

function last(stdout: string): string {
  return stdout.trim().split('\n').pop() ?? '';
}

for (const signo of SIGNALS) {
  test(`syslet-aio: SIGEV_SIGNAL ${String(signo)} with no handler ends the request with EPERM and the process lives`, async () => {
    const script = `
import { Aiocb, aio_read, aio_error, aio_return, SIGEV_SIGNAL } from '${INDEX}';
import { openSync } from 'node:fs';
const fd = openSync('/proc/self/exe', 'r');
const buf = Buffer.alloc(4);
const cb = new Aiocb({ aio_fildes: fd, aio_buf: buf, aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: ${String(signo)} } });
const submitted = aio_read(cb);
const deadline = Date.now() + 10_000;
while (aio_error(cb) === 115 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ submitted, error: aio_error(cb), ret: aio_return(cb), magic: buf.toString('latin1') }));
`;
    const child = await runChild(script, 30_000);
    assert.equal(child.signal, null, `the process died of ${String(child.signal)}`);
    assert.equal(child.code, 0, child.stderr.slice(0, 400));
    const report = last(child.stdout);
    assert.ok(report.startsWith('{'), `no report: ${child.stderr.slice(0, 300)}`);
    assert.deepEqual(JSON.parse(report), { submitted: 0, error: 1, ret: -1, magic: '\x7fELF' });
  });
}

test('syslet-aio: with a process.on listener the same SIGEV_SIGNAL is heard once and the request ends with its bytes', async () => {
  const script = `
import { Aiocb, aio_read, aio_error, aio_return, SIGEV_SIGNAL } from '${INDEX}';
import { openSync } from 'node:fs';
let heard = 0;
process.on('SIGUSR2', () => { heard++; });
const fd = openSync('/proc/self/exe', 'r');
const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: 12 } });
aio_read(cb);
const deadline = Date.now() + 10_000;
while ((aio_error(cb) === 115 || heard === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
console.log(JSON.stringify({ error: aio_error(cb), ret: aio_return(cb), heard }));
process.exit(0);
`;
  const child = await runChild(script, 30_000);
  assert.equal(child.code, 0, child.stderr.slice(0, 400));
  assert.deepEqual(JSON.parse(last(child.stdout)), { error: 0, ret: 4, heard: 1 });
});

// SIGUSR2, not a real-time signal: Node's child_process reports a death by a real-time signal as
// code 0, signal null.
test('glibc (the reference): SIGEV_SIGNAL SIGUSR2 with no handler ends the process', async () => {
  const script = `
import { glibcAio, AiocbArray, SIGEV_SIGNAL } from '${engineUrl('native/glibc-aio')}';
import { allocNative } from '${engineUrl('native/memory')}';
import { openSync } from 'node:fs';
const aio = glibcAio();
const fd = openSync('/proc/self/exe', 'r');
const cbs = new AiocbArray(1);
const buffer = allocNative(4096);
cbs.prepare(0, fd, buffer.address, 4, 0);
cbs.setSigevent(0, SIGEV_SIGNAL, 12);
console.log('submitted', aio.read(cbs.address(0)));
await new Promise((resolve) => setTimeout(resolve, 2_000));
console.log('alive');
`;
  const child = await runChild(script, 30_000);
  assert.ok(!child.stdout.includes('alive'), 'the glibc process outlived its unhandled notification signal');
  assert.equal(child.signal, 'SIGUSR2', `ended by code ${String(child.code)}, signal ${String(child.signal)}`);
});
