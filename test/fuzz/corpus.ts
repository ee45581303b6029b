/**
 * Regression corpus: inputs that once broke (or still break) an engine guarantee, kept as
 * self-contained scripts. Each returns a verdict the regression test asserts; the crashing ones
 * run in a child process (see reliability-regressions.test.ts).
 *
 * | id | what | guarantee | found by |
 * |---|---|---|---|
 * | msghdr-controllen-2^53 | recvmsg with msg_controllen >= 2^53 and msg_control outside engine memory | confinement | review while writing the fuzz pointer classes |
 * | free-inflight | engine.free / ChainBuilder dispose of a region a cachemiss chain is using | no crash | fault fuzz (free while in flight) |
 * | threads-nan | Engine({ threads: NaN / 0 / -1 }), configurePool(NaN) | every chain completes | bad-input sweep |
 */
import { Engine } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';
import { addressOf, syscall } from '../../engine/native/index.js';

/** Fuzz seeds/iterations that produced a violation, replayed by the fuzz test's seed mechanism. */
export const FUZZ_SEEDS: readonly { seed: number; from: number; iterations: number; note: string }[] = [
  { seed: 20260, from: 552448, iterations: 256, note: 'a detached 60 s background run vanished without output near here; replays clean (likely the job was killed from outside)' },
  { seed: 1, from: 7680, iterations: 256, note: 'umem_add counters above 2^63 read negative: private values, not errnos (the driver classifies them)' },
  { seed: 12345, from: 0, iterations: 600, note: 'reproducibility baseline' },
];

/**
 * recvmsg through a msghdr whose msg_controllen does not fit in a double: the executor reads it
 * as -1 and skips the control-buffer check, and the kernel writes SCM_CREDENTIALS into memory the
 * engine never registered.
 *
 * @returns the recvmsg result and whether the unregistered victim buffer changed.
 */
export async function msghdrControllenBeyond53Bits(): Promise<{ result: number; victimWritten: boolean }> {
  const engine = new Engine({ threads: 1 });
  const setup = new ChainBuilder(engine.memory, { maxAtoms: 4, dataBytes: 1024 });
  const pair = setup.buffer(8);
  setup.atom('socketpair', [1 /* AF_UNIX */, 2 /* SOCK_DGRAM */, 0, pair]);
  engine.runChainSync(setup.first);
  const view = new DataView(pair.bytes.buffer, pair.bytes.byteOffset, 8);
  const a = view.getInt32(0, true);
  const b = view.getInt32(4, true);
  const victim = Buffer.alloc(64, 0xaa);
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 8, dataBytes: 4096 });
  const one = chain.buffer(new Uint8Array([1, 0, 0, 0]));
  chain.atom('setsockopt', [b, 1 /* SOL_SOCKET */, 16 /* SO_PASSCRED */, one, 4]);
  const payload = chain.buffer(new Uint8Array([120]));
  chain.atom('sendto', [a, payload, 1, 0, null]);
  const data = chain.buffer(16);
  const iov = chain.buffer(16);
  const iovView = new DataView(iov.bytes.buffer, iov.bytes.byteOffset, 16);
  iovView.setBigUint64(0, BigInt(data.at), true);
  iovView.setBigUint64(8, 16n, true);
  const header = chain.buffer(56);
  const headerView = new DataView(header.bytes.buffer, header.bytes.byteOffset, 56);
  headerView.setBigUint64(16, BigInt(iov.at), true);
  headerView.setBigUint64(24, 1n, true);
  headerView.setBigUint64(32, BigInt(addressOf(victim)), true); // msg_control: NOT engine memory
  headerView.setBigUint64(40, 0xffff_ffff_ffff_ffffn, true); // msg_controllen: beyond 2^53
  const receive = chain.atom('recvmsg', [b, header, 0]);
  engine.runChainSync(chain.first);
  const result = Number(receive.result.value);
  syscall(3, a);
  syscall(3, b);
  setup[Symbol.dispose]();
  chain[Symbol.dispose]();
  await closeQuietly(engine);
  return { result, victimWritten: victim.some((byte) => byte !== 0xaa) };
}

/** close an engine whose close() awaits handles that do not keep the loop alive. */
export async function closeQuietly(engine: Engine): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await engine.close();
  } finally {
    clearInterval(keepAlive);
  }
}
