// Check once, use the copy (issue 15 item 1). A call whose confinement check depends on memory
// its own pointers name — an iovec array, a socklen, a msghdr, a C string — has that memory copied
// into the executing thread's private memory, checked there, and the kernel gets the copy. Before,
// another chain on another cachemiss thread could change iov_len from 64 to 4,160 (or *addrlen
// from 0 to 110) between the check and the call, and the kernel wrote past the region.
//
// The race is made deterministic here: the executor's `betweenCheckAndCall` fault-injection hook
// changes the structure right where the other thread's write would land. The table is
// enumerated: every row with such a length has a scene below (a new row without one fails), and
// each scene runs inline and in cachemiss mode, checks the canaries on both sides of every area
// and that the kernel answered for the values that were checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type ArgInput } from '../engine/builder.js';
import { DEFAULT_EXECUTOR_OPTIONS, Executor, newOutcome } from '../engine/executor.js';
import { compileTable } from '../engine/compiled-table.js';
import { allocNative, viewOf, type Word } from '../engine/native/index.js';
import { SYSCALL_TABLE, isDenied } from '../engine/syscalls/table.js';

const CANARY = 4096;
const CANARY_BYTE = 0xa5;
const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const MSG_TRUNC = 0x20;
const STATX_BASIC_STATS = 0x7ff;

/** A registered area with canary bytes on both sides, in one native block. */
class Guarded {
  readonly start: number;
  readonly end: number;
  readonly view: DataView;
  readonly #canaries: Uint8Array[];

