/**
 * The typed errors share one base: each error the library throws on purpose is a SysletError
 * with the errno as a name (`code`), a positive number (`errnum`) and Node's negative `errno`, thrown by the real call
 * (not constructed by hand), with its own fields and message unchanged; the guards recognise
 * them, also by shape from another realm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import {
  AbortError, AioCanceledError, AioError, PluginDefinitionError, PluginRegistry, PluginRegistryError, SysletError, aio, compat32, definePlugin,
  isAioError, isPluginDefinitionError, isSysletError, readFileSyslet, Engine, type AtomCall,
} from '../index.js';

/** caught - the error `fn` throws or rejects with (fails when it does neither). */
async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

test('definePlugin throws a PluginDefinitionError that is a SysletError EINVAL', async () => {
  const error = await caught(() => definePlugin({ name: 'x.bad', params: {}, atoms: [{ call: 'nosuchcall' as AtomCall, args: [] }] }));
  assert.ok(error instanceof PluginDefinitionError);
  assert.ok(error instanceof SysletError);
  assert.ok(isSysletError(error) && isPluginDefinitionError(error));
  assert.equal(error.name, 'PluginDefinitionError');
  assert.equal(error.code, 'EINVAL');
  assert.equal(error.errnum, 22);
  assert.equal(error.atomIndex, 0);
  assert.equal(error.field, 'call');
  assert.match(error.message, /^plugin 'x\.bad' atom 0 call: /);
});

test('a registry refuses a duplicate with EEXIST and an unknown name with ENOENT', async () => {
  const registry = new PluginRegistry();
  const plugin = definePlugin({ name: 'x.pid', params: {}, atoms: [{ call: 'getpid', args: [] }] });
  registry.register(plugin);
  const duplicate = await caught(() => registry.register(plugin));
  assert.ok(duplicate instanceof PluginRegistryError && duplicate instanceof SysletError);
  assert.equal(duplicate.code, 'EEXIST');
  assert.equal(duplicate.errnum, 17);
  assert.equal(duplicate.plugin, 'x.pid');
  assert.equal(duplicate.message, "plugin 'x.pid': a plugin with this name is already registered");
  const missing = await caught(() => registry.require('x.none'));
  assert.ok(missing instanceof PluginRegistryError);
  assert.equal(missing.code, 'ENOENT');
  assert.equal(missing.errnum, 2);
});

test('compat32 conversion errors carry their errno as code, errnum and Node\'s negative errno', async () => {
  const error = await caught(() => compat32.parseImage(new Uint8Array(16)));
  assert.ok(error instanceof compat32.ConversionError && error instanceof SysletError);
  assert.equal(error.name, 'ConversionError');
  assert.equal(error.errno, -8);
  assert.equal(error.errnum, 8); // ENOEXEC: a file without the magic needs --base
  assert.equal(error.code, 'ENOEXEC');
  assert.equal(error.atomIndex, -1);
});

test('the Promise twins reject with AioError (errno = -errnum, syscall aio_read) and an AbortError when aborted', async () => {
  const bad = await caught(() => aio.read(-1, Buffer.alloc(16), 0));
  assert.ok(bad instanceof AioError && bad instanceof SysletError && isAioError(bad));
  assert.equal(bad.code, 'EBADF');
  assert.equal(bad.errno, -9);
  assert.equal(bad.errnum, 9);
  assert.equal(bad.syscall, 'aio_read');
  assert.equal(bad.message, 'EBADF: bad file descriptor, aio_read');
  const reason = new Error('stop');
  const aborted = await caught(() => aio.read(0, Buffer.alloc(16), 0, { signal: AbortSignal.abort(reason) }));
  assert.ok(aborted instanceof AbortError && !(aborted instanceof SysletError));
  assert.equal(aborted.name, 'AbortError');
  assert.equal(aborted.code, 'ABORT_ERR');
  assert.equal(aborted.cause, reason);
  assert.ok(new AioCanceledError('aio_read') instanceof AioError, 'aio_cancel\'s error is still an AioError');
  assert.equal(new AioCanceledError('aio_read').errno, -125);
});

test('the path helpers reject with a Node-style error that is also a SysletError', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const error = await caught(() => readFileSyslet(engine, '/nonexistent/syslet-aio'));
  assert.ok(error instanceof SysletError && isSysletError(error));
  assert.equal(error.code, 'ENOENT');
  assert.equal(error.errnum, 2);
  // Node's fs convention is kept on the helper's own fields: errno negative, syscall, path.
  assert.equal((error as unknown as { errno: number }).errno, -2);
  assert.equal((error as unknown as { syscall: string }).syscall, 'open');
  assert.equal(error.message, "ENOENT: no such file or directory, open '/nonexistent/syslet-aio'");
});

test('isSysletError: by class, by shape across realms, and not for other errors', () => {
  assert.equal(isSysletError(new SysletError('EIO', 'boom')), true);
  assert.equal(new SysletError('EIO', 'boom').errnum, 5);
  // errnoName's spelling of a number the kernel lacks keeps the number.
  assert.equal(new SysletError('E?4000', 'odd').errnum, 4000);
  const foreign: unknown = runInNewContext("Object.assign(new Error('x'), { code: 'EBADF', errnum: 9 })");
  // Another realm's Error is not an instance of this one's; the guard recognises it by shape.
  assert.equal(foreign instanceof Error, false);
  assert.equal(isSysletError(foreign), true);
  assert.equal(isSysletError(Object.assign(new Error('x'), { code: 'EBADF', errnum: 9 })), true);
  assert.equal(isSysletError(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })), false);
  assert.equal(isSysletError(new TypeError('x')), false);
  assert.equal(isSysletError({ code: 'EBADF', errnum: 9 }), false);
  assert.equal(isSysletError(null), false);
});
