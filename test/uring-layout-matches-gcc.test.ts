// The hand-declared io_uring layouts (engine/native/uring-abi.ts) are what gcc says about <linux/io_uring.h>,
// field by field: offsetof and sizeof of every declared member, and sizeof of each struct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  IO_URING_CQE, IO_CQRING_OFFSETS, IO_URING_PARAMS, IO_URING_PROBE, IO_URING_PROBE_OP, IO_URING_SQE, IO_SQRING_OFFSETS, IORING_OP,
} from '../engine/native/uring-abi.js';

interface Layout {
  readonly c: string;
  readonly fields: Readonly<Record<string, number>>;
}

// `size` in each table is the struct's sizeof, not a member.
const LAYOUTS: Readonly<Record<string, Layout>> = {
  io_sqring_offsets: { c: 'struct io_sqring_offsets', fields: IO_SQRING_OFFSETS },
  io_cqring_offsets: { c: 'struct io_cqring_offsets', fields: IO_CQRING_OFFSETS },
  io_uring_params: { c: 'struct io_uring_params', fields: IO_URING_PARAMS },
  io_uring_sqe: { c: 'struct io_uring_sqe', fields: IO_URING_SQE },
  io_uring_cqe: { c: 'struct io_uring_cqe', fields: IO_URING_CQE },
  io_uring_probe: { c: 'struct io_uring_probe', fields: IO_URING_PROBE },
  io_uring_probe_op: { c: 'struct io_uring_probe_op', fields: IO_URING_PROBE_OP },
};

function cSource(): string {
  const lines = ['#include <stddef.h>', '#include <stdio.h>', '#include <linux/io_uring.h>', 'int main(void) {'];
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    for (const field of Object.keys(layout.fields)) {
      const what = field === 'size' ? `sizeof(${layout.c})` : `offsetof(${layout.c}, ${field})`;
      lines.push(`  printf("%s.%s %u\\n", "${name}", "${field}", (unsigned)${what});`);
    }
  }
  // Opcodes the installed header knows: its enum must agree with ours.
  for (const [name, value] of Object.entries(IORING_OP)) {
    if (value <= IORING_OP.SENDMSG_ZC) lines.push(`  printf("op.${name} %u\\n", (unsigned)IORING_OP_${name}); (void)${value};`);
  }
  lines.push('  return 0;', '}', '');
  return lines.join('\n');
}

function expected(): Map<string, number> {
  const result = new Map<string, number>();
  for (const [name, layout] of Object.entries(LAYOUTS)) for (const [field, offset] of Object.entries(layout.fields)) result.set(`${name}.${field}`, offset);
  for (const [name, value] of Object.entries(IORING_OP)) if (value <= IORING_OP.SENDMSG_ZC) result.set(`op.${name}`, value);
  return result;
}

test('io_uring struct layouts and opcode numbers match gcc on <linux/io_uring.h>', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'uring-layout-'));
  try {
    writeFileSync(join(dir, 'layout.c'), cSource());
    const built = spawnSync('gcc', ['-O0', '-w', join(dir, 'layout.c'), '-o', join(dir, 'layout')], { encoding: 'utf8' });
    if (built.error !== undefined || built.status !== 0) {
      t.skip(`gcc cannot build against <linux/io_uring.h>: ${built.error?.message ?? built.stderr.split('\n')[0] ?? ''}`);
      return;
    }
    const measured = new Map<string, number>();
    for (const line of execFileSync(join(dir, 'layout'), { encoding: 'utf8' }).trim().split('\n')) {
      const [label, value] = line.split(' ');
      if (label !== undefined) measured.set(label, Number(value));
    }
    assert.deepEqual(Object.fromEntries(measured), Object.fromEntries(expected()));
    assert.equal(measured.get('io_uring_sqe.size'), 64);
    assert.equal(measured.get('io_uring_params.size'), 120);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
