/**
 * The parameterised fs suite's fixtures: the two implementations every `fs-*.test.ts` runs
 * against (node:fs/promises and syslet-aio/fs), a scratch directory per test, and the
 * field-by-field comparison of what a call gave on each side — its value (Buffers, strings,
 * Stats, Dirents, read/write results) or its error (class, name, code, errno, syscall, path,
 * dest, message, and which of those are own enumerable properties).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import * as sysletFs from '../../fs.js';

/** What the suite needs of an fs.promises-like module. */
export type FsPromises = typeof nodeFs;

/** One implementation under test. */
export interface Implementation {
  readonly name: 'node:fs/promises' | 'syslet-aio/fs';
  readonly fs: FsPromises;
}

/** Both implementations, Node's first. */
export const IMPLEMENTATIONS: readonly Implementation[] = [
  { name: 'node:fs/promises', fs: nodeFs },
  { name: 'syslet-aio/fs', fs: sysletFs },
];

/** scratch - a fresh directory removed when the test ends. */
export function scratch(t: TestContext, prefix = 'fs-suite'): string {
  const dir = mkdtempSync(join(tmpdir(), `syslet-${prefix}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** withHandle - open `file` with `flags` on `fs`, run `body` on the handle, close it (also when `body` fails). */
export async function withHandle<T>(fs: FsPromises, file: string, flags: string, body: (handle: Awaited<ReturnType<FsPromises['open']>>) => Promise<T>): Promise<T> {
  const handle = await fs.open(file, flags);
  try {
    return await body(handle);
  } finally {
    await handle.close();
  }
}

/** The settled outcome of a call: its value, or its error. */
export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** settle - run `call` and keep what it gave, a value or an error (a synchronous throw included). */
export async function settle(call: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

const ERROR_FIELDS = ['name', 'code', 'errno', 'syscall', 'path', 'dest', 'message'] as const;

/** The fields of an error that must match Node's: values, and which are own enumerable keys. */
export function errorShape(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { notAnError: String(error) };
  const record = error as unknown as Record<string, unknown>;
  const shape: Record<string, unknown> = { class: Object.getPrototypeOf(error) === Error.prototype ? 'Error' : error.constructor.name };
  for (const field of ERROR_FIELDS) shape[field] = record[field];
  shape.ownKeys = Object.keys(error).sort();
  if (error.cause !== undefined) shape.cause = error.cause;
  return shape;
}

/**
 * valueShape - a value as the suite compares it: Stats and Dirents by their fields, class and
 * methods' answers; result objects by their fields and prototype (Node's have none); the rest as
 * it is.
 */
export function valueShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(valueShape);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  const record = value as Record<string, unknown>;
  const proto = Object.getPrototypeOf(value) as object | null;
  const shape: Record<string, unknown> = { class: proto === null ? 'null-prototype' : (proto.constructor as { name: string }).name };
  for (const key of Object.keys(record)) shape[key] = valueShape(record[key]);
  for (const method of ['isFile', 'isDirectory', 'isSymbolicLink', 'isFIFO', 'isSocket', 'isBlockDevice', 'isCharacterDevice']) {
    const fn = (value as Record<string, unknown>)[method];
    if (typeof fn === 'function') shape[`${method}()`] = (fn as () => boolean).call(value);
  }
  return shape;
}

/** outcomeShape - what two outcomes are compared by. */
export function outcomeShape(outcome: Outcome): unknown {
  return outcome.ok ? { value: valueShape(outcome.value) } : { error: errorShape(outcome.error) };
}

/**
 * sameOnBoth - run `call` against node:fs/promises, then against syslet-aio/fs (after `reset`,
 * which puts the files back as they were), and assert the outcomes are equal field by field.
 *
 * @returns Node's outcome, for further checks.
 */
export async function sameOnBoth(call: (fs: FsPromises) => unknown, reset: () => void | Promise<void> = () => {}, message?: string): Promise<Outcome> {
  await reset();
  const node = await settle(() => call(nodeFs));
  await reset();
  const syslet = await settle(() => call(sysletFs));
  assert.deepStrictEqual(outcomeShape(syslet), outcomeShape(node), message);
  return node;
}
