/**
 * One round of the /dev/zero read tests: `reads` one-atom chains, each reading `size` bytes of
 * /dev/zero into a buffer first filled with 0xee, run at once; what came back short or left
 * bytes unread is listed. The tests differ only in the atom they build (read at the file
 * position, or positional, inline or SYSLET_ASYNC), so that is the callback.
 */
import type { Engine } from '../../engine/engine.js';
import { ChainBuilder, type Bytes } from '../../engine/builder.js';

/** Adds the chain's one atom reading into `buffer`; returns the label a short read is listed by. */
export type ZeroReadAtom = (chain: ChainBuilder, index: number, buffer: Bytes) => string;

/** An iovec pair over `buffer`: its first `size - 7` bytes, then the last 7 (a readv in two parts). */
export function splitVector(chain: ChainBuilder, buffer: Bytes, size: number): Bytes {
  const vector = chain.buffer(32);
  const view = new DataView(vector.bytes.buffer, vector.bytes.byteOffset, 32);
  view.setBigUint64(0, buffer.address, true);
  view.setBigUint64(8, BigInt(size - 7), true);
  view.setBigUint64(16, buffer.address + BigInt(size - 7), true);
  view.setBigUint64(24, 7n, true);
  return vector;
}

/** Runs one round; returns one line per read that did not fill its whole buffer with zeros. */
export async function devZeroReadRound(engine: Engine, round: number, reads: number, size: number, addAtom: ZeroReadAtom): Promise<string[]> {
  const chains = Array.from({ length: reads }, (_, i) => {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: size + 1024 });
    const buffer = chain.buffer(size);
    buffer.bytes.fill(0xee);
    return { chain, buffer, label: addAtom(chain, i, buffer) };
  });
  const short: string[] = [];
  try {
    const ends = await Promise.all(chains.map(({ chain }) => engine.runChain(chain.first)));
    ends.forEach((end, i) => {
      const { buffer, label } = chains[i] as { buffer: Bytes; label: string };
      if (Number(end.result) !== size) short.push(`round ${round} ${label} ${i}: ${String(end.result)}`);
      else if (buffer.bytes.some((byte) => byte !== 0)) short.push(`round ${round} ${label} ${i}: bytes left unread`);
    });
  } finally {
    for (const { chain } of chains) chain[Symbol.dispose]();
  }
  return short;
}
