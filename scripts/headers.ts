/**
 * Parsers for the system headers that the generated tables come from. The syscall numbers and
 * errno values are never typed by hand: they are read from the kernel's UAPI headers so that the
 * committed tables can be checked against the machine (test/generated-tables-match-headers).
 */
import { readFileSync } from 'node:fs';

/** Where Debian's linux-libc-dev puts the x86 UAPI headers. */
export const HEADER_PATHS = {
  unistd64: '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
  unistd32: '/usr/include/x86_64-linux-gnu/asm/unistd_32.h',
  errnoBase: '/usr/include/asm-generic/errno-base.h',
  errno: '/usr/include/asm-generic/errno.h',
} as const;

/** Reads `#define __NR_name number` lines into a name → number map. */
export function parseUnistd(path: string): Map<string, number> {
  const numbers = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^#define __NR_(\w+)\s+(\d+)\s*$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) numbers.set(match[1], Number(match[2]));
  }
  return numbers;
}

/** One errno: its name, number and the message from the header's comment. */
export interface ErrnoEntry {
  name: string;
  number: number;
  message: string;
}

/** Reads `#define ENAME number comment` lines; aliases (`#define EWOULDBLOCK EAGAIN`) are skipped. */
export function parseErrno(paths: readonly string[]): ErrnoEntry[] {
  const entries: ErrnoEntry[] = [];
  for (const path of paths) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const match = /^#define\s+(E\w+)\s+(\d+)\s*\/\*\s*(.*?)\s*\*\//.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined && match[3] !== undefined) {
        entries.push({ name: match[1], number: Number(match[2]), message: match[3] });
      }
    }
  }
  return entries.sort((a, b) => a.number - b.number);
}
