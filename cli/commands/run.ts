/**
 * `syslet-aio run`: run one plugin — a user's JSON or module file, or a registered name — on a
 * fresh engine and print every atom's result with its errno name. The quickest way to see what a
 * chain does before wiring it into code.
 */
import { isPluginDefinitionError } from '../../plugins/errors.js';
import { freeParams, loadPlugin, PluginLoadError, resolveParams, type ResolvedParams } from '../../plugins/loader.js';
import type { Plugin, PluginAbortError, PluginRunResult } from '../../plugins/plugin.js';
import { Engine } from '../../engine/engine.js';
import { isAbortError } from '../../engine/errors.js';
import { errnoMessage } from '../../engine/native/index.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';

/** Stop reasons that mean the chain did not finish the way its template says. */
const ABNORMAL_STOPS = new Set(['fault', 'limit', 'cancelled', 'died']);
/** Most bytes of a buf:N parameter shown: in text output, and in JSON. */
const TEXT_PREVIEW = 200;
const JSON_PREVIEW = 4096;
/** The longest --timeout: a timer in Node (and the run's) takes at most 2^31-1 ms. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** The `run` command. Exit 0 when the chain ran clean, 1 when an atom failed or the chain stopped abnormally, 2 for a bad command line. */
export default defineCommand({
  description:
    'Loads a plugin and runs it once on a new engine, then prints each atom: whether it ran, its ' +
    'one-word result and, for a negative result, the errno name. <plugin> is a registered name ' +
    "(see 'syslet-aio plugins'), a .json file with a definition (flags may be names such as " +
    '"STOP_ON_NEGATIVE|SKIP_TO_NEXT_ON_STOP"), or a .js/.mjs module (.ts with a TypeScript loader such as tsx, or Node 23.6+) whose default export is a ' +
    'definition or a definePlugin() result. Parameter values are integers (4096, -100, 0x1000, ' +
    '0o644), kernel constants by name (AT_FDCWD, O_RDONLY, SEEK_END) or names and integers joined by | ' +
    '(O_WRONLY|O_CREAT|O_TRUNC), and ip:A.B.C.D; a path parameter takes the path (path=/etc/hostname), an in parameter ' +
    'text, an out parameter a byte count (its bytes are shown after the run); a ptr parameter takes ' +
    '@text (a C string in engine memory) or buf:N (N zeroed bytes, shown after the run). Exit ' +
    'status: 0 when every executed atom succeeded, 1 when an atom returned -errno or the chain ' +
    'stopped on a fault, the atom limit, a timeout or cancellation, 2 for a usage error.',
  options: {
    param: { type: 'string', multiple: true, valueName: '<name=value>', description: 'A parameter value (repeat for each parameter)' },
    json: { type: 'boolean', description: 'Print the outcome as one JSON document' },
    timeout: { type: 'string', valueName: '<ms>', description: 'Stop the chain after this many milliseconds (a blocked call is interrupted; the atoms show where it stopped)' },
  },
  positionals: [{ name: 'plugin', description: 'A registered plugin name, or a .json / .js / .mjs / .ts plugin file' }],
  examples: [
    'syslet-aio run file.readAll --param path=@/etc/hostname --param buf=buf:4096 --param chunk=4096 --param chunks=1',
    'syslet-aio run examples/read-file.json --param path=/etc/hostname --param buf=64',
    'syslet-aio run examples/pid.json --json',
    'syslet-aio run ./my-plugin.mjs --param fd=0 --timeout 1000',
  ],
  async run({ values, positionals, io }) {
    const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
    // The run's timer takes at most 2^31-1 ms; a longer one is refused here, as a bad command line,
    // and not by the run after the plugin has loaded (which exited 1, naming no option).
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= MAX_TIMEOUT_MS)) {
      throw new UsageError(`--timeout ${values.timeout}: expected a positive number of milliseconds, a whole number up to ${MAX_TIMEOUT_MS}`);
    }
    const plugin = await load(positionals[0] as string);
    const engine = new Engine();
    try {
      let resolved: ResolvedParams;
      try {
        resolved = resolveParams(engine, plugin, values.param ?? []);
      } catch (error) {
        throw error instanceof PluginLoadError ? new UsageError(error.message) : error;
      }
      const { result, timedOut } = await runOnce(plugin, engine, resolved, timeout);
      const failed = timedOut ? `timed out after ${timeout} ms: stopped (${result.stop}) ${where(result)}` : failure(result);
      if (values.json === true) io.out(`${JSON.stringify(jsonDocument(result, resolved, failed), null, 2)}\n`);
      else io.out(renderText(result, resolved));
      freeParams(engine, resolved);
      if (failed === null) return EXIT.ok;
      io.err(`syslet-aio run: ${plugin.name}: ${failed}\n`);
      return EXIT.failure;
    } finally {
      await engine.close();
    }
  },
});

async function load(spec: string): Promise<Plugin> {
  try {
    return await loadPlugin(spec);
  } catch (error) {
    if (error instanceof PluginLoadError) throw error.usage ? new UsageError(error.message) : new CliError(error.message, { cause: error });
    if (isPluginDefinitionError(error)) throw new CliError(`invalid plugin: ${error.message}`, { cause: error });
    throw error;
  }
}

