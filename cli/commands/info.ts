/**
 * `syslet-aio info`: what this kernel offers the engine, and the policy a new engine starts
 * with. The first thing to run on a new machine, and what to paste into a bug report.
 */
import { statSync } from 'node:fs';
import { probeFeatures } from '../../engine/features.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import { infoDocument, renderInfo } from '../info-report.js';
import { packageVersion } from '../version.js';

/** The `info` command: probe, then print the report as text or JSON. Exits 0 whenever a report was made. */
export default defineCommand({
  description:
    'Probes the kernel once for each feature the engine relies on (RWF_NOWAIT reads and buffered ' +
    'writes, openat2 RESOLVE_CACHED, MAP_32BIT, eventfd, signalfd, io_uring) and prints what it ' +
    'found and what that means for the inline fast path, followed by the syscall policy: how many ' +
    'calls atoms may make and the hard deny-list with its reasons. A missing feature is reported, ' +
    'not an error: the exit code is 0 whenever the report could be made.',
  options: {
    json: { type: 'boolean', description: 'Print the report as one JSON document (for scripts and bug reports)' },
    dir: {
      type: 'string',
      valueName: '<dir>',
      description: 'Directory for the temporary probe file (default: the OS temp dir); its file system decides the write probe',
    },
  },
  positionals: [],
  examples: ['syslet-aio info', 'syslet-aio info --json | jq .rwfNowaitRead', 'syslet-aio info --dir /mnt/xfs'],
  run({ values, io }) {
    if (values.dir !== undefined) assertDirectory(values.dir);
    const report = probeFeatures(values.dir === undefined ? {} : { dir: values.dir });
    const document = infoDocument(report, packageVersion());
    io.out(values.json === true ? `${JSON.stringify(document, null, 2)}\n` : renderInfo(document));
    return EXIT.ok;
  },
});

/** A --dir that is not a directory is the user's mistake: say so instead of reporting every file probe as failed. */
function assertDirectory(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`--dir ${dir}: ${code === 'ENOENT' ? 'no such directory' : 'cannot stat'}${code === undefined ? '' : ` (${code})`}`, { cause: error });
  }
  if (!isDirectory) throw new CliError(`--dir ${dir}: not a directory`);
}
