/**
 * `syslet-aio compat32` end to end, in child processes as a user runs it: sample → inspect →
 * convert → run on the built-in sample, the --json documents, --base handling (headed and raw
 * images), errno names in run results, and the exit codes and one-line errors of bad images and
 * bad command lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_HEADER_SIZE, IMAGE_MAGIC } from '../compat32/index.js';
import { SAMPLE_BASE, SAMPLE_CALLS, SAMPLE_GREETING } from '../compat32/sample.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { ImageBuilder } from './compat32-image-builder.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'syslet-aio-cli-compat32-'));
const SAMPLE = join(DIR, 'sample.img');
test.after(() => rmSync(DIR, { recursive: true, force: true }));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The child's pid: what the sample's getpid atom must return. */
  readonly pid: number;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'compat32', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr, pid: child.pid ?? -1 });
    });
  });
}

function nr32(name: string): number {
  const nr = syscallByName(name)?.i386;
  assert.ok(nr !== undefined, `${name} has an i386 number`);
  return nr;
}

/** Asserts the CLI's failure contract: nothing on stdout, exactly one line on stderr, matching `line`. */
function assertOneLineError(run: Run, code: number, line: RegExp): void {
  assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr.split('\n').length, 2, `one line: ${JSON.stringify(run.stderr)}`);
  assert.match(run.stderr, line);
}

