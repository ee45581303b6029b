/**
 * Loading a plugin from where a user keeps it — a registry name, a JSON file, or a JavaScript /
 * TypeScript module — and turning `name=value` words into parameters. Used by `syslet-aio run`;
 * useful to any tool that takes plugins from the command line or a config file.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Engine } from '../engine/engine.js';
import type { Region } from '../engine/memory.js';
import { ipv4 } from './builtin/net.js';
import { constantValue, definitionFromJson } from './json.js';
import { definePlugin, type Plugin } from './plugin.js';
import { defaultRegistry, isPlugin, type PluginRegistry } from './registry.js';
import type { PluginParams } from './types.js';

/** File extensions loaded as modules; `.json` is parsed as a definition. */
export const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];
/** Largest `buf:N` parameter. */
export const MAX_PARAM_BUFFER = 64 << 20;

/**
 * PluginLoadError - a plugin could not be loaded or its parameters could not be made. `usage`
 * is true when the mistake is in what was asked for (an unknown name, a malformed value) rather
 * than in a file's content.
 */
export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError' as const;
  readonly usage: boolean;

  constructor(message: string, usage: boolean, options?: ErrorOptions) {
    super(message, options);
    this.usage = usage;
  }
}

/** Whether `spec` names a file rather than a registered plugin. */
export function isPluginFile(spec: string): boolean {
  return spec.includes('/') || extname(spec) === '.json' || MODULE_EXTENSIONS.includes(extname(spec));
}

/**
 * loadPlugin - the plugin `spec` names.
 *
 * @param spec - a registered name (`file.readAll`); a `.json` file holding a definition (flags
 *   may be names, see definitionFromJson); or a module whose default export is a definition or a
 *   compiled plugin. Anything containing `/` or ending in one of those extensions is a file.
 * @param registry - where names are looked up (default: the default registry).
 * @throws PluginLoadError (usage) for an unknown name; PluginLoadError for an unreadable file,
 *   bad JSON, or a module without a plugin default export; PluginDefinitionError for an invalid
 *   definition.
 */
