/**
 * putPath writes a path as TextEncoder's UTF-8 with a NUL after it, whether the target is a
 * Buffer (the slots' path buffers: written in place with Buffer.write) or a plain Uint8Array
 * (encodeInto): the same bytes for ASCII, multi-byte characters, surrogate pairs and lone
 * surrogates (U+FFFD), the longest path that fits, ENAMETOOLONG one byte past it, EINVAL for a NUL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EINVAL, ENAMETOOLONG } from '../engine/native/index.js';
import { PATH_BYTES, putPath } from '../plugins/request-paths.js';

const PATHS: readonly string[] = [
  '/etc/hostname',
  '/tmp/é/ü/日本語',
  '/tmp/emoji-😀',
  '/tmp/lone-\ud800-high',
  '/tmp/lone-\udc00-low',
  'x',
  '',
  '日'.repeat(1365), // 4,095 bytes: the longest that fits with its NUL
  'a'.repeat(PATH_BYTES - 1),
];

function targets(): [string, Uint8Array][] {
  return [['Buffer', Buffer.alloc(PATH_BYTES, 0xaa)], ['Uint8Array', new Uint8Array(PATH_BYTES).fill(0xaa)]];
}

test('putPath writes TextEncoder\'s bytes and a NUL into a Buffer and into a Uint8Array', () => {
  const encoder = new TextEncoder();
  for (const path of PATHS) {
    const expected = encoder.encode(path);
    for (const [kind, target] of targets()) {
      assert.equal(putPath(target, path), 0, `${kind}: ${path.slice(0, 20)}`);
      assert.deepEqual(Buffer.from(target.subarray(0, expected.length)), Buffer.from(expected), `${kind}: ${path.slice(0, 20)}`);
      assert.equal(target[expected.length], 0, `${kind}: NUL after ${path.slice(0, 20)}`);
    }
  }
});

test('putPath refuses a path one byte too long (ENAMETOOLONG) and a NUL inside (EINVAL) on both targets', () => {
  for (const [kind, target] of targets()) {
    assert.equal(putPath(target, '日'.repeat(1366)), ENAMETOOLONG, kind);
    assert.equal(putPath(target, 'a'.repeat(PATH_BYTES)), ENAMETOOLONG, kind);
    assert.equal(putPath(target, `${'日'.repeat(1365)}a`), ENAMETOOLONG, `${kind}: 4,095 + 1 bytes`);
    assert.equal(putPath(target, '/tmp/a\0b'), EINVAL, kind);
    assert.equal(putPath(target, Buffer.from('/tmp/a\0b')), EINVAL, kind);
  }
});
