/**
 * A plugin .json file saved with a UTF-8 byte-order mark (some Windows editors write one) loads as
 * the same file without it does — as Node's require() of a .json file skips the mark. hunt26:
 * `syslet-aio run p.json` answered "is not JSON: Unexpected token".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlugin } from '../plugins/loader.js';
import { PluginRegistry } from '../plugins/index.js';

test('a plugin .json with a UTF-8 byte-order mark loads as the file without it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-bom-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const definition = JSON.stringify({ name: 'test.bomPid', params: {}, atoms: [{ call: 'getpid', args: [] }] });
  const plain = join(dir, 'plain.json');
  const marked = join(dir, 'marked.json');
  writeFileSync(plain, definition);
  writeFileSync(marked, `\ufeff${definition}`);
  const fromPlain = await loadPlugin(plain, new PluginRegistry());
  const fromMarked = await loadPlugin(marked, new PluginRegistry());
  assert.deepEqual(fromMarked.definition, fromPlain.definition);
});
