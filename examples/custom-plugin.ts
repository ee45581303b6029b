/**
 * A custom syslet plugin written only against the public API, as a user would write one:
 * `log.append` opens a log file for appending, writes one line, makes it durable and closes the
 * file — four syscalls, one submission. A failed write still closes the fd (a branch expressed
 * with STOP_ON_NEGATIVE | SKIP_TO_NEXT_ON_STOP), and a mistake in the template is caught when the
 * plugin is defined, not when it runs.
 *
 * Run: node --import tsx examples/custom-plugin.ts [log file]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Engine, definePlugin, isPluginDefinitionError, readFileSyslet,
  SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE,
} from '../index.js';

const AT_FDCWD = -100;
const O_WRONLY_CREAT_APPEND_CLOEXEC = 0o1 | 0o100 | 0o2000 | 0o2000000;

/** log.append: openat(O_APPEND) → write → fdatasync → close; a failed write skips to its own close. */
const logAppend = definePlugin({
  name: 'log.append',
  description: 'Append one line to a log file durably: openat + write + fdatasync + close',
  params: { path: 'ptr', line: 'ptr', length: 'size' },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_WRONLY_CREAT_APPEND_CLOEXEC, 0o644], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'write', args: [{ result: 0 }, { param: 'line' }, { param: 'length' }], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 3 },
    { call: 'close', args: [{ result: 0 }], next: null }, // only after a failed write
    { call: 'fdatasync', args: [{ result: 0 }] },
    { call: 'close', args: [{ result: 0 }] },
  ],
});

async function main(): Promise<void> {
  const dir = process.argv[2] === undefined ? mkdtempSync(join(tmpdir(), 'syslet-example-')) : null;
  const logPath = process.argv[2] ?? join(dir as string, 'app.log');
  const engine = new Engine();
  try {
    // Chains may only touch engine memory: put the path and each line there.
    const memory = engine.alloc(8192);
    const path = Buffer.from(`${logPath}\0`);
    memory.bytes.set(path);
    const lineAt = memory.start + 4096;
    for (const text of ['first line\n', 'second line\n']) {
      const line = Buffer.from(text);
      memory.bytes.set(line, 4096);
      const outcome = await logAppend.run(engine, { path: memory.start, line: lineAt, length: line.length });
      const summary = outcome.atoms.map((atom) => `${atom.call}=${atom.executed ? `${String(atom.result)}${atom.errno === undefined ? '' : ` ${atom.errno}`}` : '-'}`);
      console.log(`${outcome.plugin} (${outcome.mode}, stop ${outcome.stop}): ${summary.join(' ')}`);
    }
    console.log(`log: ${JSON.stringify((await readFileSyslet(engine, logPath)).toString())}`);

    // Validation happens at definition time: this template reads the fd of an atom that has not run yet.
    try {
      definePlugin({ name: 'log.broken', params: {}, atoms: [{ call: 'close', args: [{ result: 1 }] }, { call: 'getpid', args: [] }] });
    } catch (error) {
      if (!isPluginDefinitionError(error)) throw error;
      console.log(`rejected: ${error.message}`);
    }
  } finally {
    await engine.close();
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
