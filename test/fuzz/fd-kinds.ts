/**
 * Differential fuzz of fd-taking atoms on every kind of fd (test/fuzz/fd-kinds-world.ts): each
 * case makes one fd of a kind twice, runs 1–4 random calls (read, write, the positional and
 * vector calls with random lengths, offsets and RWF flags, recvfrom/sendto with MSG flags, lseek,
 * fstat, fsync, fdatasync) on one
 * copy through the engine — inline or forced async (SYSLET_ASYNC: the ring or a cachemiss
 * thread), as one chain or one chain per call — and on the other copy as the same syscalls made
 * directly, then compares every result, every byte read, and what each copy holds afterwards
 * (file bytes, position, what a stream's peer reads, an eventfd's count). A difference is a
 * finding; so is a chain that does not complete within 10 s.
 *
 * The io_uring engine makes may-block calls as ring requests, and an opcode is not its syscall:
 * io_uring reads a pipe "at an offset" where pread answers ESPIPE, waits where a non-blocking
 * read answers EAGAIN, keeps no file position for READ at -1. This fuzz is what checks the rules
 * that keep those differences out (engine/uring-fd-rules.ts) against the kernel itself.
 *
 * Run standalone: `node --import tsx test/fuzz/fd-kinds.ts --seed 1 --seconds 10 [--cases N]
 * [--from 0] [--engine io_uring|threads] [--out f.json]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../engine/engine.js';
import { ChainBuilder, type AtomRef, type Bytes } from '../../engine/builder.js';
import { SYSLET_ASYNC } from '../../engine/atom.js';
import { addressOf, syscallWord, errnoName, type Word } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import type { EngineKind } from '../../engine/uring-select.js';
import { KINDS, FILE_BYTES, pattern, stateOf, closeSide, type Kind, type Side } from './fd-kinds-world.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';
import { argValue, finishRun } from './driver-cli.js';
import { within } from '../helpers/within.js';

const CALLS = ['read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'recvfrom', 'sendto', 'lseek', 'fstat', 'fsync', 'fdatasync'] as const;
type Call = (typeof CALLS)[number];
const LENGTHS = [0, 1, 7, 8, 16, 100, 4096, 5000];
/** Offsets for reads: 2^40 and 2^52 read nothing from a file; writes there would make a 1 TiB sparse file. */
const READ_OFFSETS = [0, 1, 100, FILE_BYTES - 1, FILE_BYTES, 10_000, 2 ** 40, 2 ** 52, -1, -2];
const WRITE_OFFSETS = [0, 1, 100, FILE_BYTES - 1, FILE_BYTES, 10_000, -1, -2];
const SEEKS = [0, 5, FILE_BYTES, 10_000, -1];
const WHENCES = [0, 1, 2, 3, 4, 9];
/** RWF_HIPRI, RWF_DSYNC, RWF_NOWAIT, RWF_APPEND, and one no kernel knows. */
const RWF = [0, 0, 0, 0x1, 0x2, 0x8, 0x10, 0x80];
/** MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT, MSG_WAITALL, MSG_NOSIGNAL. */
const MSG = [0, 0, 0, 0x1, 0x2, 0x20, 0x40, 0x100, 0x4000, 0x2 | 0x100];
const STAT_SIZE = 144;
const CHAIN_MS = 10_000;

/** One call of a case. */
interface Op {
  readonly call: Call;
  /** Buffer lengths: one for read/write/pread64/pwrite64, one per iovec for the vector calls. */
  readonly lengths: readonly number[];
  readonly offset: number;
  readonly rwf: number;
  /** recvfrom/sendto's MSG_* flags. */
  readonly msg: number;
  readonly whence: number;
  readonly async: boolean;
}

const writes = (call: Call): boolean => call === 'write' || call === 'pwrite64' || call === 'writev' || call === 'pwritev' || call === 'pwritev2' || call === 'sendto';
const reads = (call: Call): boolean => call === 'read' || call === 'pread64' || call === 'readv' || call === 'preadv' || call === 'preadv2' || call === 'recvfrom';
const vector = (call: Call): boolean => call === 'readv' || call === 'writev' || call === 'preadv' || call === 'pwritev' || call === 'preadv2' || call === 'pwritev2';
/** Whether the call uses the fd's position (and so may wait on a blocking stream). */
const atPosition = (op: Op): boolean =>
  op.call === 'read' || op.call === 'write' || op.call === 'readv' || op.call === 'writev' || op.call === 'recvfrom' || op.call === 'sendto' || ((op.call === 'preadv2' || op.call === 'pwritev2') && op.offset === -1);

