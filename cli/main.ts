#!/usr/bin/env node
/**
 * The `syslet-aio` executable (package.json `bin` → dist/cli/main.js). Also runs from source:
 * `node --import tsx cli/main.ts info`. Sets the exit code instead of calling process.exit, so
 * buffered output reaches a pipe before the process ends.
 */
import { processIo } from './io.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());
