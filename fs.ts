/**
 * The `syslet-aio/fs` subpath: node:fs/promises on canned syslets. Switching is one import:
 *
 * ```ts
 * import { readFile, stat, open } from 'syslet-aio/fs'; // was: from 'node:fs/promises'
 * ```
 *
 * The functions, FileHandle and shared engine live in fs/ (beside shim/); this file is the
 * package's entry for the subpath, as index.ts is for the root. docs/fs.md lists what runs on
 * syslets and what is node:fs/promises's own.
 */
export * from './fs/index.js';
export { default } from './fs/index.js';
