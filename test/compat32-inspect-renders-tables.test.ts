// The CLI core: inspect shows the 32-bit atom table, convert shows 32-bit and 64-bit atoms side
// by side, run executes and shows 32-bit results — as data and as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { convertImage, inspectImage, renderAtomTable32, renderCompletion, renderConversion, runImage } from '../compat32/index.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { closeEngine } from './compat32-fixture.js';

test('inspect, convert and run an image built in TypeScript', (t) => {
  const b = new ImageBuilder(0xb2000000);
  const [first, second] = b.atoms(2) as [number, number];
  const pid = b.word(0);
  const ret = b.word(0);
  b.setAtom(first, { nr: syscallByName('getpid')?.i386 as number, ret: pid, next: second, flags: 0x20 });
  b.setAtom(second, { nr: syscallByName('kill')?.i386 as number, ret, args: [pid, b.word(0)] });
  const file = b.file(first);

  const inspected = inspectImage(file);
  assert.deepEqual(inspected.atoms.map((row) => [row.nr, row.name, row.flags]), [[20, 'getpid', 'STOP_ON_NEGATIVE'], [37, 'kill', '-']]);
  const text = renderAtomTable32(inspected.atoms);
  assert.match(text, /^#\s+atom\s+nr\s+call/);
  assert.match(text, /0xb2000000\s+20\s+getpid\s+STOP_ON_NEGATIVE/);

  const converted = convertImage(file);
  assert.deepEqual(converted.rows.map((row) => [row.name32, row.nr64, row.name64]), [['getpid', 39, 'getpid'], ['kill', 62, 'kill']]);
  assert.match(renderConversion(converted.rows), /37 kill\s+0x[0-9a-f]+\s+62 kill\s+sign-extend: 0x00000000 → 0/);
  t.diagnostic(`convert: ${converted.rows.length} atoms in ${(converted.conversionNs / 1e3).toFixed(1)} µs, ${converted.bytes64} bytes`);

  const engine = new Engine();
  t.after(() => closeEngine(engine));
  const ran = runImage(engine, file);
  assert.equal(ran.completion.stopName, 'end');
  assert.deepEqual(ran.completion.results.map((r) => r.ret32), [process.pid, 0]);
  assert.match(renderCompletion(ran.completion), new RegExp(`getpid\\s+${process.pid}`));
  assert.equal(engine.memory.find(0xb2000000, 4), null, 'run released the arena');
});
