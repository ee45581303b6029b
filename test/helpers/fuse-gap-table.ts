/**
 * The table of event-loop gaps per call on a slow FUSE mount, for the findings (not a test):
 *   npx tsx test/helpers/fuse-gap-table.ts DELAY_MS [CALLER:CALL,...]
 * Prints one markdown row per call: node:fs/promises and syslet-aio on both engines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlowFuse } from './fuse-slow.js';
import { FUSE_CALLS, fuseGap, type FuseCaller } from './fuse-gap.js';

const delay = Number(process.argv[2] ?? 300);
const only = process.argv[3]?.split(',');
const dir = mkdtempSync(join(tmpdir(), 'fuse-gap-table-'));
const rows: [FuseCaller, string, string | null][] = [];
for (const call of FUSE_CALLS.syslet) rows.push(['syslet', call, call]);
for (const call of FUSE_CALLS.plugin) rows.push(['plugin', call, 'readFile']);
for (const call of FUSE_CALLS.posix) rows.push(['posix', call, null]);
console.log(`| call | node:fs/promises io_uring-run | syslet io_uring | syslet threads |`);
console.log('|---|---|---|---|');
for (const [caller, call, nodeTwin] of rows) {
  if (only !== undefined && !only.includes(`${caller}:${call}`)) continue;
  const cells: string[] = [];
  for (const [who, engine] of [['node', 'io_uring'], [caller, 'io_uring'], [caller, 'threads']] as const) {
    if (who === 'node' && (nodeTwin === null || caller !== 'syslet')) { cells.push('-'); continue; }
    const fuse = await startSlowFuse(dir, delay);
    if (typeof fuse === 'string') throw new Error(fuse);
    try {
      const r = await fuseGap(fuse.mount, dir, who, who === 'node' ? (nodeTwin as string) : call, engine);
      cells.push(`${r.maxGap} ms gap (${r.ms} ms, ${r.outcome})`);
    } catch (error) {
      cells.push(`failed: ${String(error).slice(0, 80)}`);
    } finally {
      await fuse.stop();
    }
  }
  console.log(`| ${caller} ${call} | ${cells.join(' | ')} |`);
}
