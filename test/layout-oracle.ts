/**
 * The layout oracle shared by test/compat32-layouts-match-gcc and test/layouts64-match-gcc: it
 * writes a C file that prints offsetof/sizeof of every field of every layout (using the real
 * system headers), compiles it with gcc for the wanted ABI, runs it and returns the numbers, so
 * a test can compare them with the TypeScript layouts. A missing compiler is reported as such;
 * the caller decides whether that skips (locally) or fails (CI).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UATOM_C_DECLARATION, type StructLayout } from '../compat32/layouts.js';

/** What gcc measured: `struct.field` → [offset, size], plus `struct` → [0, sizeof]. */
export type Measured = Map<string, readonly [number, number]>;

/** The flags every oracle build uses: the i386 ABI compat32 speaks is the large-file one. */
const COMMON_FLAGS = ['-D_GNU_SOURCE', '-D_FILE_OFFSET_BITS=64', '-O0', '-w'];

/**
 * compilerProblem - why `gcc` with `abiFlags` cannot build and run a program here, or null
 * when it can.
 */
export function compilerProblem(abiFlags: readonly string[]): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-gcc-probe-'));
  try {
    writeFileSync(join(dir, 'probe.c'), '#include <stdio.h>\nint main(void) { printf("%d", (int)sizeof(void *)); return 0; }\n');
    const built = spawnSync('gcc', [...abiFlags, join(dir, 'probe.c'), '-o', join(dir, 'probe')], { encoding: 'utf8' });
    if (built.error !== undefined) return `gcc not found (${built.error.message})`;
    if (built.status !== 0) return `gcc ${abiFlags.join(' ')} cannot build (install gcc-multilib): ${built.stderr.trim().split('\n')[0] ?? ''}`;
    const ran = spawnSync(join(dir, 'probe'), { encoding: 'utf8' });
    if (ran.status !== 0) return `a program built with gcc ${abiFlags.join(' ')} cannot run here`;
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** cSource - the C program that prints every field of `layouts` as `name.field offset size`. */
export function cSource(layouts: readonly StructLayout[]): string {
  const lines = [
    '#include <stddef.h>', '#include <stdio.h>', '#include <aio.h>', '#include <signal.h>', '#include <sys/stat.h>',
    '#include <sys/uio.h>', '#include <sys/socket.h>', '#include <netinet/in.h>', '#include <sys/un.h>', '#include <time.h>', UATOM_C_DECLARATION,
    // The kernel's own struct stat (the i386 compat one), renamed so it does not clash with
    // glibc's, whose st_atime... are macros into st_atim.
    '#undef st_atime', '#undef st_mtime', '#undef st_ctime', '#define stat kernel_stat', '#define stat64 kernel_stat64',
    '#include <asm/stat.h>', '#undef stat', '#undef stat64',
    '#define FIELD(label, type, member) printf("%s %u %u\\n", label, (unsigned)offsetof(type, member), (unsigned)sizeof(((type *)0)->member))',
    'int main(void) {',
  ];
  for (const layout of layouts) {
    lines.push(`  printf("%s 0 %u\\n", "${layout.name}", (unsigned)sizeof(${layout.c}));`);
    for (const [field, place] of Object.entries(layout.fields)) {
      lines.push(`  FIELD("${layout.name}.${field}", ${layout.c}, ${place.c ?? field});`);
    }
  }
  lines.push('  return 0;', '}', '');
  return lines.join('\n');
}

/** measure - compile and run the oracle for `layouts` with gcc `abiFlags`; returns what it printed. */
export function measure(layouts: readonly StructLayout[], abiFlags: readonly string[]): Measured {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-layout-oracle-'));
  try {
    const source = join(dir, 'layouts.c');
    writeFileSync(source, cSource(layouts));
    execFileSync('gcc', [...abiFlags, ...COMMON_FLAGS, source, '-o', join(dir, 'layouts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const output = execFileSync(join(dir, 'layouts'), { encoding: 'utf8' });
    const measured: Measured = new Map();
    for (const line of output.trim().split('\n')) {
      const [label, offset, size] = line.split(' ');
      if (label !== undefined) measured.set(label, [Number(offset), Number(size)]);
    }
    return measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** expected - what the TypeScript layouts say, in the same shape as {@link measure}'s result. */
export function expected(layouts: readonly StructLayout[]): Measured {
  const result: Measured = new Map();
  for (const layout of layouts) {
    result.set(layout.name, [0, layout.size]);
    for (const [field, place] of Object.entries(layout.fields)) result.set(`${layout.name}.${field}`, [place.offset, place.size]);
  }
  return result;
}
