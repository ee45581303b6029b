/**
 * The tests that use memory after it was given back (a disposed ChainBuilder, a closed
 * Arena32): a child process makes the use, since before a fix the process simply died.
 */
import assert from 'node:assert/strict';
import { runChild } from './child.js';

/**
 * childUseThrew - run `script` in a child process; it prints `{"threw": boolean}` as its last line.
 * Asserts that the child lived (no signal, exit 0).
 * @returns whether the use threw.
 */
export async function childUseThrew(script: string): Promise<boolean> {
  const child = await runChild(script, 30_000);
  assert.equal(child.signal, null, `the process died of ${String(child.signal)}`);
  assert.equal(child.code, 0, `exit ${String(child.code)}: ${child.stderr.slice(0, 300)}`);
  const { threw } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { threw: boolean };
  return threw;
}
