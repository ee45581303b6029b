// The syscall numbers, the errno table and the kernel constants are generated from the system
// headers, never typed:
// the header parsers agree with the committed files entry by entry, the renderers reproduce the
// committed files byte for byte, and the table built from them supports at least 45 calls, each
// with its i386 number wherever i386 has the call.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CONSTANT_SOURCES, HEADER_PATHS, parseErrno, parseUnistd } from '../scripts/headers.js';
import { renderConstants, renderErrno, renderSyscallNumbers } from '../scripts/gen-tables.js';
import { SYSCALL_NUMBERS } from '../engine/syscalls/numbers.generated.js';
import { SYSCALL_NAMES } from '../engine/syscalls/names.js';
import { SYSCALL_TABLE, SYSLET_NR, isDenied } from '../engine/syscalls/table.js';
import { ERRNO_LIST } from '../engine/native/errno.generated.js';
import * as errno from '../engine/native/errno.js';
import { skipOrFail } from './helpers/engine.js';

const missing = [...Object.values(HEADER_PATHS), ...CONSTANT_SOURCES.map((source) => source.path)].filter((path) => !existsSync(path));

/** The headers must exist (linux-libc-dev); skip locally without them, fail in CI. */
function headersHere(t: TestContext): boolean {
  if (missing.length === 0) return true;
  skipOrFail(t, `system headers missing (install linux-libc-dev): ${missing.join(', ')}`);
  return false;
}

const committed = (relative: string): string => readFileSync(new URL(`../${relative}`, import.meta.url), 'utf8');

test('every syscall number matches asm/unistd_64.h and asm/unistd_32.h', (t) => {
  if (!headersHere(t)) return;
  const x64 = parseUnistd(HEADER_PATHS.unistd64);
  const i386 = parseUnistd(HEADER_PATHS.unistd32);
  assert.ok(x64.size > 300 && i386.size > 380, 'the parsers found the headers\' tables');
  assert.deepEqual(Object.keys(SYSCALL_NUMBERS), [...SYSCALL_NAMES]);
  for (const name of SYSCALL_NAMES) {
    assert.deepEqual(SYSCALL_NUMBERS[name], { x86_64: x64.get(name) ?? -1, i386: i386.get(name) ?? -1 }, name);
  }
  // Spot checks against numbers every x86 programmer knows.
  assert.deepEqual(SYSCALL_NUMBERS.read, { x86_64: 0, i386: 3 });
  assert.deepEqual(SYSCALL_NUMBERS.getpid, { x86_64: 39, i386: 20 });
});

test('the errno table matches asm-generic/errno-base.h and errno.h', (t) => {
  if (!headersHere(t)) return;
  const parsed = parseErrno([HEADER_PATHS.errnoBase, HEADER_PATHS.errno]);
  assert.ok(parsed.length >= 130);
  assert.deepEqual(ERRNO_LIST.map(([number, name, message]) => ({ name, number, message })), parsed);
  const byName = new Map(parsed.map((entry) => [entry.name, entry.number]));
  for (const name of ['EPERM', 'EBADF', 'EAGAIN', 'EFAULT', 'EINVAL', 'ENOSYS', 'EOPNOTSUPP', 'ESHUTDOWN', 'ECANCELED', 'EOWNERDEAD']) {
    assert.equal((errno as unknown as Record<string, number>)[name], byName.get(name), `the named constant ${name}`);
  }
});

test('the renderers reproduce the committed files byte for byte', (t) => {
  if (!headersHere(t)) return;
  assert.equal(renderSyscallNumbers(), committed('engine/syscalls/numbers.generated.ts'));
  assert.equal(renderErrno(), committed('engine/native/errno.generated.ts'));
  assert.equal(renderConstants(), committed('engine/syscalls/constants.generated.ts'));
});

test('the table supports at least 45 syscalls, each with its i386 number where i386 has it', (t) => {
  if (!headersHere(t)) return;
  const i386 = parseUnistd(HEADER_PATHS.unistd32);
  const x64 = parseUnistd(HEADER_PATHS.unistd64);
  const supported = SYSCALL_TABLE.filter((spec) => spec.private !== true && !isDenied(spec));
  assert.ok(supported.length >= 45, `${supported.length} supported syscalls`);
  for (const spec of supported) {
    assert.equal(spec.x86_64, x64.get(spec.name), `${spec.name}: x86-64 number`);
    const i386Name = spec.i386Shape?.name ?? spec.name;
    assert.equal(spec.i386, i386.get(i386Name) ?? -1, `${spec.name}: i386 number (as ${i386Name})`);
  }
  const withI386 = supported.filter((spec) => spec.i386 >= 0).length;
  assert.ok(withI386 >= 45, `${withI386} supported syscalls with an i386 number`);
});

test('the syslet-private numbers sit above every kernel number', (t) => {
  if (!headersHere(t)) return;
  const highest = Math.max(...parseUnistd(HEADER_PATHS.unistd64).values(), ...parseUnistd(HEADER_PATHS.unistd32).values());
  assert.deepEqual(SYSLET_NR, {
    umem_add: 1024, umem_add32: 1025, aio_status: 1026, read_size: 1027,
    open_nonlfs: 1040, openat_nonlfs: 1041, stat_compat: 1042, lstat_compat: 1043, fstat_compat: 1044,
  });
  for (const nr of Object.values(SYSLET_NR)) assert.ok(nr > highest, `${nr} > ${highest}`);
});
