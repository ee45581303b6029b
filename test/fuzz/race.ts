/**
 * The race campaign (issue 15, "how to keep them found"): two or more chains, each on its own
 * cachemiss thread, each looping over a call whose confinement check depends on memory its
 * pointers name — an iovec array, a socklen, a msghdr, a path — while changing the *other*
 * chains' structures around its own call, with optional pure mutator chains racing as well. Every
 * change pushes a length or a pointer outwards, past the area the structure names: if the kernel
 * ever uses a value the check did not see, it writes into the canaries around the area, or (for a
 * path, which the kernel only reads) answers something else than success or -EFAULT.
 *
 * Per case: 2–4 victim chains (+0–2 mutators), 20–1,500 iterations each, areas in native memory
 * with canaries on both sides or in Node's Buffer pool with guard views between them. After every
 * case: every chain completed exactly once and ran to its end, the errors each victim met are
 * only the -EFAULT a refused check gives (the victim branches to two umem_adds that sum and count
 * its negative results), every canary and guard is intact.
 *
 * How a mutator knows the victims have ended: each victim sets an `ended` cell of its own as its
 * last atom, and the mutator reads those cells through lseek's offset argument (SEEK_SET answers
 * the offset it was given) — it never writes them. umem_add is not atomic (docs/syslets.md: a
 * counter belongs to one chain), so a counter that every victim decremented and every mutator
 * read back with umem_add(…, 0) lost updates when two of them ran at the same moment on
 * different threads (more often on a loaded machine): it stayed above 0, and the mutator spun
 * to the 16M-atom limit, or past the case's 60 s, after every victim had ended.
 *
 * Run standalone: `node --import tsx test/fuzz/race.ts --seed 1 --seconds 10 [--cases N] [--out f.json]`.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine, type ChainListener } from '../../engine/engine.js';
import { ChainBuilder, type ArgInput, type AtomRef, type Cell } from '../../engine/builder.js';
import { SEEK_SET } from '../../engine/syscalls/constants.generated.js';
import { STOP, SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_ZERO } from '../../engine/atom.js';
import type { Word } from '../../engine/native/index.js';
import { GuardedArea, PooledAreas, type Guarded } from './guarded.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const MSG_DONTWAIT = 0x40;
const EFAULT = 14;
const THREADS = 8;

/** What a race run saw. */
export interface RaceReport {
  seed: number;
  cases: number;
  chains: number;
  /** Atoms the chains executed, as their completions report them. */
  atoms: number;
  /** Victim calls made (loop iterations times victims). */
  victimCalls: number;
  /** Victim calls refused with -EFAULT (the check saw a changed value). */
  refused: number;
  /** Canary areas and guard views checked (each after every case it took part in). */
  canaryChecks: number;
  /** Cases per victim kind. */
  kinds: Record<string, number>;
  violations: string[];
  elapsedMs: number;
}

/** One field a chain may change in another chain's structure: set it to `raced`, then back to `calm`. */
export interface Field {
  /** umem_add-able: a 64-bit word and the delta that pushes it out; or a socklen set from files. */
  readonly word?: { readonly at: number; readonly delta: number };
  readonly word32?: { readonly at: number; readonly delta: number };
  readonly socklen?: { readonly at: number; readonly calmFd: number; readonly racedFd: number };
}

/** A victim: its call's arguments, and the fields others may race. */
export interface Victim {
  readonly kind: string;
  /** Atoms to run before the call each iteration (a datagram to receive). */
  readonly before: readonly [string, readonly ArgInput[]][];
  readonly call: string;
  readonly args: readonly ArgInput[];
  readonly fields: readonly Field[];
  readonly guards: readonly Guarded[];
}

