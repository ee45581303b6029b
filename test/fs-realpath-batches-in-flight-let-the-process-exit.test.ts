/**
 * realpath batches on their way on a cachemiss thread never hold a process: a program whose
 * burst of realpaths is still in batches ends by itself once they are answered, and one that
 * calls process.exit() while batches are on their way exits at once, with its code. The same
 * holds for a burst whose opens are in the io_uring engine's ring (fs/link-ring.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

const setup = (ringOpens: boolean): string => `
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realpath, sharedEngine } from '${ROOT}fs.ts';
import { linkBatchStats } from '${ROOT}fs/link-burst.ts';
import { ringLinkRecords, setRingOpens } from '${ROOT}fs/link-ring.ts';
setRingOpens(${String(ringOpens)});

const dir = mkdtempSync(join(tmpdir(), 'syslet-realpath-exit-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const links = [];
for (let i = 0; i < 2000; i++) {
  const folder = join(dir, String(Math.floor(i / 100)));
  if (i % 100 === 0) mkdirSync(folder);
  writeFileSync(join(folder, i + '.bin'), 'x');
  symlinkSync(i + '.bin', join(folder, i + '.lnk'));
  links.push(join(folder, i + '.lnk'));
}
await realpath(links[0]);
const burst = Promise.all(links.map((link) => realpath(link)));
`;

test('a program ends by itself when its realpath batches are answered', async () => {
  const result = await runChild(`${setup(false)}
burst.then((names) => console.log(JSON.stringify({ names: names.length, ok: names.every((name, i) => name === links[i].replace(/lnk$/, 'bin')) })));
`, 60_000);
  assert.equal(result.timedOut, false, 'the process ended by itself');
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'), { names: 2000, ok: true });
});

test('process.exit() with realpath batches on their way exits at once with its code', async () => {
  const result = await runChild(`${setup(false)}
// Batches are submitted when this turn ends: exit from the next one, with them on their way.
setImmediate(() => {
  console.log(JSON.stringify({ batches: linkBatchStats(sharedEngine()).batches > 0 }));
  process.exit(7);
});
void burst;
`, 60_000);
  assert.equal(result.timedOut, false, 'process.exit() returned');
  assert.equal(result.code, 7, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}'), { batches: true });
});

test('a program with its realpaths\' opens in the ring ends by itself, and process.exit() exits at once', async (t) => {
  const ends = await runChild(`${setup(true)}
burst.then((names) => console.log(JSON.stringify({ names: names.length, ok: names.every((name, i) => name === links[i].replace(/lnk$/, 'bin')) })));
`, 60_000);
  assert.equal(ends.timedOut, false, 'the process ended by itself');
  assert.equal(ends.code, 0, ends.stderr);
  assert.deepEqual(JSON.parse(ends.stdout.trim().split('\n').pop() ?? '{}'), { names: 2000, ok: true });
  const exits = await runChild(`${setup(true)}
// The opens are written during the burst and submitted when this turn ends: exit from the next one.
setImmediate(() => {
  const engine = sharedEngine();
  console.log(JSON.stringify({ ring: engine.asyncEngine.kind === 'io_uring', inRing: engine.ringInFlight > 0 && ringLinkRecords(engine).records > 0 }));
  process.exit(7);
});
void burst;
`, 60_000);
  assert.equal(exits.timedOut, false, 'process.exit() returned');
  assert.equal(exits.code, 7, exits.stderr);
  const seen = JSON.parse(exits.stdout.trim().split('\n').pop() ?? '{}') as { ring?: boolean; inRing?: boolean };
  if (seen.ring !== true) return t.skip('the shared engine uses cachemiss threads');
  assert.equal(seen.inRing, true, 'opens were in the ring at the exit');
});