// Every other test reads the sample this one writes (node:test runs a file's tests in order).
test('sample writes an i386 image that inspect, convert and run all accept', async () => {
  const sample = await cli('sample', SAMPLE);
  assert.equal(sample.code, 0, sample.stderr);
  const file = readFileSync(SAMPLE);
  assert.equal(file.subarray(0, IMAGE_MAGIC.length).toString('latin1'), IMAGE_MAGIC);
  assert.equal(file.readUInt32LE(12), SAMPLE_BASE);
  assert.equal(file.length, IMAGE_HEADER_SIZE + 4096);
  assert.match(sample.stdout, new RegExp(`^wrote ${SAMPLE}: i386 image at 0x90000000, entry 0x90000000, 4096 bytes, 6 atoms\n`));
  assert.match(sample.stdout, new RegExp(`syslet-aio compat32 run ${SAMPLE}\n$`));

  const inspect = await cli('inspect', SAMPLE);
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.equal(inspect.stderr, '');
  assert.match(inspect.stdout, /^#\s+atom\s+nr\s+call\s+flags\s+ret_ptr\s+next\s+args/m);
  assert.match(inspect.stdout, /^0\s+0x90000000\s+20\s+getpid\s+STOP_ON_NEGATIVE\s+0x[0-9a-f]{8}\s+0x9000002c$/m);
  // openat's first argument word is AT_FDCWD as a 32-bit program stores it.
  assert.match(inspect.stdout, /^1\s+0x9000002c\s+295\s+openat\s+STOP_ON_NEGATIVE\s+.*=0xffffff9c /m);
  assert.match(inspect.stdout, /^5\s+0x900000dc\s+4\s+write\s+-\s+0x[0-9a-f]{8}\s+NULL\s/m);

  const convert = await cli('convert', SAMPLE);
  assert.equal(convert.code, 0, convert.stderr);
  assert.match(convert.stdout, /^#\s+i386 atom\s+i386 call\s+x86-64 atom\s+x86-64 call\s+arguments$/m);
  assert.match(convert.stdout, /^0\s+0x90000000\s+20 getpid\s+0x[0-9a-f]+\s+39 getpid$/m);
  assert.match(convert.stdout, /^1\s+0x9000002c\s+295 openat\s+0x[0-9a-f]+\s+1041 openat_nonlfs\s+sign-extend: 0xffffff9c → -100$/m);
  assert.match(convert.stdout, /^2\s+0x90000058\s+3 read\s+0x[0-9a-f]+\s+0 read\s/m);
  assert.match(convert.stdout, /^converted 6 atoms in [\d.]+ µs into \d+ bytes of engine memory/m);

  const run = await cli('run', SAMPLE);
  assert.equal(run.code, 0, run.stderr);
  // The chain's two writes go straight to fd 2: the greeting, then what read got from /proc/self/comm.
  assert.ok(run.stderr.startsWith(SAMPLE_GREETING), run.stderr);
  const comm = run.stderr.slice(SAMPLE_GREETING.length);
  assert.equal(comm, 'node\n');
  assert.match(run.stdout, /^stopped: end after 6 atoms run \((inline|cachemiss)\); last atom #5 write at 0x900000dc returned 5$/m);
  assert.match(run.stdout, /^wrote back 6 words and 0 structs into 32-bit memory$/m);
  assert.match(run.stdout, new RegExp(`^0\\s+0x90000000\\s+getpid\\s+${run.pid}$`, 'm'));
  assert.match(run.stdout, /^3\s+0x90000084\s+close\s+0$/m);
  assert.match(run.stdout, new RegExp(`^4\\s+0x900000b0\\s+write\\s+${SAMPLE_GREETING.length}$`, 'm'));
});

test('--json prints one document per action, and run keeps stdout pure JSON', async () => {
  const [inspect, convert, run] = await Promise.all([cli('inspect', SAMPLE, '--json'), cli('convert', SAMPLE, '--json'), cli('run', SAMPLE, '--json')]);
  for (const r of [inspect, convert, run]) assert.equal(r.code, 0, r.stderr);
  const image = { path: SAMPLE, base: SAMPLE_BASE, entry: SAMPLE_BASE, bytes: 4096, reserve: 0 };

  const inspected = JSON.parse(inspect.stdout) as { action: string; image: unknown; atoms: { index: number; nr: number; name: string; flags: string; next: number; args: { pointer: number; value: number }[] }[] };
  assert.equal(inspected.action, 'inspect');
  assert.deepEqual(inspected.image, image);
  assert.deepEqual(inspected.atoms.map((atom) => atom.name), SAMPLE_CALLS);
  assert.deepEqual(inspected.atoms.map((atom) => atom.nr), SAMPLE_CALLS.map(nr32));
  assert.deepEqual(inspected.atoms.map((atom) => atom.args.length), [0, 3, 3, 1, 3, 3]);
  assert.equal(inspected.atoms[1]?.args[0]?.value, 0xffffff9c);
  assert.equal(inspected.atoms[5]?.next, 0);

  const converted = JSON.parse(convert.stdout) as { action: string; image: unknown; rows: { nr32: number; nr64: number; name64: string; args: string[] }[]; conversionNs: number; bytes64: number };
  assert.equal(converted.action, 'convert');
  assert.deepEqual(converted.image, image);
  // An i386 openat becomes its private twin openat_nonlfs, which answers EOVERFLOW as i386 does.
  const name64 = (name: string): string => syscallByName(name)?.i386Shape?.compat ?? name;
  assert.deepEqual(converted.rows.map((row) => [row.nr32, row.nr64, row.name64]), SAMPLE_CALLS.map((name) => [nr32(name), syscallByName(name64(name))?.x86_64, name64(name)]));
  assert.deepEqual(converted.rows[1]?.args[0], 'sign-extend: 0xffffff9c → -100');
  assert.ok(converted.conversionNs > 0 && converted.bytes64 >= 6 * 88, `${converted.bytes64} bytes`);

  const ran = JSON.parse(run.stdout) as {
    action: string; image: unknown; rows: unknown[];
    completion: { stopName: string; atoms: number; result32: number; errno: string | null; results: { index: number; name: string; ret32: number; errno: string | null }[] };
  };
  assert.equal(ran.action, 'run');
  assert.deepEqual(ran.image, image);
  assert.equal(ran.rows.length, 6);
  assert.equal(ran.completion.stopName, 'end');
  assert.equal(ran.completion.atoms, 6);
  const comm = run.stderr.slice(SAMPLE_GREETING.length);
  const rets = ran.completion.results.map((result) => result.ret32);
  const [pid, fd, nread, closed, greeted, echoed] = rets as [number, number, number, number, number, number];
  assert.deepEqual([pid, nread, closed, greeted, echoed], [run.pid, comm.length, 0, SAMPLE_GREETING.length, comm.length]);
  assert.ok(fd > 2, `the fd flowed from openat: ${fd}`);
  assert.deepEqual(ran.completion.results.map((result) => result.errno), [null, null, null, null, null, null]);
  assert.equal(ran.completion.result32, comm.length);
  assert.equal(ran.completion.errno, null);
});

test('--base: hex or decimal, lays the sample out there, must match a header, is required for a raw image', async () => {
  const moved = join(DIR, 'moved.img');
  const raw = join(DIR, 'sample.bin');
  writeFileSync(raw, readFileSync(SAMPLE).subarray(IMAGE_HEADER_SIZE));
  const [sampled, decimal, conflict, noBase, rawRun, badValue, unaligned] = await Promise.all([
    cli('sample', moved, '--base', '0xb0000000', '--json'),
    cli('inspect', SAMPLE, '--base', String(SAMPLE_BASE), '--json'),
    cli('inspect', SAMPLE, '--base', '0x20000000'),
    cli('inspect', raw),
    cli('run', raw, '--base', '0x90000000', '--json'),
    cli('inspect', SAMPLE, '--base', '0x1_0000'),
    cli('run', raw, '--base', '0x90000800'),
  ]);
  assert.equal(sampled.code, 0, sampled.stderr);
  const moveDoc = JSON.parse(sampled.stdout) as { action: string; image: { base: number; entry: number }; atoms: { address: number }[] };
  assert.equal(moveDoc.action, 'sample');
  assert.deepEqual([moveDoc.image.base, moveDoc.image.entry, moveDoc.atoms[1]?.address], [0xb0000000, 0xb0000000, 0xb000002c]);
  assert.equal(readFileSync(moved).readUInt32LE(12), 0xb0000000);

  assert.equal(decimal.code, 0, decimal.stderr);
  assert.equal((JSON.parse(decimal.stdout) as { image: { base: number } }).image.base, SAMPLE_BASE);

  assertOneLineError(conflict, 2, /^syslet-aio compat32: --base 0x20000000: image at 0x90000000, image\.base: laid out for 0x90000000, not 0x20000000: .* \(EINVAL\); run 'syslet-aio compat32 --help'$/m);
  assertOneLineError(noBase, 1, new RegExp(`^syslet-aio compat32: ${raw}: image at 0x00000000, image\\.header: no SYSLET32 header, and no base given for a raw image \\(ENOEXEC\\)$`, 'm'));

  assert.equal(rawRun.code, 0, rawRun.stderr);
  const rawDoc = JSON.parse(rawRun.stdout) as { image: { base: number; bytes: number }; completion: { stopName: string; results: { ret32: number }[] } };
  assert.deepEqual(rawDoc.image, { path: raw, base: SAMPLE_BASE, entry: SAMPLE_BASE, bytes: 4096, reserve: 0 });
  assert.equal(rawDoc.completion.stopName, 'end');
  assert.equal(rawDoc.completion.results[0]?.ret32, rawRun.pid);

  assertOneLineError(badValue, 2, /^syslet-aio compat32: --base '0x1_0000': expected an address below 4 GiB, in hex \(0x10000000\) or decimal; run /m);
  assertOneLineError(unaligned, 2, /^syslet-aio compat32: --base 0x90000800: .*base must be a non-zero multiple of 4096 \(EINVAL\); run /m);
});

test('a bad image is one line naming the atom, field and errno, exit 1, for every action', async () => {
  const badNr = join(DIR, 'bad-nr.img');
  const badNext = join(DIR, 'bad-next.img');
  const truncated = join(DIR, 'truncated.img');
  const sample = readFileSync(SAMPLE);
  const nrFile = Buffer.from(sample);
  nrFile.writeUInt32LE(0xffff, IMAGE_HEADER_SIZE + 0x58 + 4); // atom #2's nr
  writeFileSync(badNr, nrFile);
  const nextFile = Buffer.from(sample);
  nextFile.writeUInt32LE(0x50000000, IMAGE_HEADER_SIZE + 0x2c + 12); // atom #1's next, outside the image
  writeFileSync(badNext, nextFile);
  writeFileSync(truncated, sample.subarray(0, 100));

  const runs = await Promise.all([cli('inspect', badNr), cli('convert', badNr, '--json'), cli('run', badNr), cli('run', badNext), cli('inspect', truncated)]);
  const [inspectNr, convertNr, runNr, runNext, inspectTruncated] = runs;
  const nrLine = new RegExp(`^syslet-aio compat32: ${badNr}: atom #2 at 0x90000058, nr: .*65535.* \\(ENOSYS\\)$`, 'm');
  for (const r of [inspectNr, convertNr, runNr]) assertOneLineError(r, 1, nrLine);
  assertOneLineError(runNext, 1, new RegExp(`^syslet-aio compat32: ${badNext}: atom #1 at 0x9000002c, next: .*\\(EFAULT\\)$`, 'm'));
  assertOneLineError(inspectTruncated, 1, /image\.length: truncated: header says 4096 payload bytes, file has 68 \(ENOEXEC\)$/m);
});

test('run names errnos, exits 0 when a STOP flag ends the chain and 1 when the engine stops it', async () => {
  const failing = join(DIR, 'enoent.img');
  const b = new ImageBuilder(0xa4000000);
  const [open, close] = b.atoms(2) as [number, number];
  const fd = b.word(0);
  b.setAtom(open, { nr: nr32('openat'), flags: 0x20, ret: fd, next: close, args: [b.word(-100), b.word(b.string(join(DIR, 'no-such-file'))), b.word(0)] });
  b.setAtom(close, { nr: nr32('close'), ret: b.word(7), args: [fd] });
  writeFileSync(failing, b.file(open));

  const looping = join(DIR, 'loop.img');
  const l = new ImageBuilder(0xa4000000);
  const [spin] = l.atoms(1) as [number];
  l.setAtom(spin, { nr: nr32('getpid'), ret: l.word(0), next: spin });
  writeFileSync(looping, l.file(spin));

  const [text, json, loop] = await Promise.all([cli('run', failing), cli('run', failing, '--json'), cli('run', looping)]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^stopped: flag after 1 atom run \((inline|cachemiss)\); last atom #0 openat at 0xa4000000 returned -2 ENOENT$/m);
  assert.match(text.stdout, /^0\s+0xa4000000\s+openat\s+-2\s+ENOENT$/m);
  // close never ran: its word keeps what the 32-bit program put there.
  assert.match(text.stdout, /^1\s+0xa400002c\s+close\s+7$/m);
  const doc = JSON.parse(json.stdout) as { completion: { stopName: string; errno: string; results: { ret32: number; errno: string | null }[] } };
  assert.equal(doc.completion.stopName, 'flag');
  assert.equal(doc.completion.errno, 'ENOENT');
  assert.deepEqual(doc.completion.results.map((r) => [r.ret32, r.errno]), [[-2, 'ENOENT'], [7, null]]);

  // A chain that loops forever hits the engine's atom bound: the report, then one error line.
  assert.equal(loop.code, 1);
  assert.match(loop.stdout, /^stopped: limit after \d+ atoms run/m);
  assert.equal(loop.stderr, 'syslet-aio compat32: the engine stopped the chain (limit) at 0xa4000000 after 1048576 atoms\n');
});

test('bad command lines exit 2 with one line; a missing file exits 1; --help exits 0', async () => {
  const notWritten = join(DIR, 'not-written.img');
  const runs = await Promise.all([
    cli(), cli('frob', SAMPLE), cli('inspect'), cli('inspect', SAMPLE, 'extra'), cli('inspect', SAMPLE, '--bogus'),
    cli('inspect', SAMPLE, '--base'), cli('sample', notWritten, '--entry', '0x90000000'), cli('sample', notWritten, '--base', '0x1234'),
    cli('inspect', join(DIR, 'missing.img')), cli('--help'),
  ]);
  const [none, unknown, noImage, extra, bogus, noValue, sampleEntry, sampleUnaligned, missing, help] = runs;
  assertOneLineError(none, 2, /^syslet-aio compat32: missing argument <action>; run 'syslet-aio compat32 --help'$/m);
  assertOneLineError(unknown, 2, /^syslet-aio compat32: unknown action 'frob'; expected inspect, convert, run, sample; run /m);
  assertOneLineError(noImage, 2, /missing argument <image>/);
  assertOneLineError(extra, 2, /unexpected argument 'extra'/);
  assertOneLineError(bogus, 2, /unknown option '--bogus'/);
  assertOneLineError(noValue, 2, /option '--base' needs a value/);
  assertOneLineError(sampleEntry, 2, /--entry does not apply to sample/);
  assertOneLineError(sampleUnaligned, 2, /--base 0x00001234: .*multiple of 4096 \(EINVAL\)/);
  assert.equal(existsSync(notWritten), false, 'a refused sample leaves no file');
  assertOneLineError(missing, 1, /^syslet-aio compat32: cannot open '.*missing\.img': No such file or directory \(ENOENT\)$/m);

  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: syslet-aio compat32 \[options\] <action> <image>$/m);
  assert.match(help.stdout, /^ {6}--base <addr> /m);
  assert.match(help.stdout, /^ {2}syslet-aio compat32 sample sample\.img$/m);
});
