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
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratch } from './helpers/fs-implementations.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
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
    let last = Date.now();
    let maxGap = 0;
    const ticking = setInterval(() => { const now = Date.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 10);
    console.log('calling');
    const running = writeSome.run(engine, { path: ${JSON.stringify(fifo)}, bytes: Buffer.from(${JSON.stringify(TEXT)}) });
    setTimeout(async () => {
      clearInterval(ticking);
      console.log(JSON.stringify({ maxGap: Math.max(maxGap, Date.now() - last) }));
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
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let stdout = '';
    let stderr = '';
    let reader = -1;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // The reader comes once the child has measured: its open lets the chain's open go on.
      if (reader < 0 && stdout.includes('maxGap')) reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    });
    await new Promise((resolve) => child.on('close', resolve));
    clearTimeout(kill);
    t.after(() => {
      if (reader >= 0) closeSync(reader);
    });
    const lines = stdout.trim().split('\n');
    const gapLine = lines.find((line) => line.includes('maxGap')) ?? '';
    assert.match(gapLine, /maxGap/, `the child reported: ${stdout} ${stderr.slice(0, 1500)}`);
    const { maxGap } = JSON.parse(gapLine) as { maxGap: number };
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
