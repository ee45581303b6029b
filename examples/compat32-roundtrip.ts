/**
 * For the user testing 32/64-bit compatibility: an i386 syslet image goes the whole way through
 * compat32 and back. It is built (the same sample `syslet-aio compat32 sample` writes: getpid,
 * openat/read/close of /proc/self/comm, two writes to stderr), saved and re-read in the image
 * file format, inspected as 44-byte i386 atoms, converted to 88-byte x86-64 atoms, run on the
 * 64-bit engine, and its results read back as 32-bit words. Last, the same image with one bad
 * pointer is refused by the converter with a typed error, before anything runs.
 *
 * Run: node --import tsx examples/compat32-roundtrip.ts [image file to write]
 * (the chain's own writes go to stderr; the report goes to stdout.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, compat32 } from '../index.js';
// The sample's builder is not part of the package API (users get the file from the CLI's
// `compat32 sample`); the example builds it in process so it needs no 32-bit compiler either.
import { sampleImage } from '../compat32/sample.js';

async function main(): Promise<void> {
  const dir = process.argv[2] === undefined ? mkdtempSync(join(tmpdir(), 'syslet-compat32-')) : null;
  const imagePath = process.argv[2] ?? join(dir as string, 'sample.img');
  try {
    // 1. Build and save: 32-byte header + payload laid out at a fixed base below 4 GiB.
    writeFileSync(imagePath, compat32.serializeImage(sampleImage()));
    const file = readFileSync(imagePath);
    const image = compat32.parseImage(file);
    console.log(`image: base ${compat32.hex32(image.base)}, entry ${compat32.hex32(image.entry)}, ${image.bytes.byteLength} bytes`);

    // 2. Inspect: the i386 atoms as a 32-bit kernel would read them. Nothing is mapped.
    const { atoms } = compat32.inspectImage(file);
    console.log(`i386 atoms: ${atoms.map((atom) => atom.name).join(' ')}`);
    console.log(compat32.renderAtomTable32(atoms));

    // 3. Convert without running, to see the rule that widened each argument: sign-extension for
    //    AT_FDCWD and fds (0xffffff9c must stay -100), zero-extension for pointers and sizes.
    const converted = compat32.convertImage(file);
    console.log(`converted: ${converted.rows.length} atoms, ${compat32.UATOM32.size} → ${compat32.UATOM64.size} bytes each`);
    console.log(compat32.renderConversion(converted.rows));

    // 4. Run: load the image at its base in a low arena of the engine's memory, convert there,
    //    run, and write the results back into the 32-bit words. `using` releases the arena and
    //    the conversion (in reverse order: the conversion first) and `await using` closes the
    //    engine, also when something throws.
    {
      await using engine = new Engine();
      using arena = compat32.Arena32.load(engine.memory, image);
      using conversion = compat32.convertChain(arena, engine.memory, image.entry);
      const done = await compat32.runConverted(engine, conversion);
      console.log(`run: stopped ${done.stopName} after ${done.atoms} atoms (${done.mode}), wrote back ${done.wroteBack.words} words`);
      for (const result of done.results) console.log(`  #${result.index} ${result.name} = ${result.ret32 ?? '-'}`);
      // The 32-bit result word of getpid is this very process: the chain ran here, not in a child.
      console.log(`getpid matches process.pid: ${done.results[0]?.ret32 === process.pid}`);
    }

    // 5. A broken image: point the first atom's `next` outside the arena. The converter reads the
    //    whole chain before anything runs, so this is a ConversionError (EFAULT), not a crash.
    const broken = new Uint8Array(file);
    const nextOffset = compat32.IMAGE_HEADER_SIZE + (image.entry - image.base) + compat32.UATOM32.fields.next.offset;
    new DataView(broken.buffer).setUint32(nextOffset, 0x1000, true);
    try {
      compat32.inspectImage(broken);
      throw new Error('the broken image was accepted');
    } catch (error) {
      if (!(error instanceof compat32.ConversionError)) throw error;
      console.log(`refused: atom ${error.atomIndex}, ${error.field}, ${error.code} (errno ${error.errnum})`);
    }
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
