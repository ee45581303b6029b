/**
 * FileHandle.readableWebStream answers every options form as the running Node's does: on Node 20
 * `{ type: 'bytes' }` asks for a byte stream and the default is a plain one; from Node 23.8.0 and
 * in later 22.x (nodejs/node#55461) the stream is always a byte stream, the options must be an
 * object, and another `type` only warns. Compared with node:fs/promises in the same process: the
 * reader a stream takes (BYOB or default), the first chunk's size, the error's code and message,
 * and the warnings printed.
 *
 * hunt25 (session 25): under Node 22.23.5, `readableWebStream()` then `getReader({ mode: 'byob' })`
 * threw ERR_INVALID_ARG_VALUE where Node's read 16 bytes, and `{ type: 1 }` was refused where
 * Node made a stream. Runs under this process's Node and every Node binary named in
 * SYSLET_AIO_OTHER_NODES (colon-separated; CI has Node 20 only).
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
let warnings = [];
process.removeAllListeners('warning');
process.on('warning', (warning) => warnings.push(warning.name + ': ' + warning.message));
const results = {};
for (const [name, fsp] of Object.entries(impls)) {
  const out = [];
  for (const options of [undefined, {}, { type: 'bytes' }, { type: 'x' }, { type: 1 }, null, 5]) {
    const handle = await fsp.open(file, 'r');
    warnings = [];
    let answer;
    try {
      const stream = options === undefined ? handle.readableWebStream() : handle.readableWebStream(options);
      let reader;
      let mode = 'byob';
      try {
        reader = stream.getReader({ mode: 'byob' });
      } catch (error) {
        reader = stream.getReader();
        mode = 'default (' + error.code + ')';
      }
      const sizes = [];
      // Read to the end before the close: on Node 20, closing a handle whose stream was cancelled
      // or is still reading aborts Node itself (!closed_, !reading_).
      for (;;) {
        const chunk = mode === 'byob' ? await reader.read(new Uint8Array(16)) : await reader.read();
        if (chunk.done) break;
        sizes.push(chunk.value.byteLength);
      }
      answer = mode + ' ' + sizes.join('+');
    } catch (error) {
      answer = error.code + ': ' + error.message;
    }
    await new Promise((resolve) => setImmediate(resolve));
    out.push(answer + ' | ' + warnings.join(', '));
    await handle.close();
  }
  results[name] = out;
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
`;

test('readableWebStream answers every options form as the running Node does', { timeout: 240_000 }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const script = join(installed.consumer, 'web-streams.mjs');
  writeFileSync(script, CHILD);
  const dir = mkdtempSync(join(tmpdir(), 'syslet-web-streams-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'data');
  writeFileSync(file, 'xyz0123456789');
  const differences = await differencesUnderEachNode(script, installed.consumer, file);
  assert.deepEqual(differences, [], differences.join('\n'));
});