/** The shared, long-lived part of a run: one engine, warm threads, files and sockets. */
export class World {
  // The threads stay warm (minThreads): a victim waiting for a thread to start while a mutator
  // spins on another would run the mutator into the atom limit.
  readonly engine = new Engine({ threads: THREADS, minThreads: THREADS, maxAtomsPerChain: 1 << 24 });
  readonly dir = mkdtempSync(join(tmpdir(), 'syslet-race-'));
  readonly dirFd: number;
  readonly devZero = openSync('/dev/zero', 'r');
  readonly devNull = openSync('/dev/null', 'r+');
  /** A regular file whose offset mutators set with SEEK_SET to read a victim's `ended` cell. */
  readonly probe: number;
  /** Files holding one u32 each: what a socklen is set to by pread64. */
  readonly values = new Map<number, number>();
  /** Bound datagram sockets (sender, receiver) and their paths. */
  readonly sockets: { sender: number; receiver: number; senderPath: string; receiverPath: string };
  readonly #fds: number[] = [];

  constructor() {
    this.dirFd = openSync(this.dir, 'r');
    writeFileSync(join(this.dir, 'f'), 'data');
    this.probe = openSync(join(this.dir, 'f'), 'r');
    for (const value of [0, 4, 12, 16, 110, 1 << 20]) {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(value >>> 0);
      writeFileSync(join(this.dir, `len${value}`), bytes);
      const fd = openSync(join(this.dir, `len${value}`), 'r');
      this.values.set(value, fd);
      this.#fds.push(fd);
    }
    const senderPath = join(this.dir, `snd-${'s'.repeat(40)}`);
    const receiverPath = join(this.dir, `rcv-${'r'.repeat(40)}`);
    this.sockets = { sender: this.#bound(senderPath), receiver: this.#bound(receiverPath), senderPath, receiverPath };
    this.#fds.push(this.sockets.sender, this.sockets.receiver);
  }

  valueFd(value: number): number {
    const fd = this.values.get(value);
    if (fd === undefined) throw new RangeError(`no file holds ${value}`);
    return fd;
  }

  #bound(path: string): number {
    using chain = new ChainBuilder(this.engine.memory, { maxAtoms: 2, dataBytes: 512 });
    const socket = chain.atom('socket', [AF_UNIX, SOCK_DGRAM, 0]);
    chain.atom('bind', [socket, chain.buffer(unixAddress(path)), 2 + path.length + 1]);
    this.engine.runChainSync(chain.first);
    return Number(socket.result.value);
  }

