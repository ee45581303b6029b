/**
 * The plugin registry: name → compiled plugin. The POSIX layer and the CLI look plugins up by
 * name; users register their own next to the built-ins. A name is taken once: registering a
 * second plugin under it is an error rather than a silent replacement, because code that looked
 * up `aio.read` must never start running someone else's chain.
 */
import { aioFdatasync, aioFsync, aioRead, aioReadStream, aioWrite, aioWriteStream } from './builtin/aio.js';
import { fileCopy, fileOpenStat, fileReadAll } from './builtin/file.js';
import { netRequest } from './builtin/net.js';
import { notifySignal } from './builtin/notify.js';
import { PluginRegistryError } from './errors.js';
import { definePlugin, type Plugin } from './plugin.js';
import type { PluginDefinition } from './types.js';
import { invalidArgType } from '../engine/arguments.js';

/** A set of plugins with unique names. */
export class PluginRegistry {
  readonly #plugins = new Map<string, Plugin>();

  /**
   * Creates a registry holding `plugins` (in that order).
   * @throws PluginRegistryError on a duplicate; TypeError ERR_INVALID_ARG_TYPE when `plugins` is not iterable.
   */
  constructor(plugins: Iterable<Plugin> = []) {
    if (typeof (plugins as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] !== 'function') throw invalidArgType('plugins', 'an iterable of plugins', plugins);
    for (const plugin of plugins) this.register(plugin);
  }

  /** How many plugins are registered. */
  get size(): number {
    return this.#plugins.size;
  }

  /**
   * register - add a compiled plugin, or compile a definition and add it.
   *
   * @returns the registered plugin.
   * @throws PluginRegistryError (code EEXIST) when the name is already taken (naming the plugin);
   *   PluginDefinitionError (code EINVAL) when a definition is invalid.
   * @example
   * ```ts
   * const registry = new PluginRegistry();
   * registry.register(definePlugin({ name: 'my.pid', params: {}, atoms: [{ call: 'getpid', args: [] }] }));
   * ```
   */
  register(plugin: Plugin | PluginDefinition): Plugin {
    const compiled = isPlugin(plugin) ? plugin : definePlugin(plugin);
    if (this.#plugins.has(compiled.name)) throw new PluginRegistryError(compiled.name, 'a plugin with this name is already registered');
    this.#plugins.set(compiled.name, compiled);
    return compiled;
  }

  /** get - the plugin called `name`, or undefined. */
  get(name: string): Plugin | undefined {
    return this.#plugins.get(name);
  }

  /**
   * require - the plugin called `name`.
   * @throws PluginRegistryError (code ENOENT) when none is registered under it.
   */
  require(name: string): Plugin {
    const plugin = this.#plugins.get(name);
    if (plugin === undefined) throw new PluginRegistryError(name, 'no plugin is registered under this name', 'ENOENT');
    return plugin;
  }

  /** has - whether a plugin is registered under `name`. */
  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** list - every plugin, sorted by name. */
  list(): Plugin[] {
    return [...this.#plugins.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** isPlugin - whether a value is a compiled plugin (checked by shape, so it works across copies of the library). */
export function isPlugin(value: unknown): value is Plugin {
  return typeof value === 'object' && value !== null && 'layout' in value && 'definition' in value && typeof (value as Plugin).acquire === 'function';
}

/** The built-in plugins, in the order the issue lists them. */
export const BUILTIN_PLUGINS: readonly Plugin[] = [
  aioRead, aioReadStream, aioWrite, aioWriteStream, aioFsync, aioFdatasync,
  notifySignal,
  fileOpenStat, fileReadAll, fileCopy,
  netRequest,
];

/**
 * createDefaultRegistry - a fresh registry holding every built-in: the aio.* syslets behind POSIX
 * AIO, notify.signal, and the samples file.openStat, file.readAll, file.copy and net.request.
 */
export function createDefaultRegistry(): PluginRegistry {
  return new PluginRegistry(BUILTIN_PLUGINS);
}

/** The process-wide registry, pre-filled with the built-ins; register your own plugins here to share them. */
export const defaultRegistry: PluginRegistry = createDefaultRegistry();
