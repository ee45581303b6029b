/**
 * The package version, read from package.json. The CLI runs both from source (cli/main.ts) and
 * built (dist/cli/main.js), which sit at different depths, so the file is found by walking up to
 * the package.json that names this package rather than by a fixed relative path.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'syslet-aio';

/**
 * packageVersion - the version of the syslet-aio package this CLI belongs to.
 *
 * @returns e.g. `'0.1.0'`.
 * @throws Error when no package.json naming syslet-aio lies above this module (a broken install).
 * @example
 * ```ts
 * console.log(`syslet-aio ${packageVersion()}`);
 * ```
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json for ${PACKAGE_NAME} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readManifest(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
