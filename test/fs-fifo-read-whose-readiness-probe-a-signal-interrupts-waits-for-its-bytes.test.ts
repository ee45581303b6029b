// A read of a FIFO first asks, inline, whether bytes are waiting: a zero-timeout ppoll (the
// zero_timeout probe of file.pollRead, which FileHandle.read and readFile use on a FIFO). A signal
// with a handler that reaches the JavaScript thread during that ppoll makes it answer EINTR (the
// kernel never restarts ppoll), and the probe took that as the call's answer: the read ended EINTR,
// which syslet-aio/fs reports as ESHUTDOWN (hunt30: under a SIGUSR2 storm, 3 of 7 FIFO reads
// rejected "ESHUTDOWN ... read" where node:fs/promises read every byte). The interruption is the
// probe's, not the call's: the read must go on waiting for its bytes. The signal is stood in for by
// strace's EINTR on the child's JavaScript thread (helpers/interrupted-probe.ts); skipped without
// strace or where it cannot attach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT_FOR_GO, runOnInterruptedFifo } from './helpers/interrupted-probe.js';

const PIECES = ['x', 'x', 'x', 'x', 'x', 'END'];

const script = (call: 'readFile' | 'FileHandle.read', fifo: string): string => `
import { open, readFile } from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
${WAIT_FOR_GO}
await untilGo();
let text = '';
let error = null;
try {
  if (${JSON.stringify(call)} === 'readFile') {
    text = (await readFile(${JSON.stringify(fifo)})).toString();
  } else {
    const handle = await open(${JSON.stringify(fifo)}, 'r');
    const buffer = Buffer.alloc(64);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, 64, null);
      if (bytesRead === 0) break;
      text += buffer.toString('latin1', 0, bytesRead);
    }
    await handle.close();
  }
} catch (e) {
  error = e.code + ' ' + e.syscall;
}
console.log(JSON.stringify({ text, error }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  for (const call of ['readFile', 'FileHandle.read'] as const) {
    test(`${engine}: ${call} of a FIFO whose readiness probe a signal interrupts reads every byte`, { timeout: 90_000 }, async (t) => {
      const run = await runOnInterruptedFifo(t, (fifo) => script(call, fifo), engine, PIECES, 250);
      if (run !== undefined) assert.deepEqual(run.report, { text: PIECES.join(''), error: null }, run.stderr.slice(0, 1500));
    });
  }
}
