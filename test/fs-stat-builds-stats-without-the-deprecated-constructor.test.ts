/**
 * syslet-aio/fs's stat, lstat and FileHandle.stat build their Stats without calling node:fs's
 * exported `Stats` constructor, which Node 22 deprecates (DEP0180, a runtime warning): a program
 * switched from node:fs/promises prints no warning, and one run with `--throw-deprecation` (as
 * test suites often are) does not die at its first stat.
 *
 * hunt25 (session 25), from the packed package on Node 22.23.5: the first stat printed `[DEP0180]
 * DeprecationWarning: fs.Stats constructor is deprecated.` (node:fs/promises's: nothing), and under
 * --throw-deprecation the process exited 1. fs/stats.ts calls `new Stats(...)`.
 *
 * On a Node without the deprecation the child wraps `fs.Stats` in util.deprecate before it loads
 * the library, as Node 22 does, so the test sees the same on Node 20.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const child = `
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { deprecate } from 'node:util';
const require = createRequire(import.meta.url);
const fs = require('node:fs');
// Node 22 exports a util.deprecate wrapper; earlier Nodes the plain constructor: wrap it the same way.
if (!process.version.startsWith('v2') || Number(process.version.slice(1).split('.')[0]) < 22) {
  const Plain = fs.Stats;
  const Wrapped = deprecate(Plain, 'fs.Stats constructor is deprecated.', 'DEP0180');
  Wrapped.prototype = Plain.prototype;
  fs.Stats = Wrapped;
  syncBuiltinESMExports();
}
const sysletFs = await import(${JSON.stringify(new URL('../fs.ts', import.meta.url).href)});
const file = ${JSON.stringify(new URL(import.meta.url).pathname)};
const handle = await sysletFs.open(file, 'r');
const sizes = [(await sysletFs.stat(file)).size, (await sysletFs.lstat(file)).size, (await handle.stat()).size, Number((await sysletFs.stat(file, { bigint: true })).size)];
await handle.close();
// A deprecation under --throw-deprecation is thrown from a later tick: give it one.
await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify({ sizes, isStats: (await sysletFs.stat(file)) instanceof fs.Stats }));
`;

test('stat builds Stats without the deprecated fs.Stats constructor', async () => {
  const result = await runChild(child, 60_000, { nodeFlags: ['--throw-deprecation'] });
  assert.equal(result.timedOut, false);
  assert.equal(result.code, 0, `exit ${String(result.code)}: ${result.stderr.slice(0, 400)}`);
  const report = JSON.parse(result.stdout) as { sizes: number[]; isStats: boolean };
  assert.equal(new Set(report.sizes).size, 1, `the same size every way: ${JSON.stringify(report.sizes)}`);
  assert.equal(report.isStats, true, 'still an instance of fs.Stats');
  assert.doesNotMatch(result.stderr, /DEP0180/);
});
