/**
 * A chain whose openat opens a FIFO O_WRONLY (no O_CREAT) that no process has open for reading.
 * The blocking open waits in fifo_open until a reader comes; the inline probe must neither wait
 * there on the JavaScript thread (hunt28: it did, on both engines) nor answer what its own
 * O_NONBLOCK gives (ENXIO: a FIFO with no reader). The open waits on a cachemiss thread, and
 * once a reader opens the FIFO the chain goes on with the blocking open's answer: an fd, the
 * write's full count, and the bytes in the FIFO.
 *
 * The chain runs in a child (under tsx) that measures the longest gap of a 10 ms interval over a
 * second, then waits for the chain; the test opens the FIFO for reading once the child reported
 * the gap, and reads what the chain wrote after the child has exited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, runGapChild } from './helpers/event-loop-gap.js';
import { scratch } from './helpers/fs-implementations.js';
const TEXT = 'hello, reader';

function childSource(fifo: string): string {
  return `
    import { Engine, definePlugin, AT_FDCWD, O_WRONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
    const writeSome = definePlugin({
      name: 'test.fifo-write',
      params: { path: 'path', bytes: 'in' },
      atoms: [
        { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_WRONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
        { id: 'write', call: 'write', args: [{ result: 'open' }, { param: 'bytes' }, { lengthOf: 'bytes' }] },
        { id: 'close', call: 'close', args: [{ result: 'open' }] },
      ],
    });
    const engine = new Engine();
    ${GAP_TICKER}
    console.log('calling');
    const running = writeSome.run(engine, { path: ${JSON.stringify(fifo)}, bytes: Buffer.from(${JSON.stringify(TEXT)}) });
    setTimeout(async () => {
      ${GAP_REPORT}
      const { byId } = await running;
      console.log(JSON.stringify({ open: Number(byId.open.result), write: Number(byId.write.result), close: Number(byId.close.result) }));
      await engine.close();
      process.exit(0);
    }, 1000);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`a plugin's O_WRONLY openat of a FIFO with no reader waits off the event loop, for one (${engine} engine)`, { timeout: 60_000 }, async (t) => {
    const dir = scratch(t, 'plugin-open-fifo-write');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const script = join(dir, 'child.mts');
    writeFileSync(script, childSource(fifo));
    let reader = -1;
    t.after(() => {
      if (reader >= 0) closeSync(reader);
    });
    const { lines, stderr, maxGap } = await runGapChild(script, engine, (stdout) => {
      // The reader comes once the child has measured: its open lets the chain's open go on.
      if (reader < 0 && stdout.includes('maxGap')) reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    });
    assert.ok(maxGap < 500, `the interval keeps running while the open waits for a reader (longest gap ${maxGap} ms)`);
    const outcome = JSON.parse(lines.at(-1) ?? '{}') as { open?: number; write?: number; close?: number };
    assert.ok((outcome.open ?? -1) >= 0, `the open answers an fd once a reader came, as a blocking open does: ${JSON.stringify(outcome)} ${stderr.slice(0, 1500)}`);
    assert.equal(outcome.write, TEXT.length, 'the write on that fd wrote everything');
    assert.equal(outcome.close, 0);
    const got = Buffer.alloc(64);
    const count = readSync(reader, got);
    assert.equal(got.subarray(0, count).toString(), TEXT, 'the reader got the chain\'s bytes');
  });
}
