// A kernel constant has one source, the generated header table: no module of the library defines
// its own copy of a name the table has (`const O_CLOEXEC = 0o2000000`), so a value can never
// disagree with the headers, or with another module's copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as generated from '../engine/syscalls/constants.generated.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.generated.ts') ? [path] : [];
  });
}

test('no library module defines its own copy of a generated constant', () => {
  const names = new Set(Object.keys(generated));
  const copies: string[] = [];
  const files = [...['engine', 'plugins', 'compat32', 'shim', 'cli', 'fs'].flatMap((dir) => {
    try {
      return sources(join(ROOT, dir));
    } catch {
      return []; // a layer not present in this checkout
    }
  }), join(ROOT, 'index.ts')];
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const match = /^\s*(?:export\s+)?const\s+([A-Z][A-Z0-9_]*)\s*=/.exec(line);
      if (match?.[1] !== undefined && names.has(match[1])) copies.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(files.length > 50, `${files.length} files scanned`);
  assert.deepEqual(copies, [], 'import these from engine/syscalls/constants.generated.ts instead');
});
