/**
 * readdir's names in every encoding Node accepts, on node:fs/promises and on syslet-aio/fs: the
 * same strings (or Buffers) in the same order. syslet-aio/fs sorts the names as latin1 strings
 * and decodes them only where the bytes differ from their decoding, so both kinds of directory
 * are here: ASCII names only, and names with bytes of 0x80 or more, including bytes that are not
 * UTF-8 at all (Node decodes them to U+FFFD, but sorts by the bytes).
 */
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

/** readdir with options of any shape: the encodings are Node's, but TypeScript's overloads take literal types. */
type AnyReaddir = (path: string, options?: unknown) => Promise<unknown>;

const ENCODINGS = [undefined, 'utf8', 'UTF-8', 'Utf8', 'ascii', 'latin1', 'binary', 'hex', 'base64', 'base64url', 'ucs2', 'utf16le', 'buffer'] as const;

test('an ASCII-only directory: every encoding, with and without file types', async (t) => {
  const dir = scratch(t);
  for (const name of ['b', 'a', 'B', 'A', '_', '~', '10', '9', 'a.b', 'a-b', 'zz', 'z']) writeFileSync(join(dir, name), '');
  for (const encoding of ENCODINGS) {
    await sameOnBoth((fs) => (fs.readdir as AnyReaddir)(dir, encoding === undefined ? undefined : { encoding }));
    await sameOnBoth((fs) => (fs.readdir as AnyReaddir)(dir, { encoding, withFileTypes: true }));
  }
});

test('names with high bytes, valid UTF-8 or not: every encoding, sorted by the bytes', async (t) => {
  const dir = scratch(t);
  for (const name of ['é', 'e', 'ä', '\u{1f600}', '\uffff', '\ue000', 'a']) writeFileSync(join(dir, name), '');
  for (const bytes of [[0xff], [0x80, 0x41], [0xc3], [0xc3, 0xa9, 0xff], [0x61, 0xfe]]) {
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(bytes)]), '');
  }
  for (const encoding of ENCODINGS) {
    await sameOnBoth((fs) => (fs.readdir as AnyReaddir)(dir, encoding === undefined ? undefined : { encoding }));
    await sameOnBoth((fs) => (fs.readdir as AnyReaddir)(dir, { encoding, withFileTypes: true }));
  }
});
