/**
 * An i386 chain whose openat (without O_LARGEFILE: compat32 converts it into the syslet-private
 * openat_nonlfs, engine/compat-calls.ts) opens a FIFO for reading that no process has open for
 * writing. Its inline probe is the same openat2 RESOLVE_CACHED as openat's, and it waited for the
 * writer on the JavaScript thread the same way (hunt28 D, by reading): now the open goes to a
 * cachemiss thread (engine/open-probe.ts), the event loop keeps turning, and once a writer comes
 * the chain goes on with the blocking open's answers: an fd, and the read of what was written.
 *
 * The chain runs in a child (under tsx) that measures the longest gap of a 10 ms interval over a
 * second, then waits for the chain; the test opens the FIFO for writing once the child reported
 * the gap, writes, and closes. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, runGapChild } from './helpers/event-loop-gap.js';
import { scratch } from './helpers/fs-implementations.js';
const TEXT = 'abc';

function childSource(fifo: string): string {
  const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  return `
    import { Engine, SYSLET_STOP_ON_NEGATIVE } from ${url('../index.ts')};
    import { Arena32, convertChain, parseImage, runConverted } from ${url('../compat32/index.ts')};
    import { syscallByName } from ${url('../engine/syscalls/table.ts')};
    import { ImageBuilder } from ${url('./compat32-image-builder.ts')};
    const i386 = (name) => syscallByName(name).i386;
    const b = new ImageBuilder();
    const [open, read, close] = b.atoms(3);
    const fd = b.word(-1);
    const count = b.word(-1);
    const closed = b.word(-1);
    const buffer = b.take(16);
    // i386 atoms point at their argument words; O_RDONLY (0) without O_LARGEFILE.
    b.setAtom(open, { nr: i386('openat'), ret: fd, next: read, flags: SYSLET_STOP_ON_NEGATIVE, args: [b.word(-100), b.word(b.string(${JSON.stringify(fifo)})), b.word(0), b.word(0)] });
    b.setAtom(read, { nr: i386('read'), ret: count, next: close, args: [fd, b.word(buffer), b.word(16)] });
    b.setAtom(close, { nr: i386('close'), ret: closed, args: [fd] });
    const engine = new Engine();
    const image = parseImage(b.file(open));
    const arena = Arena32.load(engine.memory, image);
    const conversion = convertChain(arena, engine.memory, image.entry);
    ${GAP_TICKER}
    console.log(JSON.stringify({ calling: conversion.atoms.map((atom) => atom.name64) }));
    const running = runConverted(engine, conversion);
    setTimeout(async () => {
      ${GAP_REPORT}
      await running;
      const text = new TextDecoder().decode(arena.read(buffer, Math.max(0, arena.i32(count))));
      console.log(JSON.stringify({ fd: arena.i32(fd), count: arena.i32(count), closed: arena.i32(closed), text }));
      process.exit(0);
    }, 1000);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`an i386 openat (openat_nonlfs) of a FIFO with no writer waits off the event loop (${engine} engine)`, { timeout: 60_000 }, async (t) => {
    const dir = scratch(t, 'compat32-open-fifo');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const script = join(dir, 'child.mts');
    writeFileSync(script, childSource(fifo));
    let released = false;
    const { lines, stderr, maxGap } = await runGapChild(script, engine, (stdout) => {
      // A writer comes once the child has measured: the chain's open goes on, and reads its bytes.
      if (!released && stdout.includes('maxGap')) {
        released = true;
        const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        writeSync(writer, TEXT);
        closeSync(writer);
      }
    });
    const report = `the child reported: ${lines.join('\n')} ${stderr.slice(0, 1500)}`;
    assert.deepEqual((JSON.parse(lines[0] ?? '{}') as { calling?: string[] }).calling, ['openat_nonlfs', 'read', 'close'], report);
    assert.ok(maxGap < 500, `the interval keeps running while the open waits for a writer (longest gap ${maxGap} ms)`);
    const outcome = JSON.parse(lines.at(-1) ?? '{}') as { fd?: number; count?: number; closed?: number; text?: string };
    assert.ok((outcome.fd ?? -1) >= 0, `the open answers an fd once a writer came: ${JSON.stringify(outcome)} ${report}`);
    assert.equal(outcome.count, TEXT.length, 'the read got what the writer wrote');
    assert.equal(outcome.text, TEXT);
    assert.equal(outcome.closed, 0);
  });
}