function randomOp(r: Prng): Op {
  const call = r.pick(CALLS);
  const lengths = vector(call) ? Array.from({ length: 1 + r.int(3) }, () => r.pick(LENGTHS)) : [r.pick(LENGTHS)];
  const offset = call === 'lseek' ? r.pick(SEEKS) : r.pick(writes(call) ? WRITE_OFFSETS : READ_OFFSETS);
  return { call, lengths, offset, rwf: r.pick(RWF), msg: r.pick(MSG), whence: r.pick(WHENCES), async: r.chance(0.5) };
}

/** The model of a blocking stream, from the direct side's results (see fd-kinds-world.ts). */
class Gates {
  #holds: number;
  #writes = 0;
  #bytesWritten = 0;

  constructor(readonly kind: Kind) {
    this.#holds = kind.holds;
  }

  /** Whether `op` runs without waiting for good. */
  allows(op: Op): boolean {
    if (!atPosition(op)) return true;
    const total = op.lengths.reduce((a, b) => a + b, 0);
    if (reads(op.call)) return this.kind.reads === 'free' || (this.kind.reads === 'counted' && (this.#holds > 0 || total === 0));
    if (writes(op.call)) return this.kind.writes === 'free' || (this.kind.writes === 'counted' && this.#writes < 8 && this.#bytesWritten + total <= 32_768);
    return true;
  }

  /** Follow what `op` did on the direct side. */
  ran(op: Op, word: Word): void {
    const result = Number(word);
    if (!atPosition(op) || result <= 0) return;
    if (reads(op.call)) this.#holds -= result;
    if (writes(op.call)) {
      this.#writes++;
      this.#bytesWritten += result;
    }
  }
}

/** The engine side's buffers of one op (what a read filled, what a write sent). */
interface Laid {
  readonly buffers: Uint8Array[];
}

/** The syscall arguments of `op` on `fd`, `first` being its buffer (or its iovec array). */
function argsOf(op: Op, fd: number, first: number | Bytes, iovcnt: number): (number | Bytes)[] {
  const length = op.lengths[0] as number;
  switch (op.call) {
    case 'read': case 'write': return [fd, first, length];
    case 'pread64': case 'pwrite64': return [fd, first, length, op.offset];
    case 'readv': case 'writev': return [fd, first, iovcnt];
    case 'preadv': case 'pwritev': return [fd, first, iovcnt, op.offset, 0];
    case 'preadv2': case 'pwritev2': return [fd, first, iovcnt, op.offset, 0, op.rwf];
    case 'recvfrom': case 'sendto': return [fd, first, length, op.msg, 0, 0];
    case 'lseek': return [fd, op.offset, op.whence];
    case 'fstat': return [fd, first];
    default: return [fd];
  }
}

/** Fills buffer `i` of op `index`: the bytes a write sends, or a marker a read overwrites. */
function fill(bytes: Uint8Array, op: Op, index: number, i: number): void {
  if (writes(op.call)) bytes.set(pattern(bytes.length, index * 8 + i));
  else bytes.fill(0xee);
}

const bufferLengths = (op: Op): readonly number[] => (op.call === 'fstat' ? [STAT_SIZE] : reads(op.call) || writes(op.call) ? op.lengths : []);

/** Runs `op` as the syscall itself; returns the result and the buffers. */
function runDirect(op: Op, fd: number, index: number): { result: Word; buffers: Uint8Array[] } {
  const buffers = bufferLengths(op).map((length, i) => {
    const bytes = Buffer.alloc(Math.max(1, length));
    fill(bytes, op, index, i);
    return bytes;
  });
  let first: number = buffers[0] === undefined ? 0 : addressOf(buffers[0]);
  if (vector(op.call)) {
    const iov = Buffer.alloc(16 * buffers.length);
    buffers.forEach((bytes, i) => {
      iov.writeBigUInt64LE(BigInt(addressOf(bytes)), 16 * i);
      iov.writeBigUInt64LE(BigInt(op.lengths[i] as number), 16 * i + 8);
    });
    first = addressOf(iov);
    const result = syscallWord(NR[op.call], ...(argsOf(op, fd, first, buffers.length) as number[]));
    iov.fill(0);
    return { result, buffers };
  }
  return { result: syscallWord(NR[op.call], ...(argsOf(op, fd, first, buffers.length) as number[])), buffers };
}

/** Lays `op` out in `chain` for the engine's fd. */
function layOut(chain: ChainBuilder, op: Op, fd: number, index: number): { atom: AtomRef; laid: Laid } {
  const buffers = bufferLengths(op).map((length, i) => {
    const bytes = chain.buffer(Math.max(1, length));
    fill(bytes.bytes, op, index, i);
    return bytes;
  });
  let first: number | Bytes = buffers[0] ?? 0;
  if (vector(op.call)) {
    const iov = chain.buffer(16 * buffers.length);
    const view = new DataView(iov.bytes.buffer, iov.bytes.byteOffset, iov.bytes.length);
    buffers.forEach((bytes, i) => {
      view.setBigUint64(16 * i, bytes.address, true);
      view.setBigUint64(16 * i + 8, BigInt(op.lengths[i] as number), true);
    });
    first = iov;
  }
  const atom = chain.atom(op.call, argsOf(op, fd, first, buffers.length), { flags: op.async ? SYSLET_ASYNC : 0 });
  return { atom, laid: { buffers: buffers.map((bytes) => bytes.bytes) } };
}

/** What one run saw. */
export interface FdKindsReport {
  seed: number;
  engine: string;
  cases: number;
  ops: number;
  asyncOps: number;
  chains: number;
  byKind: Record<string, number>;
  byCall: Record<string, number>;
  violations: string[];
  elapsedMs: number;
}

/** Options of a run. */
export interface FdKindsOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly maxCases?: number;
  readonly from?: number;
  readonly engine?: EngineKind;
  readonly checkpoint?: (index: number) => void;
}

const describeOp = (op: Op): string =>
  `${op.call}(${op.call === 'lseek' ? `${op.offset}, whence ${op.whence}` : `lengths ${op.lengths.join('+')}, offset ${op.offset}${op.call.endsWith('v2') ? `, rwf ${op.rwf}` : ''}${op.call === 'recvfrom' || op.call === 'sendto' ? `, msg ${op.msg}` : ''}`})${op.async ? ' SYSLET_ASYNC' : ''}`;

const resultName = (result: Word): string => (result < 0 && result > -4096 ? `${result} (${errnoName(Number(result))})` : String(result));

/** Awaits a chain; false when it has not completed within CHAIN_MS (a hang, reported as such). */
async function completes(engine: Engine, first: number): Promise<boolean> {
  let late = false;
  await within(engine.runChain(first), CHAIN_MS, () => {
    late = true;
    return 'the chain';
  }).catch((error: unknown) => {
    // A refused submission still ends the run, as an exception; only the time limit is a finding.
    if (!late) throw error;
  });
  return !late;
}

/**
 * runFdKinds - the differential fuzz: cases until `seconds` pass or `maxCases` ran.
 * @returns the report; its `violations` are the findings (empty when every result matched).
 */
export async function runFdKinds(options: FdKindsOptions): Promise<FdKindsReport> {
  const started = performance.now();
  const engine = new Engine(options.engine === undefined ? {} : { engine: options.engine });
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fd-kinds-'));
  const report: FdKindsReport = { seed: options.seed, engine: engine.asyncEngine.kind, cases: 0, ops: 0, asyncOps: 0, chains: 0, byKind: {}, byCall: {}, violations: [], elapsedMs: 0 };
  const deadline = started + options.seconds * 1000;
  try {
    for (let index = options.from ?? 0; report.cases < (options.maxCases ?? Number.POSITIVE_INFINITY) && performance.now() < deadline; index++) {
      options.checkpoint?.(index);
      const r = new Prng(seedFor(options.seed, index));
      const kind = r.pick(KINDS);
      const mine = kind.make(dir, `${index}-engine`);
      const theirs = kind.make(dir, `${index}-direct`);
      if (mine === null || theirs === null) {
        if (mine !== null) closeSide(mine);
        if (theirs !== null) closeSide(theirs);
        continue;
      }
      report.cases++;
      report.byKind[kind.name] = (report.byKind[kind.name] ?? 0) + 1;
      try {
        await runCase(r, kind, mine, theirs, index, engine, report);
      } finally {
        closeSide(mine);
        closeSide(theirs);
      }
      if (report.violations.length >= 20) break;
    }
  } finally {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await engine.close();
    } finally {
      clearInterval(keepAlive);
    }
    rmSync(dir, { recursive: true, force: true });
    report.elapsedMs = Math.round(performance.now() - started);
  }
  return report;
}

async function runCase(r: Prng, kind: Kind, mine: Side, theirs: Side, index: number, engine: Engine, report: FdKindsReport): Promise<void> {
  // The direct side first: the gates follow its results, so a blocking stream is never asked
  // for more than it holds on either side.
  const gates = new Gates(kind);
  const ops: Op[] = [];
  const direct: { result: Word; buffers: Uint8Array[] }[] = [];
  for (let tries = 0, count = 1 + r.int(4); ops.length < count && tries < 20; tries++) {
    const op = randomOp(r);
    if (!gates.allows(op)) continue;
    const done = runDirect(op, theirs.fd, ops.length);
    gates.ran(op, done.result);
    ops.push(op);
    direct.push(done);
  }
  const where = (i: number): string => `seed ${report.seed} case ${index} (${kind.name}) op ${i} ${describeOp(ops[i] as Op)}`;
  const oneChain = r.chance(0.4);
  const chains: ChainBuilder[] = [];
  const laid: { atom: AtomRef; laid: Laid }[] = [];
  try {
    if (oneChain) chains.push(new ChainBuilder(engine.memory, { maxAtoms: 4, dataBytes: 65536 }));
    for (let i = 0; i < ops.length; i++) {
      if (!oneChain) chains.push(new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 65536 }));
      laid.push(layOut(chains.at(-1) as ChainBuilder, ops[i] as Op, mine.fd, i));
      if (!oneChain && !(await completes(engine, (chains.at(-1) as ChainBuilder).first))) {
        report.violations.push(`${where(i)}: the chain did not complete within ${CHAIN_MS} ms`);
        return;
      }
    }
    if (oneChain && ops.length > 0 && !(await completes(engine, (chains[0] as ChainBuilder).first))) {
      report.violations.push(`${where(0)}: the ${ops.length}-atom chain did not complete within ${CHAIN_MS} ms`);
      return;
    }
    report.chains += chains.length;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as Op;
      report.ops++;
      if (op.async) report.asyncOps++;
      report.byCall[op.call] = (report.byCall[op.call] ?? 0) + 1;
      const expected = direct[i] as { result: Word; buffers: Uint8Array[] };
      const got = (laid[i] as { atom: AtomRef }).atom.result.value;
      if (BigInt(got) !== BigInt(expected.result)) {
        report.violations.push(`${where(i)}: the engine answered ${resultName(got)}, the syscall ${resultName(expected.result)}`);
        continue;
      }
      // fstat: the two copies are different inodes; their type, mode and size are the same.
      const compared = (bytes: Uint8Array): Uint8Array => (op.call === 'fstat' ? Buffer.concat([bytes.subarray(24, 28), bytes.subarray(48, 56)]) : bytes);
      (laid[i] as { laid: Laid }).laid.buffers.forEach((bytes, b) => {
        const theirsBytes = expected.buffers[b] as Uint8Array;
        if (!Buffer.from(compared(bytes)).equals(Buffer.from(compared(theirsBytes)))) report.violations.push(`${where(i)}: buffer ${b} differs from the syscall's`);
      });
    }
    const mineState = stateOf(kind, mine);
    const theirState = stateOf(kind, theirs);
    if (mineState !== theirState) report.violations.push(`seed ${report.seed} case ${index} (${kind.name}) after ${ops.map(describeOp).join(', ')}: the engine's fd holds ${mineState}, the direct one ${theirState}`);
  } finally {
    for (const chain of chains) chain[Symbol.dispose]();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cases = argValue('cases');
  const report = await runFdKinds({
    seed: Number(argValue('seed') ?? Date.now() % 2 ** 31),
    seconds: Number(argValue('seconds') ?? 10),
    ...(cases === undefined ? {} : { maxCases: Number(cases) }),
    from: Number(argValue('from') ?? 0),
    ...(argValue('engine') === undefined ? {} : { engine: argValue('engine') as EngineKind }),
    checkpoint: writeCheckpoint,
  });
  finishRun(report);
}
