/**
 * Under Node's permission model without `--allow-worker` no Worker may start, so no cachemiss
 * thread can. hunt28 (packed package): `node --experimental-permission --allow-fs-read=*
 * --allow-fs-write=<fifo> --allow-addons app.mjs` whose aio.read waits on a FIFO written 300 ms
 * later rejected `EAGAIN: resource temporarily unavailable, aio_read` at once on both engines,
 * and nothing — not even SYSLET_AIO_DEBUG=1 — said why; Node's own fs.read of that FIFO under the
 * same flags reads the 5 bytes, and with `--allow-worker` added aio.read does too. The bundler
 * case (no worker script) got a one-time process warning naming the cause and the remedy; this
 * one should read, or at least warn once naming --allow-worker. It now warns once (code
 * SYSLET_AIO_THREADS_DENIED) and the read fails with EPERM, the errno of what a policy forbids.
 *
 * Runs the installed package with plain node (the tsx loader itself needs a worker thread).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedScriptWithFifo, runOnEngine } from './helpers/installed-script.js';

function childSource(fifo: string): string {
  return `
    import { openSync, writeSync } from 'node:fs';
    import { aio } from 'syslet-aio';
    const warnings = [];
    process.on('warning', (warning) => warnings.push(warning.message));
    const fd = openSync(${JSON.stringify(fifo)}, 'r+');
    setTimeout(() => writeSync(fd, 'hello'), 300);
    let outcome;
    try { outcome = 'read ' + await aio.read(fd, Buffer.alloc(16), null); } catch (error) { outcome = 'error ' + error.code; }
    console.log(JSON.stringify({ outcome, warnings }));
    process.exit(0);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`aio.read of a FIFO under the permission model without --allow-worker reads, or warns naming --allow-worker (${engine} engine)`, {
    timeout: 240_000,
  }, async (t) => {
    const { script, cwd, fifo } = await installedScriptWithFifo(t, 'permission-fifo.mjs', childSource);
    const flags = ['--experimental-permission', '--allow-fs-read=*', `--allow-fs-write=${fifo}`, '--allow-addons'];
    const { code, stdout, stderr } = await runOnEngine(script, cwd, engine, 20_000, flags);
    assert.equal(code, 0, stderr.slice(0, 2000));
    const seen = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { outcome?: string; warnings?: string[] };
    const warned = (seen.warnings ?? []).some((message) => message.includes('--allow-worker'));
    assert.ok(seen.outcome === 'read 5' || (warned && seen.outcome === 'error EPERM'), `the FIFO's 5 bytes are read, or EPERM and a warning names --allow-worker: ${stdout.trim()}`);
    assert.ok((seen.warnings ?? []).filter((message) => message.includes('--allow-worker')).length <= 1, 'warned once at most');
  });
}
