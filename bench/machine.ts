/** What the benchmark ran on: enough to judge whether two runs are comparable. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The machine report. */
export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
  /** Whether the bench runs under `--import tsx` (from the sources) instead of the built files. */
  readonly loader: boolean;
  /** os.loadavg() at the start: the machine is shared, and figures move with its load. */
  readonly loadAverage: readonly number[];
  readonly glibc: string;
  readonly koffi: string;
  /** The project's git commit (with `+dirty` when the tree has changes), or `unknown`. */
  readonly commit: string;
  readonly dataDir: string;
  /** File system type of the data directory (from /proc/self/mounts). */
  readonly fsType: string;
  readonly root: boolean;
  /** `'page cache dropped before each run'` or `'skipped: <why>'`. */
  readonly uncached: string;
}

/**
 * describeMachine - collect the machine report.
 *
 * @param dataDir - where the data set lives (its fs type is reported).
 * @param uncachedSkip - why uncached runs are skipped, or undefined when they run.
 */
export function describeMachine(dataDir: string, uncachedSkip: string | undefined): Machine {
  const cpus = os.cpus();
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    node: process.version,
    loader: process.execArgv.some((a) => a.includes('tsx')),
    loadAverage: os.loadavg(),
    glibc: header?.glibcVersionRuntime ?? 'unknown',
    koffi: koffiVersion(),
    commit: commit(),
    dataDir,
    fsType: fsTypeOf(dataDir),
    root: process.getuid?.() === 0,
    uncached: uncachedSkip === undefined ? 'page cache dropped before each run' : `skipped: ${uncachedSkip}`,
  };
}

function koffiVersion(): string {
  try {
    // koffi's exports map hides package.json: resolve its entry, then walk up to its package.json.
    let dir = path.dirname(createRequire(import.meta.url).resolve('koffi'));
    for (let up = 0; up < 5; up++, dir = path.dirname(dir)) {
      const file = path.join(dir, 'package.json');
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'koffi') return pkg.version ?? 'unknown';
    }
    return 'unknown';
  } catch {
    return 'unknown';
  }
}

function commit(): string {
  try {
    const cwd = path.dirname(new URL(import.meta.url).pathname);
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** The type of the longest mount point that is a prefix of `dir`. */
function fsTypeOf(dir: string): string {
  try {
    const real = fs.realpathSync(dir);
    let best = { point: '', type: 'unknown' };
    for (const line of fs.readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
      const [, point, type] = line.split(' ');
      if (point === undefined || type === undefined) continue;
      const inside = real === point || real.startsWith(point.endsWith('/') ? point : `${point}/`);
      if (inside && point.length >= best.point.length) best = { point, type };
    }
    return best.type;
  } catch {
    return 'unknown';
  }
}
