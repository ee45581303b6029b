/**
 * The end-to-end fixture: compiles test/fixtures/compat32-chains.c with `gcc -m32 -O2` into a
 * temp dir and runs it to produce a real i386 chain image plus its manifest of addresses.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilerProblem } from './layout-oracle.js';

export const FIXTURE_SOURCE = join(import.meta.dirname, 'fixtures', 'compat32-chains.c');

/** A temp dir with the compiled fixture, or the reason it could not be built. */
export function buildFixture(): { dir: string; binary: string } | { problem: string } {
  const problem = compilerProblem(['-m32']);
  if (problem !== null) return { problem };
  const dir = mkdtempSync(join(tmpdir(), 'syslet-compat32-e2e-'));
  const binary = join(dir, 'compat32-chains');
  execFileSync('gcc', ['-m32', '-O2', '-Wall', '-Werror', FIXTURE_SOURCE, '-o', binary], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { dir, binary };
}

/** Runs the fixture for one scenario; returns the image file's bytes and the manifest. */
export function makeImage(binary: string, dir: string, scenario: string, args: readonly string[]): { file: Uint8Array; manifest: Record<string, number | number[]> } {
  const imagePath = join(dir, `${scenario}.img`);
  const output = execFileSync(binary, [scenario, imagePath, ...args], { encoding: 'utf8' });
  return { file: readFileSync(imagePath), manifest: JSON.parse(output) as Record<string, number | number[]> };
}

/** In CI a missing compiler fails; locally it skips with the reason. */
export function skipOrFail(t: { skip(message: string): void }, problem: string): void {
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(`CI must run the compat32 end-to-end tests: ${problem}`);
  t.skip(problem);
}

/** closeEngine - close an engine from a test's after-hook. */
export async function closeEngine(engine: { close(): Promise<void> }): Promise<void> {
  await engine.close();
}
