/**
 * readFile of a file another process keeps changing, tens of thousands of times, reads what
 * node:fs/promises reads: some version of the file, never bytes it never held. A writer process
 * either appends numbered lines (and truncates to 0 now and then: every version is a prefix of
 * the same sequence), or rewrites the whole file (writeFile: truncate, then one write) with one
 * letter at sizes around the ring batch's 64 KiB and a page. Readers on both sides run meanwhile:
 * node:fs/promises readFile, syslet-aio/fs readFile (with and without a signal), readFileSyslet
 * and readFileInto on an io_uring and a threads Engine (the ring batch: its first read short at the
 * end of the file, its second read's byte moved after it when the file grew in between; on
 * threads the chains). Every read must be a prefix of the numbered sequence (a multiple of whole
 * lines or a torn last one), or letters only (a read may span two versions, Node's as well:
 * 'u' then 'v' in 4,096 bytes); a file of '#'s read by the same engines at
 * the same time must never show up in them (a slot's bytes from another read).
 *
 * hunt22 (session 22): 6,146 reads of the appended file in 5 s and 31,803 of the rewritten one in
 * 4 s on io_uring, 1,821 and 9,742 on threads, none wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import * as sysletFs from '../fs.js';
import { Engine, readFileInto, readFileSyslet } from '../index.js';
import { scratch } from './helpers/fs-implementations.js';
import { readFirstOnTheRing } from '../plugins/reader.js';

const WRITE_MS = Number(process.env.HUNT22_RACE_MS ?? 2500);
const LINE = 9;
const HASHES = Buffer.alloc(70_000, '#');

const writers = {
  appends: (file: string) => `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(file)}, 'a'); let i = 0; const end = Date.now() + ${WRITE_MS};
    while (Date.now() < end) { let s = ''; for (let k = 0; k < 1 + (i % 300); k++) s += String(i++).padStart(8, '0') + '\\n'; fs.writeSync(fd, s); if (i > 30000) { fs.ftruncateSync(fd, 0); i = 0; } }`,
  rewrites: (file: string) => `const fs = require('fs'); const sizes = [0, 1, 2, 4095, 4096, 65534, 65535, 65536, 65537, 200000]; let i = 0; const end = Date.now() + ${WRITE_MS};
    while (Date.now() < end) { fs.writeFileSync(${JSON.stringify(file)}, Buffer.alloc(sizes[i % sizes.length], 97 + (i % 26))); i++; }`,
} as const;

/** What is wrong with `bytes` as a version of the file the writer of `kind` changes, or null. */
function wrong(kind: keyof typeof writers, bytes: Uint8Array): string | null {
  if (bytes.includes(0x23)) return `a '#' of the other file at ${bytes.indexOf(0x23)}`;
  if (kind === 'rewrites') {
    // A read may span two versions (Node's too): letters, but never a byte no version held.
    const at = bytes.findIndex((byte) => byte < 0x61 || byte > 0x7a);
    return at < 0 ? null : `byte ${String(bytes[at])} at ${at} of ${bytes.length}`;
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  for (let at = 0; at < text.length; at += LINE) {
    const expected = `${String(at / LINE).padStart(8, '0')}\n`;
    const got = text.slice(at, at + LINE);
    if (got !== expected.slice(0, got.length)) return `${JSON.stringify(got)} at ${at} (expected ${JSON.stringify(expected)})`;
  }
  return null;
}

for (const kind of Object.keys(writers) as (keyof typeof writers)[]) {
  test(`reads of a file another process ${kind} are versions of it, on both sides`, { timeout: 60_000 }, async (t) => {
    const dir = scratch(t, `race-${kind}`);
    const file = join(dir, 'changing');
    const hashes = join(dir, 'hashes');
    writeFileSync(file, '');
    writeFileSync(hashes, HASHES);
    const ring = new Engine();
    // The helpers on `ring` start with the batch (readFirstOnTheRing); readFile's shared engine
    // with straight calls (plugins/reader.ts): both paths race the writer.
    readFirstOnTheRing(ring);
    const threads = new Engine({ engine: 'threads' });
    t.after(async () => {
      await ring.close();
      await threads.close();
    });
    const signal = new AbortController().signal;
    setMaxListeners(0, signal);
    const readers: Record<string, () => Promise<Uint8Array>> = {
      'node:fs/promises readFile': () => nodeFs.readFile(file),
      'syslet-aio/fs readFile': async () => (await sysletFs.readFile(file)),
      'syslet-aio/fs readFile with a signal': async () => (await sysletFs.readFile(file, { signal })),
      [`readFileSyslet (${ring.asyncEngine.kind})`]: () => readFileSyslet(ring, file, { maxBytes: 1 << 30 }),
      'readFileSyslet (threads)': () => readFileSyslet(threads, file, { maxBytes: 1 << 30 }),
      [`readFileInto (${ring.asyncEngine.kind})`]: async () => {
        const target = Buffer.alloc(70_000, '#');
        return target.subarray(0, await readFileInto(ring, file, target));
      },
    };
    const writer = spawn(process.execPath, ['-e', writers[kind](file)], { stdio: 'inherit' });
    let writing = true;
    const exited = new Promise<number | null>((resolve) => writer.once('exit', (code) => {
      writing = false;
      resolve(code);
    }));
    const counts: Record<string, number> = {};
    const faults: string[] = [];
    await Promise.all(Object.entries(readers).flatMap(([name, read]) => [0, 1].map(async (lane) => {
      while (writing) {
        try {
          const why = wrong(kind, await read());
          if (why !== null) faults.push(`${name}: ${why}`);
        } catch (error) {
          faults.push(`${name}: ${String(error)}`);
        }
        counts[name] = (counts[name] ?? 0) + 1;
        // A turn for the writer's 'exit': helper reads that complete inline give none on the threads
        // engine (test/helpers-a-loop-of-cached-whole-file-reads-gives-the-event-loop-a-turn.test.ts).
        await new Promise((resolve) => setImmediate(resolve));
        if (lane === 1 && counts[name] % 8 === 0) {
          const other = name.includes('threads') ? await readFileSyslet(threads, hashes) : await readFileSyslet(ring, hashes);
          if (!other.equals(HASHES)) faults.push(`${name}: the file of '#'s read as ${other.length} other bytes`);
        }
      }
    })));
    assert.equal(await exited, 0, 'the writer ran');
    t.diagnostic(JSON.stringify(counts));
    assert.deepEqual(faults.slice(0, 10), []);
    for (const [name, count] of Object.entries(counts)) assert.ok(count >= 10, `${name}: ${count} reads`);
  });
}
