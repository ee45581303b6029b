// The folders are the architecture: each layer imports only from the layers below it, koffi is
// imported only under engine/native/, and no module imports itself back through a cycle (type
// imports included: a cycle of types is still two modules that cannot be read one after the other).
// The rules and the scan live in architecture-rules.ts so that the check can be pointed at a
// deliberately broken tree too (below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { checkArchitecture, layerOf } from './helpers/architecture-rules.js';

const root = fileURLToPath(new URL('..', import.meta.url));

test('every import points down the layers, koffi stays in engine/native, and there is no cycle', () => {
  const report = checkArchitecture(root);
  assert.ok(report.filesScanned > 50, `scanned only ${report.filesScanned} files`);
  assert.deepEqual(report.upward, [], 'imports from a lower layer to a higher one');
  assert.deepEqual(report.koffiOutsideNative, [], 'koffi imported outside engine/native/');
  assert.deepEqual(report.cycles, [], 'import cycles');
});

test('the check catches an upward import, a stray koffi import and a cycle', () => {
  const files = new Map<string, string>([
    ['engine/executor.ts', "import { aio_read } from '../shim/aio_read.js';\n"],
    ['engine/atom.ts', "import koffi from 'koffi';\n"],
    ['shim/aio_read.ts', "import { a } from './a.js';\nimport type { X } from '../engine/executor.js';\n"],
    ['shim/a.ts', "import { b } from './b.js';\n"],
    ['shim/b.ts', "// a comment: import { a } from './nowhere.js'\nexport { a } from './a.js';\n"],
  ]);
  const report = checkArchitecture(root, files);
  assert.deepEqual(report.upward, ['engine/executor.ts -> shim/aio_read.ts (engine imports shim)']);
  assert.deepEqual(report.koffiOutsideNative, ['engine/atom.ts']);
  assert.deepEqual(report.cycles, [
    ['engine/executor.ts', 'shim/aio_read.ts'],
    ['shim/a.ts', 'shim/b.ts'],
  ]);
});

test('each top-level folder is one layer', () => {
  assert.equal(layerOf('engine/syscalls/table.ts')?.name, 'engine/syscalls');
  assert.equal(layerOf('engine/native/libc.ts')?.name, 'engine/native');
  assert.equal(layerOf('engine/executor.ts')?.name, 'engine');
  assert.equal(layerOf('plugins/builtin/file.ts')?.name, 'plugins');
  assert.equal(layerOf('compat32/convert.ts')?.name, 'compat32');
  assert.equal(layerOf('shim/aio_read.ts')?.name, 'shim');
  assert.equal(layerOf('cli/main.ts')?.name, 'cli');
  assert.equal(layerOf('index.ts')?.name, 'index');
  assert.equal(layerOf('test/x.test.ts'), undefined);
});
