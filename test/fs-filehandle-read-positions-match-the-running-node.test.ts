/**
 * FileHandle.read takes its position as the Node it runs in does: Node 20 reads at the file
 * position for anything but a safe integer (a bigint, -2, 1.5, '5'); Node 21 and later
 * (nodejs/node#42835) read at a bigint position and refuse a position below -1, a fraction, an
 * unsafe integer or a non-number with Node's errors. Each case is compared with node:fs/promises
 * in the same process: buffer contents and bytesRead, or the error's code and message.
 *
 * hunt25 (session 25): under Node 22.23.5, `read(buf, 0, 2, 5n)` read at the file position ("xy")
 * where Node read "23", and the fs fuzz found `read(…, 9223372036854775807n)` reading where Node 22
 * throws ERR_OUT_OF_RANGE. Runs under this process's Node, and under every other Node binary named
 * in SYSLET_AIO_OTHER_NODES (colon-separated; CI has Node 20 only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { differencesUnderEachNode } from './helpers/installed-script.js';
import { installPackedTarball } from './helpers/tarball.js';

const CHILD = `
const impls = { node: await import('node:fs/promises'), syslet: await import('syslet-aio/fs') };
const file = process.argv[2];
const results = {};
for (const [name, fsp] of Object.entries(impls)) {
  const handle = await fsp.open(file, 'r');
  const out = [];
  const positions = [5, 5n, -1, -1n, -2, 1.5, NaN, 2 ** 53, 2n ** 40n, 9223372036854775807n, 9223372036854775804n, '5', null, undefined, Infinity, -2n, {}];
  const forms = positions.map((p) => (b) => handle.read(b, 0, 2, p));
  forms.push((b) => handle.read({ buffer: b, position: 5n }), (b) => handle.read(b, { position: 6n }), (b) => handle.read(b, { position: -3 }), (b) => handle.read(b, 0, 0, -2));
  for (const form of forms) {
    try {
      const b = Buffer.alloc(2);
      const r = await form(b);
      out.push(r.bytesRead + ':' + b.toString('hex'));
    } catch (e) {
      out.push(e.code + ': ' + e.message);
    }
  }
  await handle.close();
  results[name] = out;
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
`;

test('FileHandle.read takes every kind of position as the running Node does', { timeout: 240_000 }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const script = join(installed.consumer, 'positions.mjs');
  writeFileSync(script, CHILD);
  const dir = mkdtempSync(join(tmpdir(), 'syslet-read-positions-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'data');
  writeFileSync(file, 'xyz0123456789');
  const differences = await differencesUnderEachNode(script, installed.consumer, file);
  assert.deepEqual(differences, [], differences.join('\n'));
});
