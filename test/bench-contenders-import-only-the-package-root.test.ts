/**
 * The library's bench contenders use what a user imports: the package root (`../../index.js`,
 * i.e. `syslet-aio`), never a module under engine/, shim/, plugins/ or compat32/ (issue 16: the
 * old contender configured and warmed the POSIX layer's pool through shim/context). Peers may
 * reach engine/native and engine/syscalls (syscall numbers, struct sizes): the FFI floors measure
 * that boundary itself, and the glibc peer binds glibc through it. A static check of every import in bench/contenders and the bench's host.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const contenders = path.join(root, 'bench/contenders');

/** Every module specifier of a file: static imports and exports, and string-literal dynamic imports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm)) found.push(m[1] as string);
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1] as string);
  for (const m of source.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)) found.push((m[1] as string).trim());
  return found;
}

/** The repository folder an import resolves into (`index.ts` for the root, `bench` for the bench's own). */
function target(fromFile: string, specifier: string): string {
  if (specifier.startsWith('node:')) return 'node:';
  if (!specifier.startsWith('.')) return specifier;
  const resolved = path.relative(root, path.resolve(path.dirname(fromFile), specifier));
  return resolved === 'index.js' ? 'index.ts' : (resolved.split(path.sep)[0] ?? resolved);
}

test('the library contenders import only the package root, node: modules and the bench itself', () => {
  const file = path.join(contenders, 'syslet.ts');
  const found = specifiers(readFileSync(file, 'utf8'));
  assert.ok(found.length > 0, 'imports found');
  for (const s of found) {
    assert.ok(!s.includes('`') && /^['"]?[^'"]+['"]?$/.test(s) && (s.startsWith('.') || s.startsWith('node:')), `a literal relative or node: specifier, got ${s}`);
    assert.ok(['index.ts', 'bench', 'node:'].includes(target(file, s)), `syslet.ts imports ${s}`);
  }
  assert.ok(found.some((s) => target(file, s) === 'index.ts'), 'the contenders come from the package root');
});

test('no contender imports the POSIX shim, the plugins, compat32 or the engine above its FFI boundary', () => {
  const files = readdirSync(contenders).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 4);
  for (const name of files) {
    const file = path.join(contenders, name);
    for (const s of specifiers(readFileSync(file, 'utf8'))) {
      const resolved = s.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), s)) : s;
      assert.ok(!/^(shim|plugins|compat32|cli)\//.test(resolved), `${name} imports ${s}`);
      if (resolved.startsWith('engine/')) assert.ok(/^engine\/(native|syscalls)\//.test(resolved), `${name} imports ${s}`);
      assert.ok(!(name === 'syslet.ts' && resolved.startsWith('engine/')), `${name} imports ${s}`);
    }
  }
});

test('the host loads the library contenders by themselves (no peer module in that process)', () => {
  const host = readFileSync(path.join(root, 'bench/host.ts'), 'utf8');
  const staticImports = [...host.matchAll(/^import\s+(?!type\b)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  for (const s of staticImports) assert.ok(!(s ?? '').includes('contenders/'), `host.ts statically imports ${s ?? ''}: every process would load it`);
});