  constructor(engine: Engine, size: number) {
    const block = allocNative(CANARY + size + CANARY, 4096);
    this.start = block.address + CANARY;
    this.end = this.start + size;
    engine.memory.registerNative({ address: this.start, size, buffer: viewOf(this.start, size) }, 'registered');
    this.view = new DataView(viewOf(this.start, size));
    this.#canaries = [new Uint8Array(viewOf(block.address, CANARY)), new Uint8Array(viewOf(this.end, CANARY))];
    for (const canary of this.#canaries) canary.fill(CANARY_BYTE);
  }

  /** Canary bytes that were written. */
  damaged(): number {
    return this.#canaries.reduce((sum, canary) => sum + canary.filter((byte) => byte !== CANARY_BYTE).length, 0);
  }

  u64(address: number, value: number): void {
    this.view.setBigUint64(address - this.start, BigInt(value), true);
  }

  u32(address: number, value: number): void {
    this.view.setUint32(address - this.start, value, true);
  }

  getU32(address: number): number {
    return this.view.getUint32(address - this.start, true);
  }

  /** `text` and its NUL, ending exactly at the area's end. @returns its address. */
  stringAtEnd(text: string): number {
    const bytes = new TextEncoder().encode(`${text}\0`);
    const at = this.end - bytes.length;
    new Uint8Array(this.view.buffer, this.view.byteOffset + (at - this.start), bytes.length).set(bytes);
    return at;
  }
}

/** What one scene does: the call, how to make its state good again, the write that races, the check. */
interface Scene {
  readonly call: string;
  readonly args: readonly ArgInput[];
  /** Put the state the check must see (runs before each execution). */
  readonly arm: () => void;
  /** The other thread's write, landing between the check and the call. */
  readonly race: () => void;
  /** What the kernel must have answered, given the values that were checked. */
  readonly verify: (result: Word) => void;
  readonly areas: readonly Guarded[];
}

interface World {
  readonly engine: Engine;
  readonly dir: string;
  readonly dirFd: number;
  readonly devZero: number;
  readonly devNull: number;
  /** Runs a setup chain on the engine; returns each atom's result. */
  readonly setup: (atoms: readonly [string, readonly ArgInput[]][]) => number[];
}

const unixAddress = (path: string): Uint8Array => {
  const bytes = new Uint8Array(110);
  bytes[0] = AF_UNIX;
  bytes.set(new TextEncoder().encode(path), 2);
  return bytes;
};
const addressLength = (path: string): number => 2 + path.length + 1;

function socketScenes(world: World): Record<string, () => Scene> {
  const { setup, dir } = world;
  let serial = 0;
  const path = (): string => join(dir, `s${serial++}-${'x'.repeat(40)}`);
  /** A bound AF_UNIX socket. */
  const bound = (type: number, at: string): number => {
    const [fd] = setup([['socket', [AF_UNIX, type, 0]]]) as [number];
    const c = new ChainBuilder(world.engine.memory, { maxAtoms: 1, dataBytes: 256 });
    c.atom('bind', [fd, c.buffer(unixAddress(at)), addressLength(at)]);
    world.engine.runChainSync(c.first);
    c[Symbol.dispose]();
    return fd;
  };
  const connect = (fd: number, to: string): void => {
    const c = new ChainBuilder(world.engine.memory, { maxAtoms: 1, dataBytes: 256 });
    const atom = c.atom('connect', [fd, c.buffer(unixAddress(to)), addressLength(to)]);
    world.engine.runChainSync(c.first);
    assert.equal(atom.result.value, 0, 'connect');
    c[Symbol.dispose]();
  };
  const send = (fd: number, bytes: number, to: string): void => {
    const c = new ChainBuilder(world.engine.memory, { maxAtoms: 1, dataBytes: bytes + 512 });
    const atom = c.atom('sendto', [fd, c.buffer(bytes), bytes, 0, c.buffer(unixAddress(to)), addressLength(to)]);
    world.engine.runChainSync(c.first);
    assert.equal(atom.result.value, bytes, 'sendto');
    c[Symbol.dispose]();
  };
  /** A socklen that says 16, or 110 once the race has run; the sockaddr ends 16 bytes before the area's end. */
  const lengthScene = (call: string, fd: number, expectedLength: number, extraArm: () => void = () => undefined, before: ArgInput[] = [], after: ArgInput[] = []): Scene => {
    const area = new Guarded(world.engine, 256);
    const addr = area.end - 16;
    const len = area.start;
    return {
      call, areas: [area],
      args: [fd, ...before, { address: addr }, { address: len }, ...after],
      arm: () => { area.u32(len, 16); extraArm(); },
      race: () => area.u32(len, 110),
      verify: (result) => {
        assert.ok(Number(result) >= 0, `${call}: ${String(result)}`);
        assert.equal(area.getU32(len), expectedLength, `${call}: the kernel's length was written back`);
      },
    };
  };
  return {
    getsockname: () => {
      const at = path();
      return lengthScene('getsockname', bound(SOCK_DGRAM, at), addressLength(at));
    },
    getpeername: () => {
      const at = path();
      bound(SOCK_DGRAM, at);
      const [client] = setup([['socket', [AF_UNIX, SOCK_DGRAM, 0]]]) as [number];
      connect(client, at);
      return lengthScene('getpeername', client, addressLength(at));
    },
    accept4: () => {
      const at = path();
      const listener = bound(SOCK_STREAM, at);
      setup([['listen', [listener, 8]]]);
      // A bound client, so that the accepted peer's address is longer than 16 bytes.
      const connectOne = (): void => {
        const from = path();
        connect(bound(SOCK_STREAM, from), at);
        lastClient = from;
      };
      let lastClient = '';
      const scene = lengthScene('accept4', listener, 0, connectOne, [], [0]);
      return { ...scene, verify: (result) => {
        assert.ok(Number(result) >= 0, `accept4: ${String(result)}`);
        assert.equal(scene.areas[0]?.getU32(scene.areas[0].start), addressLength(lastClient), 'accept4: the peer address length was written back');
      } };
    },
    recvfrom: () => {
      const at = path();
      const from = path();
      const receiver = bound(SOCK_DGRAM, at);
      const sender = bound(SOCK_DGRAM, from);
      const buffer = new Guarded(world.engine, 64);
      const scene = lengthScene('recvfrom', receiver, addressLength(from), () => send(sender, 8, at), [{ address: buffer.start }, 64, 0]);
      return { ...scene, areas: [...scene.areas, buffer] };
    },
    getsockopt: () => {
      const pair = socketPairFds(world);
      const area = new Guarded(world.engine, 256);
      const optval = area.end - 4;
      const optlen = area.start;
      return {
        call: 'getsockopt', areas: [area],
        args: [pair[0], SOL_SOCKET, SO_PEERCRED, { address: optval }, { address: optlen }],
        arm: () => area.u32(optlen, 4),
        race: () => area.u32(optlen, 12),
        verify: (result) => {
          assert.equal(result, 0);
          assert.equal(area.getU32(optlen), 4, 'getsockopt wrote 4 bytes, as checked');
          assert.equal(area.getU32(optval), process.pid, 'struct ucred begins with the pid');
        },
      };
    },
    sendmsg: () => {
      const [a, b] = socketPairFds(world, SOCK_DGRAM);
      const area = new Guarded(world.engine, 512);
      const msg = area.start;
      const iov = area.start + 64;
      const data = area.end - 64;
      const drain = new ChainBuilder(world.engine.memory, { maxAtoms: 1, dataBytes: 8192 + 512 });
      drain.atom('recvfrom', [b, drain.buffer(8192), 8192, 0x40 /* MSG_DONTWAIT */, 0, 0]);
      return {
        call: 'sendmsg', areas: [area],
        args: [a, { address: msg }, 0],
        arm: () => {
          world.engine.runChainSync(drain.first);
          area.u64(msg + 16, iov);
          area.u64(msg + 24, 1);
          area.u64(iov, data);
          area.u64(iov + 8, 64);
        },
        race: () => area.u64(iov + 8, 64 + 4096),
        verify: (result) => assert.equal(result, 64, 'sendmsg sent the 64 bytes that were checked'),
      };
    },
    recvmsg: () => {
      const at = path();
      const from = path();
      const receiver = bound(SOCK_DGRAM, at);
      const sender = bound(SOCK_DGRAM, from);
      const area = new Guarded(world.engine, 512);
      const names = new Guarded(world.engine, 64);
      const msg = area.start;
      const iov = area.start + 64;
      const data = area.end - 64;
      return {
        call: 'recvmsg', areas: [area, names],
        args: [receiver, { address: msg }, 0],
        arm: () => {
          send(sender, 64 + 4096, at);
          area.u64(msg, names.end - 16);
          area.u32(msg + 8, 16);
          area.u64(msg + 16, iov);
          area.u64(msg + 24, 1);
          area.u64(msg + 32, 0);
          area.u64(msg + 40, 0);
          area.u32(msg + 48, 0);
          area.u64(iov, data);
          area.u64(iov + 8, 64);
        },
        race: () => {
          area.u64(iov + 8, 64 + 4096);
          area.u32(msg + 8, 110);
        },
        verify: (result) => {
          assert.equal(result, 64, 'recvmsg filled the 64 bytes that were checked');
          assert.equal(area.getU32(msg + 8), addressLength(from), 'msg_namelen was written back');
          assert.equal(area.getU32(msg + 48) & MSG_TRUNC, MSG_TRUNC, 'msg_flags was written back (the datagram was longer)');
        },
      };
    },
  };
}

function socketPairFds(world: World, type = SOCK_STREAM): [number, number] {
  const c = new ChainBuilder(world.engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const sv = c.buffer(8);
  const atom = c.atom('socketpair', [AF_UNIX, type, 0, sv]);
  world.engine.runChainSync(c.first);
  assert.equal(atom.result.value, 0);
  const view = new DataView(sv.bytes.buffer, sv.bytes.byteOffset, 8);
  const fds: [number, number] = [view.getInt32(0, true), view.getInt32(4, true)];
  c[Symbol.dispose]();
  return fds;
}

/** iovec rows: iov[0] = {64 bytes ending at the area's end}; the race makes it 4,160 bytes long. */
function iovecScene(world: World, call: string, write: boolean): Scene {
  const area = new Guarded(world.engine, 256);
  const iov = area.start;
  const fd = write ? world.devNull : world.devZero;
  const positional = call.startsWith('p');
  const extra: ArgInput[] = positional ? [0, 0] : [];
  if (call.endsWith('v2')) extra.push(0);
  return {
    call, areas: [area],
    args: [fd, { address: iov }, 1, ...extra],
    arm: () => {
      area.u64(iov, area.end - 64);
      area.u64(iov + 8, 64);
    },
    race: () => area.u64(iov + 8, 64 + 4096),
    // /dev/null's write returns the length it was given; /dev/zero's read fills it.
    verify: (result) => assert.equal(result, 64, `${call} used the 64 bytes that were checked`),
  };
}

/** C-string rows: the path's NUL is the area's last byte; the race overwrites it. */
function pathScenes(world: World): Record<string, () => Scene> {
  const { engine, dir, dirFd } = world;
  const pathScene = (call: string, name: string, args: (path: ArgInput) => ArgInput[], prepare: () => void, verify: (result: Word) => void): Scene => {
    const area = new Guarded(engine, 256);
    let at = 0;
    return {
      call, areas: [area],
      get args() {
        return args({ address: at });
      },
      arm: () => {
        at = area.stringAtEnd(name);
        prepare();
      },
      race: () => area.u32(area.end - 4, 0x58585858), // the last bytes, NUL included, become 'XXXX'
      verify,
    };
  };
  const file = (name: string): string => join(dir, name);
  const ensureFile = (name: string) => () => writeFileSync(file(name), 'data');
  const openScene = (call: 'openat' | 'openat2'): Scene => {
    const how = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 }).buffer(24); // open_how: all zero = O_RDONLY
    const scene = pathScene(call, 'of', (path) => (call === 'openat' ? [dirFd, path, 0, 0] : [dirFd, path, how, 24]), ensureFile('of'), (result) => {
      assert.ok(Number(result) >= 0, `${call}: ${String(result)} (the path that was checked opens)`);
      closeSync(Number(result));
    });
    return scene;
  };
  const renameScene = (call: 'renameat' | 'renameat2'): Scene => {
    // Two strings: both NULs are raced, each at the end of its own area.
    const from = new Guarded(engine, 64);
    const to = new Guarded(engine, 64);
    let fromAt = 0;
    let toAt = 0;
    return {
      call, areas: [from, to],
      get args() {
        return [dirFd, { address: fromAt }, dirFd, { address: toAt }, ...(call === 'renameat2' ? [0] : [])];
      },
      arm: () => {
        fromAt = from.stringAtEnd('ra');
        toAt = to.stringAtEnd('rb');
        rmSync(file('rb'), { force: true });
        writeFileSync(file('ra'), 'data');
      },
      race: () => {
        from.u32(from.end - 4, 0x58585858);
        to.u32(to.end - 4, 0x58585858);
      },
      verify: (result) => {
        assert.equal(result, 0, `${call}: ${String(result)}`);
        assert.ok(existsSync(file('rb')), `${call} renamed to the name that was checked`);
      },
    };
  };
  const stat = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
  const statBuffer = stat.buffer(256);
  const closes = (call: string) => (result: Word): void => {
    assert.ok(Number(result) >= 0, `${call}: ${String(result)} (the path that was checked opens)`);
    closeSync(Number(result));
  };
  return {
    // compat32's i386 open and stat (private calls): absolute paths, as open(2) and stat(2) take.
    open_nonlfs: () => pathScene('open_nonlfs', file('cl'), (path) => [path, 0, 0], ensureFile('cl'), closes('open_nonlfs')),
    openat_nonlfs: () => pathScene('openat_nonlfs', 'cm', (path) => [dirFd, path, 0, 0], ensureFile('cm'), closes('openat_nonlfs')),
    stat_compat: () => pathScene('stat_compat', file('cs'), (path) => [path, statBuffer], ensureFile('cs'), (result) => assert.equal(result, 0)),
    lstat_compat: () => pathScene('lstat_compat', file('ct'), (path) => [path, statBuffer], ensureFile('ct'), (result) => assert.equal(result, 0)),
    openat: () => openScene('openat'),
    openat2: () => openScene('openat2'),
    newfstatat: () => pathScene('newfstatat', 'st', (path) => [dirFd, path, statBuffer, 0], ensureFile('st'), (result) => assert.equal(result, 0)),
    statx: () => pathScene('statx', 'sx', (path) => [dirFd, path, 0, STATX_BASIC_STATS, statBuffer], ensureFile('sx'), (result) => assert.equal(result, 0)),
    unlinkat: () => pathScene('unlinkat', 'ul', (path) => [dirFd, path, 0], ensureFile('ul'), (result) => {
      assert.equal(result, 0);
      assert.ok(!existsSync(file('ul')));
    }),
    mkdirat: () => pathScene('mkdirat', 'md', (path) => [dirFd, path, 0o700], () => rmSync(file('md'), { recursive: true, force: true }), (result) => {
      assert.equal(result, 0);
      assert.ok(existsSync(file('md')));
    }),
    faccessat2: () => pathScene('faccessat2', 'fa', (path) => [dirFd, path, 0, 0], ensureFile('fa'), (result) => assert.equal(result, 0)),
    // The link's target is 6 bytes ('target'); a raced name would be 'rXXX' or no NUL at all.
    readlinkat: () => pathScene('readlinkat', 'rl', (path) => [dirFd, path, statBuffer, 256], () => {
      rmSync(file('rl'), { force: true });
      symlinkSync('target', file('rl'));
    }, (result) => assert.equal(result, 'target'.length, `readlinkat read the link that was checked: ${String(result)}`)),
    renameat: () => renameScene('renameat'),
    renameat2: () => renameScene('renameat2'),
  };
}

