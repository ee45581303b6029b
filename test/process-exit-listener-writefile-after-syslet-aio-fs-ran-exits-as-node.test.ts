/**
 * A process 'exit' listener that saves state with syslet-aio/fs's writeFile (1 MiB, so not all of
 * it completes inline), in a program that has used
 * syslet-aio/fs before. Node runs nothing asynchronous after 'exit': node:fs/promises's writeFile
 * there simply never happens and the process exits with its code. hunt28 (packed package, both
 * engines, every run): SIGSEGV (exit 139) inside the call — the same cause as an 'exit' listener's
 * aio.read of a FIFO (process-exit-handler-reading-a-fifo-after-the-engine-ran-never-crashes): the
 * library's own exit hook closed the engine's fd watcher before the listener ran, and the request
 * refs it (uv_ref(NULL) in koffi). Also crashed: FileHandle.read of a FIFO, aio.write, aio.fsync,
 * aio_fsync, lio_listio LIO_NOWAIT, readFileSyslet on the program's own Engine. (A FileHandle.read
 * of a FIFO is not compared here: Node's own process then cannot exit, its pool thread blocked.)
 *
 * Runs the installed package with plain node in a child with a time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOnEngine } from './helpers/installed-script.js';
import { installPackedTarball } from './helpers/tarball.js';

function childSource(dir: string, module: 'node:fs/promises' | 'syslet-aio/fs'): string {
  return `
    import { writeSync } from 'node:fs';
    import * as fs from ${JSON.stringify(module)};
    await fs.writeFile(${JSON.stringify(join(dir, 'before'))}, 'used');
    process.on('exit', () => {
      fs.writeFile(${JSON.stringify(join(dir, 'state'))}, Buffer.alloc(1 << 20)).catch(() => {});
      writeSync(1, 'called\\n');
    });
    process.exitCode = 3;
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`an 'exit' listener's writeFile after syslet-aio/fs ran exits with the process's code, as Node (${engine} engine)`, {
    timeout: 240_000,
  }, async (t) => {
    const installed = await installPackedTarball();
    t.after(() => rmSync(installed.work, { recursive: true, force: true }));
    const ends: Record<string, unknown> = {};
    for (const module of ['node:fs/promises', 'syslet-aio/fs'] as const) {
      const script = join(installed.consumer, `exit-listener-${module.replace(/\W/g, '')}.mjs`);
      writeFileSync(script, childSource(installed.work, module));
      const result = await runOnEngine(script, installed.consumer, engine);
      ends[module] = { code: result.code, signal: result.signal, said: result.stdout.trim() };
    }
    assert.deepEqual(ends['node:fs/promises'], { code: 3, signal: null, said: 'called' }, 'Node: the call is made, nothing runs after it, exit code 3');
    assert.deepEqual(ends['syslet-aio/fs'], ends['node:fs/promises'], 'syslet-aio/fs: the same end');
  });
}
