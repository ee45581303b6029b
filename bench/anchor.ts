/**
 * The io_uring floor for uncached reads (P2): the C anchor bench/anchors/uring_bench.c (liburing,
 * QD requests in flight, one io_uring_submit per batch of completions), built once per bench run
 * with gcc and run as a fresh process per measured run. Its CPU time comes from bash's `times`
 * (the children's user and system time), so the row has CPU per operation like every other.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry } from './workloads/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// bench/ under tsx, dist/bench/ when built: the C source stays in the repository's bench/anchors.
const source = [path.join(here, 'anchors/uring_bench.c'), path.join(here, '../../bench/anchors/uring_bench.c')].find((p) => fs.existsSync(p));

/** The row label of the anchor. */
export const URING_ANCHOR = 'io_uring C anchor';

/** A built anchor, or why there is none. */
export interface Anchor {
  readonly binary?: string;
  readonly unavailable?: string;
}

/**
 * buildAnchor - compile the io_uring anchor into a temp directory.
 *
 * @returns the binary, or `unavailable` with the reason (no source, no gcc, no liburing).
 */
export function buildAnchor(): Anchor {
  if (source === undefined) return { unavailable: 'bench/anchors/uring_bench.c not found' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syslet-anchor-'));
  const binary = path.join(dir, 'uring_bench');
  try {
    execFileSync('gcc', ['-O2', '-o', binary, source, '-luring'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { binary };
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    return { unavailable: `gcc -luring failed (${stderr ?? (e as Error).message}); apt-get install gcc liburing-dev` };
  }
}

/** removeAnchor - delete the anchor's temp directory. */
export function removeAnchor(anchor: Anchor): void {
  if (anchor.binary) fs.rmSync(path.dirname(anchor.binary), { recursive: true, force: true });
}

/** `times` prints the shell's then its children's user and system time: `0m0.123s 0m0.045s`. */
function parseTimes(text: string): number {
  const lines = text.trim().split('\n');
  const children = lines[lines.length - 1] ?? '';
  const parts = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (parts.length !== 2) throw new Error(`cannot read times output: ${children}`);
  return (parts[0] as number) + (parts[1] as number);
}

/**
 * runAnchor - one run of the anchor: `ops` reads of `file` at `qd`.
 *
 * @returns wall ns/op (the anchor's own figure) and CPU ns/op (user + system of the process).
 */
export function runAnchor(binary: string, file: string, ops: number, qd: number): Promise<{ value: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', '"$@" && times', 'anchor', binary, file, String(ops), String(qd)], { timeout: 600_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${URING_ANCHOR}: ${stderr.trim() || err.message}`));
      const m = /: (\d+) ns\/op/.exec(stdout);
      if (!m) return reject(new Error(`${URING_ANCHOR}: no ns/op in ${stdout.trim()}`));
      const timesText = stdout.slice(stdout.indexOf('\n') + 1);
      try {
        resolve({ value: Number(m[1]), cpu: (parseTimes(timesText) * 1e9) / ops });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

/**
 * anchorEntry - the anchor as a runner entry (a fresh process per measured run).
 *
 * @param ops - reads per run; at most the file's block count, so every read is a distinct block.
 */
export function anchorEntry(anchor: Anchor, file: string, ops: number, qd: number): Entry {
  return {
    name: `${URING_ANCHOR} QD${qd}`,
    family: 'c',
    qd,
    unavailable: anchor.unavailable,
    setup() {},
    measure: () => runAnchor(anchor.binary as string, file, ops, qd),
    teardown() {},
  };
}
