/**
 * Differential fuzz of `syslet-aio/fs` against `node:fs/promises` (campaign `fsapi`). Each case
 * builds two twin scratch trees with the same random content (files, a directory, symlinks to a
 * file, to a directory, dangling, looping and to themselves), then runs 1–12 random calls on
 * both — Node's on one twin, ours on the other, one call at a time, with the same arguments drawn
 * once (test/fuzz/fs-api-ops.ts): readFile/writeFile/appendFile with string, Buffer, encoding,
 * flag and an aborted signal; open and FileHandle read/write/readv/writev/stat/truncate/sync/
 * datasync/readFile/writeFile/close with positions null, -1, huge, fractional and bigint, buffers
 * of every TypedArray kind and DataView, and handles already closed; stat/lstat (bigint), access
 * with modes, readdir (withFileTypes, buffer names), mkdir (recursive), rm, unlink, rename,
 * copyFile with its flags, truncate, readlink, realpath and symlink; paths as strings, Buffers,
 * file URLs, relative, empty, with NUL bytes, with a name past NAME_MAX, through a file in the
 * middle, a directory where a file is expected.
 *
 * Outcomes are compared field by field (test/helpers/fs-implementations.ts's shapes: values,
 * Stats and Dirents by their fields and methods, errors by class, name, code, errno, syscall,
 * path, dest, message and own keys), with the twin's directory name mapped and the fields two
 * twins cannot share left out (Stats times, ino, dev). After every case the two trees are
 * compared: names, types, modes, sizes, file bytes and link targets. A difference is a
 * violation; so is a call that has not settled within 10 s.
 *
 * Run standalone: `node --import tsx test/fuzz/fs-api.ts --seed 1 --seconds 10 [--cases N]
 * [--from 0] [--out f.json]`.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sysletFs from '../../fs.js';
import { outcomeShape, settle, type Outcome } from '../helpers/fs-implementations.js';
import { buildTwin, randomOp, type Side } from './fs-api-ops.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';
import { argValue, finishRun } from './driver-cli.js';

/**
 * The twins' directory names: the syslet one's name is mapped to Node's in everything compared.
 * They have the same length, so that links, sizes and truncated messages come out the same, and
 * their hex forms (Buffer paths in messages, hex-encoded realpaths) map too.
 */
const NODE_TWIN = 'twin-n';
const SYSLET_TWIN = 'twin-s';
const hex = (text: string): string => Buffer.from(text).toString('hex');
const spacedHex = (text: string): string => hex(text).replace(/(..)(?!$)/g, '$1 ');
const TWIN_FORMS: readonly [string, string][] = [
  [SYSLET_TWIN, NODE_TWIN], [hex(SYSLET_TWIN), hex(NODE_TWIN)], [spacedHex(SYSLET_TWIN), spacedHex(NODE_TWIN)],
  [Buffer.from(SYSLET_TWIN).toString('base64'), Buffer.from(NODE_TWIN).toString('base64')],
];
/** mapTwin - `text` with the syslet twin's name, in any of its forms, replaced by Node's. */
function mapTwin(text: string): string {
  return TWIN_FORMS.reduce((out, [from, to]) => out.replaceAll(from, to), text);
}
const CALL_MS = 10_000;

/** What a run saw. */
export interface FsApiReport {
  seed: number;
  cases: number;
  ops: number;
  /** Calls that failed on both sides (with the same error). */
  errors: number;
  treeChecks: number;
  byOp: Record<string, number>;
  violations: string[];
  elapsedMs: number;
}

/** Options of a run. */
export interface FsApiOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly maxCases?: number;
  readonly from?: number;
  readonly checkpoint?: (index: number) => void;
}

/** Stats fields two twins cannot share: their times, inode and device numbers. */
const UNSHARED_STATS_FIELDS = /^(atime|mtime|ctime|birthtime)(Ms|Ns)?$|^(ino|dev)$/;

/** canon - a compared shape as one string, the twin's name mapped, unshared Stats fields left out. */
function canon(shape: unknown): string {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return mapTwin(value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    if (value instanceof Uint8Array && !Buffer.isBuffer(value) && value.constructor === Uint8Array) return `Uint8Array(${mapTwin(Buffer.from(value).toString('hex'))})`;
    if (Buffer.isBuffer(value)) return `Buffer(${mapTwin(value.toString('latin1'))})`;
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${mapTwin(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex'))})`;
    if (value instanceof URL) return `URL(${mapTwin(value.href)})`;
    if (Array.isArray(value)) return value.map(walk);
    if (value instanceof Error) return { error: mapTwin(String(value)) };
    if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      const isStats = typeof record.class === 'string' && /Stats$/.test(record.class);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort()) {
        if (isStats && UNSHARED_STATS_FIELDS.test(key)) continue;
        out[key] = walk(record[key]);
      }
      return out;
    }
    return value;
  };
  return JSON.stringify(walk(shape));
}

