/**
 * copyFileSyslet onto an existing, longer file leaves exactly the source's bytes, as node:fs's
 * copyFile does: file.copy no longer opens dst with O_TRUNC (that emptied a file copied onto
 * itself), so it cuts dst to the bytes copied after its loop. Also: an empty source empties dst,
 * and a copy onto the same file resolves (0 bytes copied) and changes nothing, where node:fs's
 * copyFile resolves too.
 *
 * Differential: each case runs through node:fs/promises copyFile and through copyFileSyslet on
 * files made alike; the results must be byte-equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { copyFileSyslet } from '../plugins/copy-file-syslet.js';
import { scratch } from './helpers/fs-implementations.js';

const CASES: readonly { name: string; src: Buffer; dst: Buffer | null; same?: boolean }[] = [
  { name: 'shorter source over a longer file', src: Buffer.from('short'), dst: Buffer.alloc(100_000, 0x61) },
  { name: 'longer source over a shorter file', src: Buffer.alloc(300_000, 0x62), dst: Buffer.from('tiny') },
  { name: 'empty source over a file', src: Buffer.alloc(0), dst: Buffer.from('will be gone') },
  { name: 'new destination', src: Buffer.from('fresh'), dst: null },
  { name: 'onto itself', src: Buffer.from('keep me'), dst: null, same: true },
];

test('copyFileSyslet leaves dst byte-equal to what node:fs copyFile leaves', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'copy-longer');
  const engine = new Engine();
  t.after(() => engine.close());
  for (const [index, c] of CASES.entries()) {
    const results: Record<string, { dst: Buffer; outcome: string }> = {};
    for (const side of ['node', 'syslet'] as const) {
      const src = join(dir, `${side}-${index}-src`);
      const dst = c.same === true ? src : join(dir, `${side}-${index}-dst`);
      writeFileSync(src, c.src);
      if (c.dst !== null && c.same !== true) writeFileSync(dst, c.dst);
      let outcome: string;
      try {
        if (side === 'node') {
          await copyFile(src, dst);
          outcome = 'resolved';
        } else {
          const copied = await copyFileSyslet(engine, src, dst);
          outcome = 'resolved';
          assert.equal(copied, c.same === true ? 0 : c.src.length, `${c.name}: bytes copied`);
        }
      } catch (error) {
        outcome = `rejected ${(error as { code?: string }).code ?? String(error)}`;
      }
      results[side] = { dst: readFileSync(dst), outcome };
    }
    assert.equal(results.syslet?.outcome, results.node?.outcome, c.name);
    assert.ok(results.syslet?.dst.equals(results.node?.dst ?? Buffer.alloc(0)), `${c.name}: dst as node:fs leaves it`);
    assert.ok(results.node?.dst.equals(c.src), `${c.name}: node:fs leaves the source's bytes`);
  }
});
