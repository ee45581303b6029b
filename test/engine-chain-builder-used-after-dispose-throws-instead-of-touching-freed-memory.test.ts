// A ChainBuilder's memory is given back by [Symbol.dispose] (a `using` scope's end); its cells,
// buffers, AtomRefs' result cells and the builder itself may still be reachable (an AtomRef
// returned out of the scope, a Cell kept for later). Using them afterwards must throw (or answer
// from memory that is still the chain's), never read or write memory the engine has freed.
// hunt26: Cell.value, Bytes.bytes and region.bytes are views over the freed native block, and
// builder.atom() writes into it: with a 1 MiB data area (a block malloc maps on its own) every one
// of them ended the process with SIGSEGV (rc 139); with the default 16 KiB, reads answered
// garbage from the heap (cell.value 251266136), writes went into freed heap memory silently, and
// atom() aborted the process ("malloc(): unsorted double linked list corrupted", rc 134). 10 of 10
// cases, every run, on the io_uring engine. (Reading after engine.close() without dispose is fine.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl } from './helpers/child.js';
import { childUseThrew } from './helpers/use-after-release.js';

const USES: Record<string, string> = {
  'read a cell': 'void cell.value;',
  'write a cell': 'cell.value = 5;',
  'read an atom\'s result cell': 'void pid.result.value;',
  'read a buffer': 'void bytes.bytes[0];',
  'append an atom': "chain.atom('getpid', []);",
};

for (const dataBytes of [16384, 1 << 20]) {
  for (const [what, use] of Object.entries(USES)) {
    test(`after dispose, ${what} (data area ${dataBytes} B) throws and the process lives`, async () => {
      const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
const engine = new Engine({ threads: 1 });
const chain = new ChainBuilder(engine.memory, { dataBytes: ${dataBytes} });
const cell = chain.cell(1234);
const bytes = chain.buffer(64);
const pid = chain.atom('getpid', []);
engine.runChainSync(chain.first);
chain[Symbol.dispose]();
await new Promise((resolve) => setImmediate(resolve));
let threw = false;
try { ${use} } catch { threw = true; }
await engine.close();
console.log(JSON.stringify({ threw }));
`;
      assert.equal(await childUseThrew(script), true, 'the use after dispose answered instead of throwing');
    });
  }
}
