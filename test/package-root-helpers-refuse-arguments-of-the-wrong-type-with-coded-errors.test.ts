/**
 * The package root's helpers refuse an argument of the wrong type with a coded error (Node's
 * ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE, as the fs layer, readFileSyslet, aio.read and the
 * plugins do), never V8's own TypeError or RangeError from inside the helper.
 *
 * Found by calling each of the root's 99 functions, classes and plugin `run`s with 24 odd values
 * (undefined, null, NaN, -1, 2^53, Infinity, 1.5, strings, {}, [], a symbol, bigints, objects
 * whose getters and Proxy traps throw, functions, empty, detached and shared buffers, an invalid
 * Date): 6,006 calls, no crash, no hang, no unhandled rejection on either engine; 571 of the
 * errors were uncoded TypeErrors and 154 uncoded RangeErrors. The ones below name the helper's
 * internals (`text.split is not a function`, `Offset is outside the bounds of the DataView`)
 * rather than the argument. The callers' own getters and traps throwing is their error, not
 * counted. Fixed in session 20 (coord20): each checks its argument's type first (engine/arguments.ts);
 * errnoName takes a bigint word too (1n was on the list), so a string stands in for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as root from '../index.js';

const calls: ReadonlyArray<readonly [string, () => unknown]> = [
  ['sockaddr_un(-1)', () => root.sockaddr_un(-1 as unknown as string)],
  ['ipv4(1)', () => root.ipv4(1 as unknown as string)],
  ['iovec(1)', () => root.iovec(1 as unknown as [])],
  ['constantValue(1)', () => root.constantValue(1 as unknown as string)],
  ['aio_init(1)', () => root.aio_init(1 as unknown as Parameters<typeof root.aio_init>[0])],
  ['errnoName("x")', () => root.errnoName('x' as unknown as number)],
  ['timespec("x")', () => root.timespec('x' as unknown as number)],
  ['aio.suspend(1)', () => root.aio.suspend(1 as unknown as [])],
  ['aio.listio(1)', () => root.aio.listio(1 as unknown as [])],
  ['new PluginRegistry(1)', () => new root.PluginRegistry(1 as unknown as [])],
];

test('root helpers refuse arguments of the wrong type with a coded error', async () => {
  const uncoded: string[] = [];
  for (const [name, call] of calls) {
    try {
      await call();
      uncoded.push(`${name}: no error`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string') uncoded.push(`${name}: ${(error as Error).constructor.name} ${(error as Error).message}`);
    }
  }
  assert.deepEqual(uncoded, []);
  // A one-word result may be a bigint: its errno is named as a number's.
  assert.equal(root.errnoName(-9n), 'EBADF');
  assert.equal(root.errnoMessage(9n), root.errnoMessage(9));
});