async function runOnce(plugin: Plugin, engine: Engine, resolved: ResolvedParams, timeout: number | undefined): Promise<{ result: PluginRunResult; timedOut: boolean }> {
  try {
    return { result: await plugin.run(engine, resolved.params, timeout === undefined ? {} : { timeout }), timedOut: false };
  } catch (error) {
    // The timeout stopped the chain (a blocked call was interrupted): its atoms say where.
    if (isAbortError(error)) return { result: (error as PluginAbortError).result, timedOut: true };
    // A parameter value the plugin refuses (out of range for its field, of the wrong type) came
    // from the command line: a usage error, exit 2, as an unknown parameter is.
    if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
}

/** Why the run counts as failed, or null when it does not. */
function failure(result: PluginRunResult): string | null {
  const failedAtom = result.atoms.find((atom) => atom.errno !== undefined);
  if (failedAtom !== undefined) return `atom ${failedAtom.index} (${failedAtom.call}) failed with ${failedAtom.errno} (${errnoMessage(Number(failedAtom.result))})`;
  if (ABNORMAL_STOPS.has(result.stop)) return `the chain stopped abnormally (${result.stop}) ${where(result)}`;
  return null;
}

/** Where the chain stopped, in words: `after atom 3 (close)`, or before its first atom. */
function where(result: PluginRunResult): string {
  if (result.last < 0) return 'before any atom ran';
  return `after atom ${result.last}${result.lastId === undefined ? '' : ` (${result.lastId})`}`;
}

/** The bytes to show after the run: `out` parameters, then `buf:N` ptr parameters. */
function shownBuffers(result: PluginRunResult, resolved: ResolvedParams): [string, Uint8Array][] {
  return [...Object.entries(result.outputs), ...resolved.buffers.map(({ name, region }): [string, Uint8Array] => [name, region.bytes])];
}

/** A buffer's content up to its last non-zero byte, at most `limit` bytes, as text. */
function preview(bytes: Uint8Array, limit: number): { length: number; text: string } {
  let end = Math.min(bytes.length, limit);
  while (end > 0 && bytes[end - 1] === 0) end--;
  return { length: end, text: Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8') };
}

function renderText(result: PluginRunResult, resolved: ResolvedParams): string {
  const callWidth = Math.max(4, ...result.atoms.map((atom) => atom.call.length));
  const rows = result.atoms.map((atom) => {
    const value = atom.executed ? String(atom.result) : '-';
    const note = !atom.executed ? 'not executed' : atom.errno === undefined ? '' : `${atom.errno} (${errnoMessage(Number(atom.result))})`;
    return `  ${String(atom.index).padStart(2)}  ${atom.call.padEnd(callWidth)}  ${value.padStart(12)}  ${note}`.trimEnd();
  });
  const lines = [
    `${result.plugin}: stopped (${result.stop}) ${where(result)}, ${result.atomsExecuted} atoms run, ${result.mode}, ${(result.latencyNs / 1000).toFixed(1)} µs`,
    `   #  ${'call'.padEnd(callWidth)}  ${'result'.padStart(12)}  errno`,
    ...rows,
  ];
  const cells = Object.entries(result.cells);
  if (cells.length > 0) lines.push(`  cells: ${cells.map(([name, value]) => `${name}=${String(value)}`).join(' ')}`);
  for (const [name, bytes] of shownBuffers(result, resolved)) {
    const shown = preview(bytes, TEXT_PREVIEW);
    lines.push(`  ${name} (${bytes.length} bytes): ${JSON.stringify(shown.text)}${shown.length === TEXT_PREVIEW ? '…' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

function jsonDocument(result: PluginRunResult, resolved: ResolvedParams, failed: string | null): unknown {
  const buffers: Record<string, { size: number; text: string }> = {};
  for (const [name, bytes] of shownBuffers(result, resolved)) buffers[name] = { size: bytes.length, text: preview(bytes, JSON_PREVIEW).text };
  // bigint values (beyond 2^53) are written as strings: JSON has no 64-bit integers.
  const word = (value: number | bigint): number | string => (typeof value === 'bigint' ? value.toString() : value);
  return {
    plugin: result.plugin,
    ok: failed === null,
    ...(failed === null ? {} : { failure: failed }),
    stop: result.stop,
    last: result.last,
    ...(result.lastId === undefined ? {} : { lastId: result.lastId }),
    atomsExecuted: result.atomsExecuted,
    mode: result.mode,
    latencyNs: Math.round(result.latencyNs),
    atoms: result.atoms.map((atom) => ({ ...atom, ...(atom.result === undefined ? {} : { result: word(atom.result) }) })),
    cells: Object.fromEntries(Object.entries(result.cells).map(([name, value]) => [name, word(value)])),
    scratch: Object.fromEntries(Object.entries(result.scratch).map(([name, bytes]) => [name, bytes.toString('hex')])),
    buffers,
  };
}
