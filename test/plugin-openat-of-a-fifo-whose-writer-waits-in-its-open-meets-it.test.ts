/**
 * A chain opens a FIFO for reading while a writer already waits in its own open (`printf hi >
 * fifo`). A blocking open meets that writer at once; so must the inline probe's (open-probe.ts).
 * The probe opens with O_NONBLOCK and must not close that fd and open again elsewhere: its open
 * woke the writer, which then writes to a FIFO that has no reader any more (EPIPE, and the shell
 * dies of SIGPIPE) before the second open comes. The chain's open answers an fd, its read the
 * writer's bytes, and the writer exits 0. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, definePlugin, AT_FDCWD, O_RDONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from '../index.js';
import { scratch } from './helpers/fs-implementations.js';

const readSome = definePlugin({
  name: 'test.fifo-read-met',
  params: { path: 'path', bytes: 'out' },
  atoms: [
    { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'read', args: [{ result: 'open' }, { param: 'bytes' }, { lengthOf: 'bytes' }] },
    { id: 'close', call: 'close', args: [{ result: 'open' }] },
  ],
});

/** Waits until `pid` sleeps in fifo_open (its wchan), or a second has passed. */
async function waitingInOpen(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if (readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('wait_for_partner')) return;
    } catch {
      // wchan unreadable here: the time is what is left
    }
    await sleep(10);
  }
}

for (const kind of ['io_uring', 'threads'] as const) {
  test(`a chain's read-only openat of a FIFO whose writer waits in its open meets that writer (${kind} engine)`, { timeout: 30_000 }, async (t) => {
    const dir = scratch(t, 'plugin-open-fifo-met');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const engine = new Engine({ engine: kind });
    t.after(() => engine.close());
    await readSome.run(engine, { path: dir, bytes: 1 }); // the dcache holds the directory's walk
    const writer = spawn('sh', ['-c', 'printf hi > "$0"', fifo], { stdio: 'ignore' });
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => writer.on('exit', (code, signal) => resolve([code, signal])));
    await waitingInOpen(writer.pid as number);
    const { byId, outputs } = await readSome.run(engine, { path: fifo, bytes: 16 });
    const [code, signal] = await exited;
    assert.ok(Number(byId.open.result) >= 0, `the open answered ${byId.open.result}`);
    assert.equal(signal, null, 'the writer was not killed (SIGPIPE: it wrote to a FIFO whose reader had gone)');
    assert.equal(code, 0);
    assert.equal(Number(byId.read.result), 2);
    assert.equal(Buffer.from(outputs.bytes.subarray(0, 2)).toString(), 'hi');
    assert.equal(Number(byId.close.result), 0);
  });
}
