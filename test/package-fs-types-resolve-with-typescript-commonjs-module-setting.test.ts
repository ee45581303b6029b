/**
 * A CommonJS TypeScript project with `"module": "commonjs"` and TypeScript 5's default resolution
 * for it, `node10` (which does not read the package's `exports`), finds syslet-aio/fs's declarations through the package's
 * `typesVersions`, typechecks Node's types through them, and the compiled `require()` runs. Before
 * `typesVersions`, tsc answered TS2307 ("Cannot find module 'syslet-aio/fs'") for the subpath
 * while the package root resolved.
 *
 * Needs the npm registry or a warm npm cache, as the other package tests do.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball, ROOT, run, type InstalledPackage } from './helpers/tarball.js';

let installed: InstalledPackage | undefined;

before(async () => {
  installed = await installPackedTarball();
});

after(() => {
  if (installed !== undefined) rmSync(installed.work, { recursive: true, force: true });
});

test('module commonjs with node10 resolution resolves syslet-aio/fs types, typechecks and runs the compiled require', async () => {
  assert.ok(installed !== undefined, 'the package is installed');
  const project = join(installed.work, 'ts-commonjs-consumer');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'ts-commonjs-consumer', version: '1.0.0', private: true, type: 'commonjs' }));
  await run('npm', ['install', installed.tarball, '--prefer-offline', '--no-audit', '--no-fund'], project, 120_000);
  writeFileSync(
    join(project, 'main.ts'),
    `import { readFile, stat } from 'syslet-aio/fs';
import type { Stats } from 'node:fs';
import { Engine } from 'syslet-aio';
async function main(): Promise<void> {
  const text: string = await readFile('package.json', 'utf8');
  const stats: Stats = await stat('package.json');
  // Typechecked, never called: Node's types are in force.
  // @ts-expect-error readFile's encoding is a string, not a number
  const wrong = (): unknown => readFile('package.json', 42);
  void wrong;
  console.log(JSON.stringify({ name: JSON.parse(text).name, sized: stats.size === Buffer.byteLength(text), engine: typeof Engine }));
}
void main();
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2023',
        module: 'commonjs',
        // TypeScript 5's default for module commonjs; 6.0 defaults to bundler and deprecates it.
        moduleResolution: 'node10',
        ignoreDeprecations: '6.0',
        strict: true,
        outDir: 'out',
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files: ['main.ts'],
    }),
  );
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  assert.ok(existsSync(tsc), 'the repository has TypeScript installed');
  await run(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  const out = await run(process.execPath, [join('out', 'main.js')], project);
  assert.deepEqual(JSON.parse(out.stdout), { name: 'ts-commonjs-consumer', sized: true, engine: 'function' });
});
