/**
 * Part of `npm run build`, after tsc and the cachemiss worker's bundle: writes dist/pkg/, the
 * package's entry points (index.js, fs.js and the CLI's main.js, which package.json's `exports`,
 * `main` and `bin` name) with every module they import bundled in, and the modules two of them
 * share in chunks beside them (esbuild's code splitting), so that a process importing both
 * `syslet-aio` and `syslet-aio/fs` still has one engine module, one registry, one shared engine.
 *
 * Why: importing `syslet-aio/fs` loaded 118 modules, and a fresh process spent about 145 ms of
 * CPU on the import (Node's own start left out) against about 65 ms for the same code in one
 * file — a cost every short-lived program (a CLI, a test run, a serverless start) pays before
 * its first call, where node:fs/promises costs nothing. koffi stays outside, resolved from where
 * the package is installed. The modules under dist/ stay as tsc wrote them, for the bench and
 * the type declarations.
 *
 * The bundle lives one level under dist/ as the modules it replaces do (dist/engine/...,
 * dist/plugins/...), so paths a module makes from its own URL (the cachemiss worker's script in
 * ../engine/, the package root two levels up) name the same files from both.
 *
 * Usage: tsx scripts/bundle-package.ts   (after tsc -p tsconfig.build.json)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { restoreConsts } from './restore-consts.js';

interface Esbuild {
  buildSync(options: Record<string, unknown>): { readonly errors: readonly unknown[] };
}

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entries = ['index.js', 'fs.js', 'cli/main.js'].map((file) => `${dist}${file}`);
for (const entry of entries) if (!existsSync(entry)) throw new Error(`${entry} is missing: run tsc -p tsconfig.build.json first`);

// esbuild as tsx resolves it (tsx depends on it), as scripts/bundle-cachemiss-worker.ts does.
const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
const esbuild = fromTsx('esbuild') as Esbuild;
const out = `${dist}pkg`;
rmSync(out, { recursive: true, force: true });
esbuild.buildSync({
  entryPoints: entries,
  outdir: out,
  entryNames: '[name]',
  chunkNames: 'shared-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['koffi'],
  logLevel: 'warning',
});

// esbuild made every top-level const a var; give back those never assigned (scripts/restore-consts.ts).
let restored = 0;
for (const name of readdirSync(out)) {
  if (!name.endsWith('.js')) continue;
  const path = `${out}/${name}`;
  const result = restoreConsts(readFileSync(path, 'utf8'), path);
  writeFileSync(path, result.code);
  restored += result.restored;
}
if (restored === 0) throw new Error('restore-consts changed nothing: has esbuild stopped writing top-level var?');