export async function loadPlugin(spec: string, registry: PluginRegistry = defaultRegistry): Promise<Plugin> {
  if (!isPluginFile(spec)) {
    const plugin = registry.get(spec);
    if (plugin === undefined) throw new PluginLoadError(`unknown plugin '${spec}' (not a file, not registered; 'syslet-aio plugins' lists them)`, true);
    return plugin;
  }
  const path = resolveSpec(spec);
  if (extname(spec) === '.json') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new PluginLoadError(`cannot read ${spec}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, false, { cause: error });
    }
    let document: unknown;
    try {
      // A UTF-8 byte-order mark (what some Windows editors save) is not JSON, but Node's require()
      // of a .json file skips it: so does this loader.
      document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
      throw new PluginLoadError(`${spec} is not JSON: ${(error as Error).message}`, false, { cause: error });
    }
    return definePlugin(definitionFromJson(document));
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A .ts module loads only where Node can: with a TypeScript loader (node --import tsx) or a
    // Node that strips types (23.6 and later); say so rather than only "Unknown file extension".
    const reason = code === 'ERR_MODULE_NOT_FOUND' ? 'no such file' : code === 'ERR_UNKNOWN_FILE_EXTENSION' && extname(spec) === '.ts' ? `${(error as Error).message} (a .ts plugin needs a TypeScript loader: node --import tsx, or Node 23.6 or later)` : (error as Error).message;
    throw new PluginLoadError(`cannot load ${spec}: ${reason}`, false, { cause: error });
  }
  const exported = module.default;
  if (isPlugin(exported)) return exported;
  if (typeof exported === 'object' && exported !== null && 'atoms' in exported) return definePlugin(exported as never);
  throw new PluginLoadError(`${spec} has no plugin: its default export must be a definition or the result of definePlugin`, false);
}

/**
 * The file a spec names: relative to the current directory, or — for `examples/…` that is not
 * there — the example shipped in the package (`syslet-aio run examples/pid.json` works from any
 * directory, as the README shows it).
 */
function resolveSpec(spec: string): string {
  const path = resolve(spec);
  const relative = normalize(spec);
  if (existsSync(path) || isAbsolute(spec) || !relative.startsWith('examples/')) return path;
  // From the sources (plugins/) or the build (dist/plugins/): the package root is one or two levels up.
  for (const up of ['../', '../../']) {
    const shipped = fileURLToPath(new URL(`${up}${relative}`, import.meta.url));
    if (existsSync(shipped)) return shipped;
  }
  return path;
}

/** A `buf:N` parameter: engine memory whose content is shown after the run. */
export interface ParamBuffer {
  readonly name: string;
  readonly region: Region;
}

/** What {@link resolveParams} made. */
export interface ResolvedParams {
  readonly params: PluginParams;
  /** Engine memory made for `@text` and `buf:N` values; free it with {@link freeParams}. */
  readonly regions: readonly Region[];
  /** The `buf:N` ones, by parameter, for showing their content. */
  readonly buffers: readonly ParamBuffer[];
}

/**
 * parseInteger - an integer in decimal, `0x` hex, `0o` octal or `0b` binary, optionally negative.
 * @returns a number when exact, a bigint beyond 2^53, undefined when `text` is not one.
 */
export function parseInteger(text: string): number | bigint | undefined {
  const match = /^(-?)(0x[0-9a-f]+|0o[0-7]+|0b[01]+|\d+)$/i.exec(text.trim());
  if (match === null) return undefined;
  const magnitude = BigInt(match[2] as string);
  const value = match[1] === '-' ? -magnitude : magnitude;
  if (value < -(2n ** 63n) || value >= 2n ** 64n) return undefined;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * parseParamValue - a parameter's integer as the command line gives it: an integer (see
 * {@link parseInteger}), a kernel constant by its C name (`AT_FDCWD`, `O_RDONLY`, `SEEK_END`,
 * `MSG_DONTWAIT`: the names a JSON definition's arguments take, see {@link constantValue}), or
 * several of them joined by `|` (`O_WRONLY|O_CREAT|O_TRUNC`, `O_CREAT|0x80000`), OR-ed as the C expression is.
 *
 * @returns the value (a bigint beyond 2^53), or undefined when a term is neither an integer nor a
 *   known name.
 * @example parseParamValue('O_WRONLY|O_CREAT') === 0o101
 */
export function parseParamValue(text: string): number | bigint | undefined {
  const terms = text.split('|');
  if (terms.length === 1) return parseInteger(text) ?? constantValue(text);
  let value = 0n;
  for (const term of terms) {
    // One name at a time: constantValue would also take a joined list, but terms may mix integers.
    const part = parseInteger(term) ?? (term.trim() === '' ? undefined : constantValue(term));
    if (part === undefined) return undefined;
    value |= BigInt.asUintN(64, BigInt(part));
  }
  const signed = BigInt.asIntN(64, value);
  return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : value;
}

/**
 * resolveParams - turn `name=value` words into a plugin's parameters. Values:
 * - an integer (`4096`, `-100`, `0x1000`, `0o644`), a kernel constant's C name (`AT_FDCWD`), or
 *   several joined by `|` (`O_WRONLY|O_CREAT|O_TRUNC`): see {@link parseParamValue};
 * - `ip:A.B.C.D` — an IPv4 address as a host-order number (net.request's `addr`);
 * - for `path` parameters, the path itself (`path=/etc/hostname`; a leading `@` is dropped);
 * - for `in` parameters, text whose UTF-8 bytes are the input (`line=hello`);
 * - for `out` parameters, a byte count (`buf=4096`, or `buf:4096`), shown after the run;
 * - for `ptr` parameters, `@text` — `text` as a NUL-terminated UTF-8 string in engine memory —
 *   and `buf:N` — N zeroed bytes of engine memory, shown after the run. A plain integer for a
 *   `ptr` is a raw address (0 is NULL).
 *
 * @throws PluginLoadError (usage) naming the word: not `name=value`, an unknown or repeated
 *   parameter, a malformed value, a missing parameter.
 */
export function resolveParams(engine: Engine, plugin: Plugin, words: readonly string[]): ResolvedParams {
  const params: Record<string, number | bigint | string | Uint8Array> = {};
  const regions: Region[] = [];
  const buffers: ParamBuffer[] = [];
  const usage = (message: string): PluginLoadError => new PluginLoadError(message, true);
  const kinds = plugin.params;
  try {
    for (const word of words) {
      const equals = word.indexOf('=');
      if (equals <= 0) throw usage(`--param '${word}': expected name=value`);
      const name = word.slice(0, equals);
      const text = word.slice(equals + 1);
      const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
      if (kind === undefined) throw usage(`--param ${name}: plugin '${plugin.name}' has no such parameter (it takes ${describeParams(plugin)})`);
      if (Object.hasOwn(params, name)) throw usage(`--param ${name}: given twice`);
      if (kind === 'path') {
        const path = text.startsWith('@') ? text.slice(1) : text;
        if (path === '' || path.includes('\0')) throw usage(`--param ${name}=${text}: a path must be non-empty, without NUL`);
        params[name] = path;
      } else if (kind === 'in') {
        params[name] = Buffer.from(text, 'utf8');
      } else if (kind === 'out') {
        const size = parseInteger(text.startsWith('buf:') ? text.slice(4) : text);
        if (typeof size !== 'number' || size < 1 || size > MAX_PARAM_BUFFER) throw usage(`--param ${name}=${text}: an out parameter needs a byte count of 1..${MAX_PARAM_BUFFER}`);
        params[name] = size;
      } else if (kind === 'ptr' && text.startsWith('@')) {
        const bytes = Buffer.from(`${text.slice(1)}\0`);
        const region = engine.alloc(bytes.length);
        regions.push(region);
        region.bytes.set(bytes);
        params[name] = region.start;
      } else if (kind === 'ptr' && text.startsWith('buf:')) {
        const size = parseInteger(text.slice(4));
        if (typeof size !== 'number' || size < 1 || size > MAX_PARAM_BUFFER) throw usage(`--param ${name}=${text}: buf:N needs a size of 1..${MAX_PARAM_BUFFER} bytes`);
        const region = engine.alloc(size);
        regions.push(region);
        buffers.push({ name, region });
        params[name] = region.start;
      } else if (text.startsWith('ip:')) {
        try {
          params[name] = ipv4(text.slice(3));
        } catch (error) {
          throw usage(`--param ${name}=${text}: ${(error as Error).message}`);
        }
      } else {
        const value = parseParamValue(text);
        const hint = kind === 'ptr' ? ' (a ptr takes @text, buf:N or an address)' : ' (an integer, a constant such as AT_FDCWD, or names and integers joined by |)';
        if (value === undefined) throw usage(`--param ${name}=${text}: not an integer or a known constant${hint}`);
        params[name] = value;
      }
    }
    const missing = Object.keys(kinds).filter((name) => !Object.hasOwn(params, name));
    if (missing.length > 0) throw usage(`missing --param for ${missing.map((name) => `${name} (${kinds[name] as string})`).join(', ')}`);
  } catch (error) {
    for (const region of regions) engine.free(region);
    throw error;
  }
  return { params, regions, buffers };
}

/** freeParams - give back the engine memory {@link resolveParams} made (after the chain has ended). */
export function freeParams(engine: Engine, resolved: ResolvedParams): void {
  for (const region of resolved.regions) engine.free(region);
}

/** describeParams - `path:ptr, buf:ptr, ...`, for messages and listings. */
export function describeParams(plugin: Plugin): string {
  const entries = Object.entries(plugin.params);
  return entries.length === 0 ? 'no parameters' : entries.map(([name, kind]) => `${name}:${kind}`).join(', ');
}
