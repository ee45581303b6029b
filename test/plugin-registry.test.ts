/**
 * The plugin registry: register (compiled plugins or definitions), look up, list in name order;
 * a duplicate name is a PluginRegistryError naming the plugin, and the default registry holds
 * every built-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BUILTIN_PLUGINS, createDefaultRegistry, defaultRegistry, definePlugin, PluginRegistry, PluginRegistryError,
} from '../plugins/index.js';

const pid = (name: string) => definePlugin({ name, params: {}, atoms: [{ call: 'getpid', args: [] }] });

test('a registry registers, finds and lists plugins, and refuses a second plugin under a taken name', () => {
  const registry = new PluginRegistry();
  const b = registry.register(pid('t.b'));
  const a = registry.register({ name: 't.a', params: {}, atoms: [{ call: 'getuid', args: [] }] });
  assert.equal(registry.size, 2);
  assert.equal(registry.get('t.b'), b);
  assert.equal(registry.require('t.a'), a);
  assert.equal(registry.has('t.a'), true);
  assert.equal(registry.get('t.c'), undefined);
  assert.deepEqual(registry.list().map((plugin) => plugin.name), ['t.a', 't.b']);
  assert.throws(() => registry.require('t.c'), (error: unknown) => error instanceof PluginRegistryError && error.plugin === 't.c');

  assert.throws(
    () => registry.register(pid('t.b')),
    (error: unknown) => error instanceof PluginRegistryError && error.plugin === 't.b' && /^plugin 't.b': a plugin with this name is already registered$/.test(error.message),
  );
  assert.equal(registry.get('t.b'), b, 'the first registration stands');
});

test('the default registry holds every built-in, and a fresh copy is independent', () => {
  const names = defaultRegistry.list().map((plugin) => plugin.name);
  assert.deepEqual(names, [
    'aio.fdatasync', 'aio.fsync', 'aio.read', 'aio.readStream', 'aio.write', 'aio.writeStream',
    'file.copy', 'file.openStat', 'file.readAll', 'net.request', 'notify.signal',
  ]);
  assert.equal(BUILTIN_PLUGINS.length, names.length);
  assert.throws(() => defaultRegistry.register(pid('aio.read')), PluginRegistryError);
  const fresh = createDefaultRegistry();
  fresh.register(pid('t.extra'));
  assert.equal(defaultRegistry.has('t.extra'), false);
});
