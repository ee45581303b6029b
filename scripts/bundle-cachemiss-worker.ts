/**
 * Part of `npm run build`, after tsc: writes dist/engine/cachemiss-worker.cjs, the compiled
 * cachemiss worker and every module it imports as one CommonJS script, which each cachemiss
 * thread starts from (see engine/cachemiss-entry.ts for why: about 35 ms less CPU per thread).
 *
 * Usage: tsx scripts/bundle-cachemiss-worker.ts   (after `tsc -p tsconfig.build.json`)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleCachemissWorker } from '../engine/cachemiss-entry.js';

const compiled = fileURLToPath(new URL('../dist/engine/cachemiss-worker.js', import.meta.url));
if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run tsc -p tsconfig.build.json first`);
// 'koffi' as is: the script is shipped in the package and resolves koffi from where it is installed.
writeFileSync(fileURLToPath(new URL('../dist/engine/cachemiss-worker.cjs', import.meta.url)), bundleCachemissWorker(compiled, 'koffi'));