  async close(): Promise<void> {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      await this.engine.close();
    } finally {
      clearInterval(keepAlive);
    }
    for (const fd of [...this.#fds, this.dirFd, this.devZero, this.devNull, this.probe]) closeSync(fd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function unixAddress(path: string): Uint8Array {
  const bytes = new Uint8Array(110);
  bytes[0] = AF_UNIX;
  bytes.set(new TextEncoder().encode(path), 2);
  return bytes;
}

/** Where a victim's memory comes from: native areas with canaries, or views of the Buffer pool. */
type Placement = 'native' | 'pooled';

/** Builds one victim of `kind` with its structures in fresh areas. */
function makeVictim(world: World, r: Prng, kind: string, placement: Placement, cleanup: (() => void)[]): Victim {
  const engine = world.engine;
  // Native areas are their own regions, so a small push past the end is already outside; pooled
  // views sit inside a registered 8 KiB pool, so a push must leave the pool altogether.
  const far = placement === 'pooled';
  const out = (small: number): number => (far ? 1 << 20 : small);
  const area = (size: number, native = false): { start: number; end: number; view: DataView; guard: Guarded } => {
    if (placement === 'pooled' && !native) {
      const pooled = new PooledAreas([size]);
      pooled.register(engine);
      // The pool's region goes when the case ends (unregistering it twice is a no-op).
      cleanup.push(() => void engine.unregister(pooled.views[0] as Buffer, true));
      const start = pooled.address(0);
      const view = pooled.views[0] as Buffer;
      return { start, end: start + size, view: new DataView(view.buffer, view.byteOffset, size), guard: pooled };
    }
    const guarded = new GuardedArea(engine, size);
    cleanup.push(() => guarded.release(engine));
    return { start: guarded.start, end: guarded.end, view: guarded.view, guard: guarded };
  };
  const u64 = (a: { start: number; view: DataView }, at: number, value: number): void => a.view.setBigUint64(at - a.start, BigInt(value), true);
  switch (kind) {
    case 'readv': case 'preadv': case 'preadv2': case 'writev': case 'pwritev': case 'pwritev2': {
      const write = kind.includes('w');
      // A pooled view must stay below 4 KiB to come from the pool (1024 iovecs are 16 KiB).
      const count = r.pick(far ? [1, 2, 16, 64] : [1, 2, 16, 256, 1024]);
      const iov = area(count * 16);
      const data = area(256);
      // iov[0] is the last 64 bytes of the data area; the rest are empty (a long check).
      u64(iov, iov.start, data.end - 64);
      u64(iov, iov.start + 8, 64);
      const positional = kind.startsWith('p');
      const extra: ArgInput[] = positional ? [0, 0] : [];
      if (kind.endsWith('v2')) extra.push(0);
      const which = r.int(count);
      const fields: Field[] = [
        { word: { at: iov.start + 8, delta: out(4096) } },
        { word: { at: iov.start, delta: out(128) } },
        // An empty iovec that gets a length: its base is 0, so any length is outside memory.
        { word: { at: iov.start + which * 16 + 8, delta: out(4096) } },
      ];
      return { kind, before: [], call: kind, args: [write ? world.devNull : world.devZero, { address: iov.start }, count, ...extra], fields, guards: [iov.guard, data.guard] };
    }
    case 'getsockname': case 'getsockopt': case 'recvfrom': {
      const lens = area(64);
      const target = area(128);
      const len = lens.start;
      // The sockaddr (or optval) takes the last bytes of its area: as long as the checked length.
      const calm = kind === 'getsockopt' ? 4 : 16;
      // In the pool, anything short of leaving it is a legal length: race only 1 MiB there.
      const raced = far ? 1 << 20 : r.pick(kind === 'getsockopt' ? [12, 110, 1 << 20] : [110, 1 << 20]);
      lens.view.setUint32(0, calm, true);
      const at = target.end - calm;
      const { sender, receiver, receiverPath } = world.sockets;
      const field: Field = { socklen: { at: len, calmFd: world.valueFd(calm), racedFd: world.valueFd(raced) } };
      const zeroLength: Field = { socklen: { at: len, calmFd: world.valueFd(calm), racedFd: world.valueFd(0) } };
      // The kernel writes the real length back (a sockaddr longer than the slot): the victim sets
      // its length again before each call, as a program would.
      const rearm: [string, readonly ArgInput[]] = ['pread64', [world.valueFd(calm), { address: len }, 4, 0]];
      if (kind === 'getsockname') return { kind, before: [rearm], call: kind, args: [sender, { address: at }, { address: len }], fields: [field, zeroLength], guards: [lens.guard, target.guard] };
      if (kind === 'getsockopt') return { kind, before: [rearm], call: kind, args: [receiver, SOL_SOCKET, SO_PEERCRED, { address: at }, { address: len }], fields: [field], guards: [lens.guard, target.guard] };
      // recvfrom: each iteration sends itself a datagram first (from the bound sender, so the
      // source address is long), then receives one with MSG_DONTWAIT. A receive refused with
      // -EFAULT leaves its datagram queued, so sends do not wait either: a full queue is -EAGAIN
      // for the send (not counted) and never empty for the receive.
      const datagram = area(64);
      const to = area(128);
      new Uint8Array(to.view.buffer, to.view.byteOffset, 110).set(unixAddress(receiverPath));
      return {
        kind, call: kind,
        before: [rearm, ['sendto', [sender, { address: datagram.start }, 16, MSG_DONTWAIT, { address: to.start }, 2 + receiverPath.length + 1]]],
        args: [receiver, { address: datagram.start }, 64, MSG_DONTWAIT, { address: at }, { address: len }],
        fields: [field, zeroLength], guards: [lens.guard, target.guard, datagram.guard, to.guard],
      };
    }
    case 'recvmsg': {
      const { sender, receiver, receiverPath } = world.sockets;
      const header = area(64);
      const iov = area(32);
      const data = area(256);
      const names = area(64);
      // Only sent from (and bigger than a pooled view may be): native memory either way.
      const datagram = area(64 + 4096, true);
      const to = area(128);
      new Uint8Array(to.view.buffer, to.view.byteOffset, 110).set(unixAddress(receiverPath));
      const msg = header.start;
      u64(header, msg, names.end - 16);
      header.view.setUint32(8, 16, true);
      u64(header, msg + 16, iov.start);
      u64(header, msg + 24, 1);
      u64(iov, iov.start, data.end - 64);
      u64(iov, iov.start + 8, 64);
      return {
        kind, call: kind,
        before: [
          // msg_namelen comes back as the sender's address length: set it again, as a program would.
          ['pread64', [world.valueFd(16), { address: msg + 8 }, 4, 0]],
          ['sendto', [sender, { address: datagram.start }, 64 + 4096, MSG_DONTWAIT, { address: to.start }, 2 + receiverPath.length + 1]],
        ],
        args: [receiver, { address: msg }, MSG_DONTWAIT],
        fields: [
          { word: { at: iov.start + 8, delta: out(4096) } },
          { socklen: { at: msg + 8, calmFd: world.valueFd(16), racedFd: world.valueFd(far ? 1 << 20 : 110) } }, // msg_namelen
          { word: { at: msg + 24, delta: 1023 } }, // msg_iovlen 1 → 1024: the rest of the iovec area is not there
          { word: { at: msg + 16, delta: out(4096) } }, // msg_iov moved past its area
        ],
        guards: [header.guard, iov.guard, data.guard, names.guard, datagram.guard, to.guard],
      };
    }
    default: {
      // Paths: the NUL is the area's last byte. The kernel only reads paths: one read past the end
      // runs into 4,096 canary bytes and answers -ENAMETOOLONG, which the error sum catches.
      const path = area(16);
      const name = new TextEncoder().encode('f\0');
      const at = path.end - name.length;
      new Uint8Array(path.view.buffer, path.view.byteOffset + (at - path.start), name.length).set(name);
      const statBuffer = area(256);
      // The 32-bit word that ends with the NUL gets 'X' (0x58) in its top byte.
      const nul: Field = { word32: { at: path.end - 4, delta: 0x58 << 24 } };
      const args: ArgInput[] = kind === 'newfstatat' ? [world.dirFd, { address: at }, { address: statBuffer.start }, 0] : [world.dirFd, { address: at }, 0, 0];
      return { kind, before: [], call: kind, args, fields: [nul], guards: [path.guard, statBuffer.guard] };
    }
  }
}

const KINDS = ['readv', 'preadv', 'preadv2', 'writev', 'pwritev', 'pwritev2', 'getsockname', 'getsockopt', 'recvfrom', 'recvmsg', 'newfstatat', 'faccessat2'] as const;

/** Appends the atoms that set `field` to its raced value (`raced`) or back (`!raced`). */
function raceAtoms(chain: ChainBuilder, field: Field, raced: boolean): void {
  if (field.word !== undefined) chain.atom('umem_add', [{ address: field.word.at }, raced ? field.word.delta : -field.word.delta]);
  else if (field.word32 !== undefined) chain.atom('umem_add32', [{ address: field.word32.at }, raced ? field.word32.delta : (2 ** 32 - field.word32.delta) >>> 0]);
  else if (field.socklen !== undefined) chain.atom('pread64', [raced ? field.socklen.racedFd : field.socklen.calmFd, { address: field.socklen.at }, 4, 0]);
}

/** One chain of a case and the cells it reports through. */
export interface Built {
  readonly chain: ChainBuilder;
  readonly errSum: Cell | null;
  readonly errCount: Cell | null;
  readonly calls: Cell | null;
  /** A victim's: 0 until its last atom sets it to 1 (no other chain writes it). */
  readonly ended: Cell | null;
  readonly victim: Victim | null;
}

/**
 * A victim chain: a loop of [race others' fields][before][call → on error: sum, count][calm others'
 * fields][countdown], then ended = 1. A mutator chain: a loop of [race][calm] until every victim's
 * `ended` cell reads 1.
 */
function buildChain(world: World, victim: Victim | null, others: readonly Field[], iterations: number, victimsEnded: readonly Cell[]): Built {
  const chain = new ChainBuilder(world.engine.memory, { maxAtoms: 24, dataBytes: 2048 });
  const first = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  let loopStart: AtomRef | null = null;
  const mark = (): void => {
    loopStart ??= chain.atoms[chain.atoms.length - 1] ?? null;
  };
  for (const field of others) {
    raceAtoms(chain, field, true);
    mark();
  }
  if (victim === null) {
    for (const field of others) raceAtoms(chain, field, false);
    // Per victim: lseek(probe, ended, SEEK_SET) answers `ended` without writing it. 0 (still
    // running) stops and skips to the atom laid after it, which goes round again; 1 goes on to
    // the next victim's check, and after the last one the chain ends.
    const loop = loopStart ?? first;
    let previous: AtomRef | null = null;
    for (const ended of victimsEnded) {
      const check = chain.atom('lseek', [world.probe, ended, SEEK_SET], { flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP });
      const again = chain.atom('getpid', []);
      chain.link(again, loop);
      if (previous !== null) chain.link(previous, check);
      previous = check;
    }
    if (previous !== null) chain.link(previous, null);
    return { chain, errSum: null, errCount: null, calls: null, ended: null, victim: null };
  }
  for (const [call, args] of victim.before) {
    chain.atom(call, [...args]);
    mark();
  }
  const errSum = chain.cell(0);
  const errCount = chain.cell(0);
  const calls = chain.cell(0);
  const countdown = chain.cell(iterations);
  const ended = chain.cell(0);
  const call = chain.atom(victim.call, [...victim.args], { flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP });
  mark();
  // The error path, laid right after the call (where SKIP_TO_NEXT_ON_STOP lands).
  chain.atom('umem_add', [errSum.ref, call]);
  const counted = chain.atom('umem_add', [errCount.ref, 1]);
  const afterCall = chain.atom('umem_add', [calls.ref, 1]);
  chain.link(call, afterCall);
  chain.link(counted, afterCall);
  for (const field of others) raceAtoms(chain, field, false);
  const step = chain.atom('umem_add', [countdown.ref, -1], { flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP });
  const exit = chain.atom('umem_add', [ended.ref, 1]);
  chain.link(step, loopStart ?? call);
  chain.link(exit, null);
  return { chain, errSum, errCount, calls, ended, victim };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** One case's victims (their areas released by `cleanup`) and chains (victims first, then mutators). */
export interface RaceCase {
  readonly victims: readonly Victim[];
  readonly built: readonly Built[];
  readonly cleanup: readonly (() => void)[];
}

/** buildCase - lay out case `index` of `seed` in `world`'s memory, without running it. */
export function buildCase(world: World, seed: number, index: number): RaceCase {
  const r = new Prng(seedFor(seed, index));
  const cleanup: (() => void)[] = [];
  const victims: Victim[] = [];
  const victimCount = 2 + r.int(3);
  for (let v = 0; v < victimCount; v++) {
    const kind = r.pick(KINDS);
    // A path must not find a NUL of its own in the rest of a registered pool: paths stay native.
    const pooled = kind !== 'newfstatat' && kind !== 'faccessat2' && r.chance(0.3);
    victims.push(makeVictim(world, r, kind, pooled ? 'pooled' : 'native', cleanup));
  }
  const mutators = r.int(3);
  // Each victim races the fields of the next one (a ring of chains changing each other's
  // structures); mutators race random fields of any victim.
  const built: Built[] = victims.map((victim, v) => {
    const next = victims[(v + 1) % victims.length] as Victim;
    const fields = r.chance(0.8) ? [r.pick(next.fields)] : [];
    return buildChain(world, victim, fields, 20 + r.int(1500), []);
  });
  const ended = built.flatMap((entry) => (entry.ended === null ? [] : [entry.ended]));
  for (let m = 0; m < mutators; m++) {
    const target = r.pick(victims);
    built.push(buildChain(world, null, [r.pick(target.fields), r.pick(r.pick(victims).fields)], 0, ended));
  }
  return { victims, built, cleanup };
}

/** runRace - race for `seconds` (or `maxCases`), returning what was tried and seen. */
export async function runRace(options: { seed: number; seconds: number; maxCases?: number; from?: number; checkpoint?: (index: number) => void }): Promise<RaceReport> {
  const world = new World();
  await world.engine.warm(THREADS);
  const report: RaceReport = { seed: options.seed, cases: 0, chains: 0, atoms: 0, victimCalls: 0, refused: 0, canaryChecks: 0, kinds: {}, violations: [], elapsedMs: 0 };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const max = options.maxCases ?? Number.POSITIVE_INFINITY;
  const from = options.from ?? 0;
  const violation = (index: number, what: string): void => {
    if (report.violations.length < 50) report.violations.push(`seed ${options.seed} case ${index}: ${what}`);
  };
  for (let index = from; index - from < max && performance.now() < deadline; index++) {
    options.checkpoint?.(index);
    const { victims, built, cleanup } = buildCase(world, options.seed, index);
    for (const victim of victims) bump(report.kinds, victim.kind);
    const seen = new Map<number, { done: number; stop: number; atoms: number }>();
    const finished = built.map((entry, c) => new Promise<void>((resolve) => {
      const record = { done: 0, stop: -1, atoms: 0 };
      seen.set(c, record);
      const listener: ChainListener = {
        chainDone: (_last: number, _result: Word, atoms: number, stop: number) => {
          record.done++;
          record.stop = stop;
          record.atoms = atoms;
          resolve();
        },
      };
      const submitted = world.engine.submit(entry.chain.first, listener);
      if (submitted !== 0) {
        violation(index, `chain ${c} was not handed to a cachemiss thread (${submitted})`);
        resolve();
      }
    }));
    report.chains += built.length;
    const timeout = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 60_000).unref());
    if ((await Promise.race([Promise.all(finished), timeout])) === 'hang') {
      const states = built.map((entry, c) => `${entry.victim?.kind ?? 'mutator'}: ${JSON.stringify(seen.get(c))}`);
      violation(index, `chains did not complete in 60 s (in flight ${world.engine.inflight}; ${states.join(', ')})`);
      break;
    }
    // A duplicate completion would arrive after the first: give it the chance to.
    world.engine.pump();
    built.forEach((entry, c) => {
      const record = seen.get(c) ?? { done: 0, stop: -1, atoms: 0 };
      report.atoms += record.atoms;
      if (record.done !== 1) violation(index, `chain ${c} completed ${record.done} times`);
      if (record.stop !== STOP.end && record.stop !== STOP.flag) violation(index, `chain ${c} stopped with ${record.stop}`);
      if (entry.victim === null || entry.errSum === null || entry.errCount === null || entry.calls === null) return;
      const count = Number(entry.errCount.value);
      const sum = Number(entry.errSum.value);
      report.victimCalls += Number(entry.calls.value);
      report.refused += count;
      if (sum !== -EFAULT * count) violation(index, `${entry.victim.kind}: ${count} errors summing to ${sum}: something other than -EFAULT (the kernel used an unchecked value)`);
    });
    for (const victim of victims) {
      for (const guard of victim.guards) {
        report.canaryChecks++;
        const damaged = guard.damaged();
        if (damaged > 0) {
          violation(index, `${victim.kind}: ${damaged} canary bytes written around its areas`);
          guard.restore();
        }
      }
    }
    for (const entry of built) entry.chain[Symbol.dispose]();
    // Nothing is in flight now: the native areas can go.
    for (const release of cleanup) release();
    report.cases++;
  }
  report.elapsedMs = Math.round(performance.now() - started);
  await world.close();
  return report;
}

function argValue(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : undefined;
  return raw === undefined ? fallback : Number(raw);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outAt = process.argv.indexOf('--out');
  const out = outAt >= 0 ? process.argv[outAt + 1] : undefined;
  const report = await runRace({
    seed: argValue('seed', Date.now() % 2 ** 31),
    seconds: argValue('seconds', 4),
    maxCases: argValue('cases', Number.POSITIVE_INFINITY),
    from: argValue('from', 0),
    checkpoint: writeCheckpoint,
  });
  const json = JSON.stringify(report, null, 2);
  if (out !== undefined) writeFileSync(out, json);
  else process.stdout.write(`${json}\n`);
}