function scenes(world: World): Record<string, () => Scene> {
  const iovecs: Record<string, () => Scene> = {};
  for (const call of ['readv', 'preadv', 'preadv2']) iovecs[call] = () => iovecScene(world, call, false);
  for (const call of ['writev', 'pwritev', 'pwritev2']) iovecs[call] = () => iovecScene(world, call, true);
  return { ...iovecs, ...pathScenes(world), ...socketScenes(world) };
}

/** The rows whose checks depend on memory their pointers name. */
const INDIRECT_ROWS = SYSCALL_TABLE.filter((spec) => !isDenied(spec) && spec.args.some((arg) => arg.kind === 'ptr' && (arg.len === 'cstring' || arg.len === 'msghdr' || (typeof arg.len === 'object' && ('lenPtr' in arg.len || 'iovCountArg' in arg.len))))).map((spec) => spec.name);

test('the compiled table marks exactly the rows with indirect lengths as copying', () => {
  const copying = compileTable().filter((row) => row?.copies === true).map((row) => row?.spec.name);
  assert.deepEqual([...copying].sort(), [...INDIRECT_ROWS].sort());
  assert.ok(INDIRECT_ROWS.length >= 22, `${INDIRECT_ROWS.length} rows`);
});

test('every row with an indirect length gives the kernel the copy it checked, whatever changes in between', (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const dir = mkdtempSync(join(tmpdir(), 'syslet-copies-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  const world: World = {
    engine, dir,
    dirFd: openSync(dir, 'r'),
    devZero: openSync('/dev/zero', 'r'),
    devNull: openSync('/dev/null', 'r+'),
    setup: (atoms) => {
      const c = new ChainBuilder(engine.memory, { maxAtoms: atoms.length, dataBytes: 4096 });
      const refs = atoms.map(([call, args]) => c.atom(call, [...args]));
      engine.runChainSync(c.first);
      const results = refs.map((ref) => Number(ref.result.value));
      c[Symbol.dispose]();
      return results;
    },
  };
  t.after(() => [world.dirFd, world.devZero, world.devNull].forEach((fd) => closeSync(fd)));
  let race: (() => void) | null = null;
  let raced = 0;
  const options = { ...DEFAULT_EXECUTOR_OPTIONS, betweenCheckAndCall: () => { raced++; race?.(); } };
  const inline = new Executor(engine.memory, engine.policy, 'inline', options);
  const cachemiss = new Executor(engine.memory, engine.policy, 'cachemiss', options);
  const all = scenes(world);
  const missing = INDIRECT_ROWS.filter((name) => all[name] === undefined);
  assert.deepEqual(missing, [], 'every row with an indirect length has a scene');
  const failures: string[] = [];
  for (const name of INDIRECT_ROWS) {
    for (const mode of ['inline', 'cachemiss'] as const) {
      const scene = (all[name] as () => Scene)();
      scene.arm();
      using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
      const atom = chain.atom(scene.call, [...scene.args]);
      race = scene.race;
      raced = 0;
      const out = newOutcome();
      (mode === 'inline' ? inline : cachemiss).run(chain.first, out);
      if (out.handoff !== 0) {
        // Would block (or has no probe): the engine makes the call again on a cachemiss thread.
        scene.arm();
        cachemiss.run(out.handoff, out);
      }
      race = null;
      const label = `${name} (${mode})`;
      try {
        assert.ok(raced > 0, `${label}: the check copied something`);
        assert.equal(out.result, atom.result.value, label);
        scene.verify(out.result);
        scene.areas.forEach((area, i) => assert.equal(area.damaged(), 0, `canary bytes around area ${i} were written`));
      } catch (error) {
        failures.push(`${label}: ${(error as Error).message.split('\n')[0] ?? ''}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
