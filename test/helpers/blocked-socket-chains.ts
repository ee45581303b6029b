/**
 * The child script of the "chains behind blocked ones" tests: an engine forced to threads with
 * the active bound at 1 (as the governor sets it for short CPU-bound chains on two cores),
 * `pairCount` socket pairs, one async read chain per reader and one async write chain per writer (the byte
 * 40 + i). `run` is the part that differs: how the chains are submitted and waited for, with
 * `engine`, `reads` and `writes` (`{ b, atom }`, `b` the chain's builder) in scope. The script
 * then checks every read got its byte and every write wrote one, closes the sockets and prints
 * "all N chains completed".
 */
import { engineUrl } from './child.js';

/** blockedSocketChainsChild - the script, for `pairCount` socket pairs, with `run` in the middle. */
export function blockedSocketChainsChild(pairCount: number, run: string): string {
  return `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { SYSLET_ASYNC } from ${JSON.stringify(engineUrl('atom'))};
const AF_UNIX = 1, SOCK_STREAM = 1;
const engine = new Engine({ engine: 'threads', threads: ${pairCount + 2}, minThreads: 2, idleTimeMs: 60_000 });
await engine.warm(2);
// As the governor sets it for short CPU-bound chains on two cores.
engine.setActiveBound(1);
const builders = [];
const builder = () => {
  const b = new ChainBuilder(engine.memory, { maxAtoms: 2, dataBytes: 256 });
  builders.push(b);
  return b;
};
const pairs = [];
for (let i = 0; i < ${pairCount}; i++) {
  const b = builder();
  const sv = b.buffer(8);
  b.atom('socketpair', [AF_UNIX, SOCK_STREAM, 0, sv]);
  engine.runChainSync(b.first);
  const fds = new DataView(sv.bytes.buffer, sv.bytes.byteOffset, 8);
  pairs.push([fds.getInt32(0, true), fds.getInt32(4, true)]);
}
const reads = pairs.map(([reader], i) => {
  const b = builder();
  const into = b.buffer(1);
  return { b, into, atom: b.atom('read', [reader, into, 1], { flags: SYSLET_ASYNC }), value: 40 + i };
});
const writes = pairs.map(([, writer], i) => {
  const b = builder();
  return { b, atom: b.atom('write', [writer, b.buffer(new Uint8Array([40 + i])), 1], { flags: SYSLET_ASYNC }) };
});
${run}
for (const read of reads) if (read.atom.result.value !== 1 || read.into.bytes[0] !== read.value) throw new Error('read ' + read.atom.result.value + ', byte ' + read.into.bytes[0]);
for (const write of writes) if (write.atom.result.value !== 1) throw new Error('write ' + write.atom.result.value);
for (const [reader, writer] of pairs) {
  const b = builder();
  b.atom('close', [reader]);
  b.atom('close', [writer]);
  engine.runChainSync(b.first);
}
for (const b of builders) b[Symbol.dispose]();
await engine.close();
console.log('all ${pairCount * 2} chains completed');
`;
}
