/**
 * The library's own canned syslets are defined with defineBuiltinPlugin, which checks and
 * compiles a definition on first use rather than at import. So that a mistake in one is still
 * found before a user meets it, this compiles every built-in exported by the plugin layer and by
 * syslet-aio/fs, and checks that compiling gives what definePlugin gives for the same definition.
 * It also checks the laziness itself: importing syslet-aio/fs or the package root compiles none
 * of their plugins, and a call compiles only its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definePlugin, Plugin } from '../plugins/plugin.js';

const MODULES = [
  '../plugins/builtin/aio.js',
  '../plugins/builtin/file.js',
  '../plugins/builtin/file-copy-sendfile.js',
  '../plugins/builtin/file-read.js',
  '../plugins/builtin/file-read-first.js',
  '../plugins/builtin/net.js',
  '../plugins/builtin/notify.js',
  '../fs/chains.js',
  '../fs/chains-copy.js',
  '../fs/links.js',
];

test('every built-in plugin compiles on first use to what definePlugin makes of it', async () => {
  let count = 0;
  for (const specifier of MODULES) {
    const module = (await import(specifier)) as Record<string, unknown>;
    for (const [exported, value] of Object.entries(module)) {
      if (!(value instanceof Plugin)) continue;
      count++;
      const where = `${specifier} ${exported} (${value.name})`;
      assert.ok(value.layout.size > 0, where);
      const eager = definePlugin(value.definition);
      assert.deepEqual(value.layout, eager.layout, where);
      assert.deepEqual(value.calls, eager.calls, where);
      assert.deepEqual(value.paramNames, eager.paramNames, where);
      assert.equal(value.description, eager.description, where);
      assert.ok(Object.isFrozen(value.definition), `${where}: its definition is the plugin's frozen copy`);
    }
  }
  assert.ok(count >= 35, `found ${count} built-in plugins`);
});

test('importing syslet-aio/fs compiles none of its built-in plugins, and a stat compiles few', async () => {
  // In a child: this process has compiled them all above.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const script = `
    const { pluginCompilations } = await import('./plugins/plugin.ts');
    const fs = await import('./fs.ts');
    const atImport = pluginCompilations();
    await fs.stat('package.json');
    await fs.readFile('package.json');
    // Read-only, a readFile on the io_uring engine is a ring batch (no plugin): a flag keeps it on chains.
    await fs.readFile('package.json', { flag: 'r+' });
    console.log(JSON.stringify({ atImport, afterCalls: pluginCompilations() }));
  `;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  const { atImport, afterCalls } = JSON.parse(out) as { atImport: number; afterCalls: number };
  assert.equal(atImport, 0, 'no built-in compiled at import');
  assert.ok(afterCalls >= 1 && afterCalls <= 8, `stat and two readFiles compiled ${afterCalls} plugins`);
});

test('importing the package root compiles none of its built-in plugins, and an aio_read compiles one', async () => {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const script = `
    const { pluginCompilations } = await import('./plugins/plugin.ts');
    const { openSync } = await import('node:fs');
    const aio = await import('./index.ts');
    const atImport = pluginCompilations();
    const cb = new aio.Aiocb({ aio_fildes: openSync('package.json', 'r'), aio_buf: Buffer.alloc(16), aio_nbytes: 16, aio_offset: 0 });
    aio.aio_read(cb);
    while (aio.aio_error(cb) === aio.EINPROGRESS) aio.aio_suspend([cb], 1, null);
    console.log(JSON.stringify({ atImport, afterRead: pluginCompilations(), read: aio.aio_return(cb) }));
  `;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  assert.deepEqual(JSON.parse(out), { atImport: 0, afterRead: 1, read: 16 });
});
