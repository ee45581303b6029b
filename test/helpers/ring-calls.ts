/**
 * One atom made two ways on an io_uring engine: as a ring request (SYSLET_ASYNC: no inline
 * attempt) and as the syscall (SYSLET_SYNC, inline) — the differential tests of the engine's
 * opcode table (uring-calls-match-syscalls, uring-ppoll-of-one-fd-matches-the-syscall).
 */
import type { TestContext } from 'node:test';
import { Engine } from '../../engine/engine.js';
import { ChainBuilder, type ArgInput } from '../../engine/builder.js';
import { SYSLET_ASYNC, SYSLET_SYNC } from '../../engine/atom.js';

/** How the atom is made: a ring request, or the syscall inline. */
export type Mode = 'ring' | 'syscall';
const FLAGS: Record<Mode, number> = { ring: SYSLET_ASYNC, syscall: SYSLET_SYNC };

/** ringEngine - an engine with engine: 'io_uring' and no cachemiss thread ahead of need; null (the test skipped) where io_uring is unavailable. */
export function ringEngine(t: TestContext): Engine | null {
  const engine = new Engine({ engine: 'io_uring', minThreads: 0 });
  t.after(() => engine.close());
  if (engine.asyncEngine.kind !== 'io_uring') {
    t.skip(`io_uring unavailable: ${engine.asyncEngine.reason}`);
    return null;
  }
  return engine;
}

/**
 * one - run one atom `name(args)` with the mode's flag and return its result; `inspect` looks at
 * the chain's buffers before the chain's memory is released.
 */
export async function one(engine: Engine, mode: Mode, name: string, args: (chain: ChainBuilder) => ArgInput[], inspect?: () => void): Promise<number> {
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 65536 });
  const atom = chain.atom(name, args(chain), { flags: FLAGS[mode] });
  await engine.runChain(chain.first);
  inspect?.();
  return atom.result.number;
}
