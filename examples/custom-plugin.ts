/**
 * A custom syslet plugin written only against the public API, as a user would write one:
 * `log.append` opens a log file for appending, writes one line, makes it durable and closes the
 * file — four syscalls, one submission. Its parameters are plain JavaScript values (a path
 * string and the line's bytes: no engine.alloc), its atoms have names, and a failed write still
 * closes the fd (a branch expressed with STOP_ON_NEGATIVE | SKIP_TO_NEXT_ON_STOP). A mistake in
 * the template is caught when the plugin is defined (and, in TypeScript, when it is compiled).
 *
 * Run: node --import tsx examples/custom-plugin.ts [log file]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AT_FDCWD, Engine, O_APPEND, O_CLOEXEC, O_CREAT, O_WRONLY, definePlugin, isPluginDefinitionError, SYSLET_SKIP_TO_NEXT_ON_STOP,
  SYSLET_STOP_ON_NEGATIVE, type AtomCall,
} from '../index.js';

const O_WRONLY_CREAT_APPEND_CLOEXEC = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;

/** log.append: openat(O_APPEND) → write → fdatasync → close; a failed write skips to its own close. */
const logAppend = definePlugin({
  name: 'log.append',
  description: 'Append one line to a log file durably: openat + write + fdatasync + close',
  params: { path: 'path', line: 'in' },
  atoms: [
    { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_WRONLY_CREAT_APPEND_CLOEXEC, 0o644], flags: SYSLET_STOP_ON_NEGATIVE },
    {
      id: 'write', call: 'write', args: [{ result: 'open' }, { param: 'line' }, { lengthOf: 'line' }],
      flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 'sync',
    },
    { id: 'closeAfterError', call: 'close', args: [{ result: 'open' }], next: null }, // only after a failed write
    { id: 'sync', call: 'fdatasync', args: [{ result: 'open' }] },
    { id: 'close', call: 'close', args: [{ result: 'open' }] },
  ],
});

/** readFile: the README's example — a path in, the file's first bytes out. */
const readFile = definePlugin({
  name: 'my.readFile',
  params: { path: 'path', buf: 'out' },
  atoms: [
    { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

async function main(): Promise<void> {
  const dir = process.argv[2] === undefined ? mkdtempSync(join(tmpdir(), 'syslet-example-')) : null;
  const logPath = process.argv[2] ?? join(dir as string, 'app.log');
  await using engine = new Engine();
  try {
    for (const text of ['first line\n', 'second line\n']) {
      const outcome = await logAppend.run(engine, { path: logPath, line: Buffer.from(text) });
      const summary = outcome.atoms.map((atom) => `${atom.id ?? atom.call}=${atom.executed ? `${String(atom.result)}${atom.errno === undefined ? '' : ` ${atom.errno}`}` : '-'}`);
      console.log(`${outcome.plugin} (${outcome.mode}, stop ${outcome.stop} after ${outcome.lastId}, ${outcome.atomsExecuted} atoms): ${summary.join(' ')}`);
    }
    const { byId, outputs } = await readFile.run(engine, { path: logPath, buf: 4096 });
    console.log(`log: ${JSON.stringify(outputs.buf.subarray(0, Number(byId.read.result)).toString())}`);

    // Validation happens at definition time: this template closes the fd of an atom that has not run yet.
    try {
      definePlugin({ name: 'log.broken', params: {}, atoms: [{ call: 'close', args: [{ result: 'pid' }] }, { id: 'pid', call: 'getpid', args: [] }] });
    } catch (error) {
      if (!isPluginDefinitionError(error)) throw error;
      console.log(`rejected: ${error.message}`);
    }
    // A misspelt call fails to compile; in plain JavaScript (here, a cast) definePlugin refuses it.
    try {
      definePlugin({ name: 'log.typo', params: {}, atoms: [{ call: 'opneat' as AtomCall, args: [] }] });
    } catch (error) {
      if (!isPluginDefinitionError(error)) throw error;
      console.log(`rejected: ${error.message}`);
    }
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
