// Bad 32-bit images never crash and never reach the engine: each is a ConversionError naming
// the atom, the field and the errno.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConversionError, MAX_COMPAT32_ATOMS, convertImage, inspectImage } from '../compat32/index.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { ImageBuilder } from './compat32-image-builder.js';

const GETPID = syscallByName('getpid')?.i386 as number;
const CLOSE = syscallByName('close')?.i386 as number;

function expectError(run: () => unknown, wanted: Partial<Pick<ConversionError, 'atomIndex' | 'field' | 'code'>>): ConversionError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConversionError, `expected a ConversionError, got ${String(caught)}`);
  for (const [key, value] of Object.entries(wanted)) assert.equal(caught[key as keyof ConversionError], value, `${key} in "${caught.message}"`);
  return caught;
}

test('a truncated image file is ENOEXEC on the image, not an atom', () => {
  const builder = new ImageBuilder();
  const [atom] = builder.atoms(1);
  builder.setAtom(atom as number, { nr: GETPID });
  const file = builder.file(atom as number);
  expectError(() => inspectImage(file.subarray(0, 20)), { atomIndex: -1, field: 'image.header', code: 'ENOEXEC' });
  expectError(() => inspectImage(file.subarray(0, file.length - 1)), { atomIndex: -1, field: 'image.length', code: 'ENOEXEC' });
});

test('a next pointer outside the arena is EFAULT on the atom that holds it', () => {
  const builder = new ImageBuilder();
  const [first] = builder.atoms(1);
  builder.setAtom(first as number, { nr: GETPID, next: 0x7000_0000 });
  const error = expectError(() => convertImage(builder.file(first as number)), { atomIndex: 0, field: 'next', code: 'EFAULT' });
  assert.match(error.message, /0x70000000 .*outside/);
});

test('an argument pointer outside the arena is EFAULT naming arg_ptr[i]', () => {
  const builder = new ImageBuilder();
  const [first, second] = builder.atoms(2);
  builder.setAtom(first as number, { nr: GETPID, next: second });
  builder.setAtom(second as number, { nr: CLOSE, args: [0x0000_1000] });
  expectError(() => convertImage(builder.file(first as number)), { atomIndex: 1, field: 'arg_ptr[0]', code: 'EFAULT' });
});

test('a buffer pointer outside the arena is EFAULT even though the pointer word itself is inside', () => {
  const builder = new ImageBuilder();
  const [atom] = builder.atoms(1);
  const read = syscallByName('read')?.i386 as number;
  builder.setAtom(atom as number, { nr: read, args: [builder.word(0), builder.word(0x7fff_0000), builder.word(16)] });
  expectError(() => convertImage(builder.file(atom as number)), { atomIndex: 0, field: 'arg_ptr[1]', code: 'EFAULT' });
});

test('an unknown i386 syscall number is ENOSYS on nr', () => {
  const builder = new ImageBuilder();
  const [atom] = builder.atoms(1);
  builder.setAtom(atom as number, { nr: 9999 });
  expectError(() => convertImage(builder.file(atom as number)), { atomIndex: 0, field: 'nr', code: 'ENOSYS' });
});

test('a chain with more distinct atoms than the bound is E2BIG; a loop over few atoms is fine', () => {
  const builder = new ImageBuilder(0xa0000000, 0x8000);
  const atoms = builder.atoms(MAX_COMPAT32_ATOMS + 1);
  atoms.forEach((address, i) => builder.setAtom(address, { nr: GETPID, next: atoms[i + 1] ?? 0 }));
  expectError(() => convertImage(builder.file(atoms[0] as number)), { atomIndex: MAX_COMPAT32_ATOMS, code: 'E2BIG' });

  const looping = new ImageBuilder();
  const [a, b] = looping.atoms(2);
  looping.setAtom(a as number, { nr: GETPID, next: b });
  looping.setAtom(b as number, { nr: GETPID, next: a });
  const converted = convertImage(looping.file(a as number));
  assert.equal(converted.rows.length, 2);
  assert.equal(converted.rows[1]?.next64, converted.rows[0]?.address64, 'the loop closes on the 64-bit side too');
});

test('a misaligned atom is EINVAL, and overlapping atoms are EINVAL', () => {
  const builder = new ImageBuilder();
  const [first] = builder.atoms(1);
  const misaligned = builder.take(48) + 2;
  builder.setAtom(first as number, { nr: GETPID, next: misaligned });
  expectError(() => convertImage(builder.file(first as number)), { atomIndex: 0, field: 'next', code: 'EINVAL' });

  const overlap = new ImageBuilder();
  const [x] = overlap.atoms(2);
  overlap.setAtom(x as number, { nr: GETPID, next: (x as number) + 20 });
  overlap.setAtom((x as number) + 20, { nr: GETPID });
  expectError(() => convertImage(overlap.file(x as number)), { code: 'EINVAL', field: 'address' });
});

test('an image laid out for another base is refused: 32-bit pointers cannot be relocated', () => {
  const builder = new ImageBuilder();
  const [atom] = builder.atoms(1);
  builder.setAtom(atom as number, { nr: GETPID });
  expectError(() => inspectImage(builder.file(atom as number), { base: 0x30000000 }), { field: 'image.base', code: 'EINVAL' });
});
