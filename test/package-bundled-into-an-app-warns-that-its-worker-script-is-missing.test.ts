/**
 * An application that bundles syslet-aio (esbuild --bundle, as serverless and ncc-style deploys
 * ship a Node app) carries the library's code but not the script its cachemiss threads start from:
 * the first call that needs a thread prints one warning (code SYSLET_AIO_NO_WORKER_SCRIPT) that
 * names the missing file and says to mark the package external, and the call fails with EAGAIN as
 * before. The same app with the package external works.
 *
 * hunt25 (session 25): bundled, `aio.read` of a FIFO rejected AioError EAGAIN on both engines with
 * no word; only SYSLET_AIO_DEBUG=1 showed "Cannot find module …/engine/cachemiss-worker.js".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';

const APP = `
import { execFileSync } from 'node:child_process';
import { openSync, writeSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aio } from 'syslet-aio';
const dir = mkdtempSync(join(tmpdir(), 'syslet-bundled-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const fd = openSync(fifo, 'r+');
rmSync(dir, { recursive: true });
// An empty FIFO: the read waits on a cachemiss thread (either engine).
setTimeout(() => writeSync(fd, 'hello'), 300);
try {
  const bytes = await aio.read(fd, Buffer.alloc(16), 0);
  process.stdout.write('read ' + bytes);
} catch (error) {
  process.stdout.write('failed ' + error.code);
}
process.exit(0);
`;

function node(file: string, cwd: string, engine: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file], { cwd, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

test('an app that bundles the package warns once that the worker script is missing', { timeout: 240_000 }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  writeFileSync(join(installed.consumer, 'app.mjs'), APP);
  // esbuild as tsx resolves it (a development dependency of this repository).
  const requireHere = createRequire(import.meta.url);
  const esbuild = createRequire(requireHere.resolve('tsx/package.json'))('esbuild') as { buildSync(options: Record<string, unknown>): unknown };
  const bundle = join(installed.consumer, 'bundle.mjs');
  const common = { entryPoints: [join(installed.consumer, 'app.mjs')], bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', absWorkingDir: installed.consumer };
  // A bundled ESM app needs a require for the CommonJS it carries (koffi stays external).
  esbuild.buildSync({ ...common, outfile: bundle, external: ['koffi'], banner: { js: "import { createRequire as bannerRequire } from 'node:module'; const require = bannerRequire(import.meta.url);" } });
  const external = join(installed.consumer, 'external.mjs');
  esbuild.buildSync({ ...common, outfile: external, external: ['koffi', 'syslet-aio'] });

  for (const engine of ['io_uring', 'threads']) {
    const bundled = await node(bundle, installed.consumer, engine);
    assert.equal(bundled.stdout, 'failed EAGAIN', `${engine}: the bundled app's read needs a thread, which cannot start`);
    const warnings = bundled.stderr.split('\n').filter((line) => line.includes('SYSLET_AIO_NO_WORKER_SCRIPT'));
    assert.equal(warnings.length, 1, `${engine}: one warning\n${bundled.stderr}`);
    assert.match(warnings[0] as string, /cachemiss-worker\.cjs is missing .*Mark it external/, `${engine}: it names the file and the remedy`);
    const kept = await node(external, installed.consumer, engine);
    assert.equal(kept.stdout, 'read 5', `${engine}: with the package external the read gets the writer's bytes`);
    assert.doesNotMatch(kept.stderr, /SYSLET_AIO_NO_WORKER_SCRIPT/);
  }
});