/** The outcome of `call`, or a timeout marker when it has not settled within CALL_MS. */
async function settleWithin(call: () => unknown): Promise<Outcome | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), CALL_MS);
  });
  try {
    return await Promise.race([settle(call), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** A tree as compared: every entry's relative name, type, mode, size and bytes or link target. */
function treeOf(root: string): string {
  const lines: string[] = [];
  const visit = (dir: string, prefix: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (error) {
      lines.push(`${prefix}: unreadable (${(error as NodeJS.ErrnoException).code})`);
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const rel = `${prefix}${name}`;
      const st = lstatSync(path);
      const head = `${rel} mode ${st.mode.toString(8)} nlink ${st.isDirectory() ? '-' : st.nlink}`;
      if (st.isSymbolicLink()) lines.push(`${head} -> ${mapTwin(readlinkSync(path))}`);
      else if (st.isFile()) lines.push(`${head} size ${st.size} ${st.size <= 1 << 20 ? readFileSync(path).toString('hex') : '(large)'}`);
      else if (st.isDirectory()) {
        lines.push(`${head} dir`);
        visit(path, `${rel}/`);
      } else lines.push(`${head} other`);
    }
  };
  visit(root, '');
  return lines.join('\n');
}

/** The first line where two multi-line texts differ, for a violation's message. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `node: ${left[i] ?? '(none)'} / syslet: ${right[i] ?? '(none)'}`;
  }
  return '(equal)';
}

/** Runs one case: fresh twins, random calls on both, the trees compared. */
async function runCase(base: string, index: number, report: FsApiReport): Promise<void> {
  const r = new Prng(seedFor(report.seed, index));
  const sides: [Side, Side] = [
    { fs: nodeFs, root: join(base, NODE_TWIN), relRoot: NODE_TWIN, handles: [] },
    { fs: sysletFs, root: join(base, SYSLET_TWIN), relRoot: SYSLET_TWIN, handles: [] },
  ];
  const layout = r.u32();
  for (const side of sides) buildTwin(side.root, new Prng(layout));
  const done: string[] = [];
  try {
    for (let i = 0, count = 1 + r.int(12); i < count; i++) {
      const op = randomOp(r);
      const where = `seed ${report.seed} case ${index} op ${i} ${op.label}${done.length === 0 ? '' : ` (after ${done.join('; ')})`}`;
      report.ops++;
      report.byOp[op.name] = (report.byOp[op.name] ?? 0) + 1;
      const node = await settleWithin(() => op.run(sides[0]));
      const syslet = await settleWithin(() => op.run(sides[1]));
      if (node === 'timeout' || syslet === 'timeout') {
        report.violations.push(`${where}: ${node === 'timeout' ? 'node' : 'syslet'} did not settle within ${CALL_MS} ms`);
        return;
      }
      if (!node.ok) report.errors++;
      const expected = canon(outcomeShape(node));
      const got = canon(outcomeShape(syslet));
      if (expected !== got) report.violations.push(`${where}: node ${expected.slice(0, 600)} / syslet ${got.slice(0, 600)}`);
      done.push(op.label);
    }
    report.treeChecks++;
    const expected = treeOf(sides[0].root);
    const got = treeOf(sides[1].root);
    if (expected !== got) report.violations.push(`seed ${report.seed} case ${index} after ${done.join('; ')}: the trees differ: ${firstDifference(expected, got)}`);
  } finally {
    for (const side of sides) {
      for (const handle of side.handles) await handle.close().catch(() => undefined);
      rmSync(side.root, { recursive: true, force: true });
    }
  }
}

/**
 * runFsApi - the fs differential fuzz for a time or a number of cases.
 *
 * @returns the report; `violations` lists every difference with its seed, case and calls.
 */
export async function runFsApi(options: FsApiOptions): Promise<FsApiReport> {
  const started = performance.now();
  const report: FsApiReport = { seed: options.seed, cases: 0, ops: 0, errors: 0, treeChecks: 0, byOp: {}, violations: [], elapsedMs: 0 };
  const base = mkdtempSync(join(tmpdir(), 'syslet-fsapi-'));
  const cwd = process.cwd();
  // Relative paths are relative to the twins' parent, so that each names its own twin.
  process.chdir(base);
  try {
    const deadline = started + options.seconds * 1000;
    for (let index = options.from ?? 0; ; index++) {
      if (options.maxCases !== undefined ? report.cases >= options.maxCases : performance.now() >= deadline) break;
      options.checkpoint?.(index);
      await runCase(base, index, report);
      report.cases++;
    }
  } finally {
    process.chdir(cwd);
    rmSync(base, { recursive: true, force: true });
  }
  report.elapsedMs = Math.round(performance.now() - started);
  return report;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cases = argValue('cases');
  const report = await runFsApi({
    seed: Number(argValue('seed') ?? Date.now() % 2 ** 31),
    seconds: Number(argValue('seconds') ?? 10),
    ...(cases === undefined ? {} : { maxCases: Number(cases) }),
    from: Number(argValue('from') ?? 0),
    checkpoint: writeCheckpoint,
  });
  finishRun(report);
  // The shared engine lets the process exit; the twins' handles are closed per case.
}
