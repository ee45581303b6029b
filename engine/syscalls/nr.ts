/**
 * x86-64 syscall numbers by name, for the calls the library makes itself (probes, waits, signal
 * plumbing, memory mappings) — derived from the one generated table, so no module spells a
 * syscall number by hand. Modules copy what they use into module constants once, at load.
 *
 * @example
 * ```ts
 * const SYS_ppoll = NR.ppoll; // 271
 * ```
 */
import { SYSCALL_NUMBERS } from './numbers.generated.js';

/** x86-64 numbers of every name in the table's name list (-1 where x86-64 has none). */
export const NR = Object.fromEntries(Object.entries(SYSCALL_NUMBERS).map(([name, numbers]) => [name, numbers.x86_64])) as {
  readonly [Name in keyof typeof SYSCALL_NUMBERS]: number;
};
