/**
 * Many readFile calls in flight with one AbortSignal (a request's deadline shared by its reads,
 * `AbortSignal.timeout()` passed down) make Node print nothing: node:fs/promises's readFile looks
 * at `signal.aborted` between its reads and adds no listener. hunt22 (session 22) found that 20
 * concurrent syslet-aio/fs readFile calls of a 1 MiB cached file, or 20 readFileSyslet calls,
 * with one signal emit a MaxListenersExceededWarning ("Possible EventTarget memory leak detected.
 * 11 abort listeners added to [AbortSignal]"), printed on stderr by default: each call adds an
 * 'abort' listener while its read is in flight (fs/read-write.ts untilAborted for a read past the
 * inline limit; plugins/helpers.ts withHelperRequest). A server sharing one signal across its
 * reads prints the warning once per signal. Fixed (session 22, coordinator, 845e27c): one
 * listener per signal for every call waiting on it (engine/abort-listeners.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { Engine, readFileSyslet } from '../index.js';
import { scratch } from './helpers/fs-implementations.js';

const CALLS = 20;

/** The names of the process warnings emitted while `body` runs (and a turn after it). */
async function warningsDuring(body: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error): void => {
    seen.push(warning.name);
  };
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

test('readFile calls sharing one AbortSignal emit no listener warning, as Node\'s', async (t) => {
  const dir = scratch(t, 'shared-signal');
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(1 << 20, 3));
  const engine = new Engine();
  t.after(() => engine.close());
  const sides: Record<string, (signal: AbortSignal) => Promise<Buffer | string>> = {
    'node:fs/promises readFile': (signal) => readFile(file, { signal }),
    'syslet-aio/fs readFile': (signal) => sysletFs.readFile(file, { signal }),
    readFileSyslet: (signal) => readFileSyslet(engine, file, { signal, maxBytes: 2 << 20 }),
  };
  const warned: Record<string, string[]> = {};
  for (const [name, read] of Object.entries(sides)) {
    const signal = new AbortController().signal;
    warned[name] = await warningsDuring(async () => {
      const got = await Promise.all(Array.from({ length: CALLS }, () => read(signal)));
      assert.ok(got.every((bytes) => bytes.length === 1 << 20), `${name}: every read has the file`);
    });
  }
  assert.deepEqual(warned, Object.fromEntries(Object.keys(sides).map((name) => [name, []])));
});
