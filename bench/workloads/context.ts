/** What every workload receives from main.ts, and the helpers they share. */
import type { Anchor } from '../anchor.js';
import type { Dataset } from '../dataset.js';
import type { HostedSet } from '../hosts.js';
import { labelled } from '../hosts.js';
import { rowName } from './runner.js';

/** The run-wide context. */
export interface RunContext {
  readonly quick: boolean;
  /** `--rounds N` when given; each workload has its own default otherwise. */
  readonly rounds: number | undefined;
  readonly dataset: Dataset;
  /** The long-lived contender hosts: the library on each engine, then the peers. */
  readonly sets: readonly HostedSet[];
  /** The io_uring C anchor (P2's floor). */
  readonly anchor: Anchor;
  /** Why uncached runs cannot happen (`'not root'`), or undefined when they can. */
  readonly uncachedSkip: string | undefined;
  readonly log: (line: string) => void;
}

/** librarySets - the library's hosts (one per engine), in the order their rows appear. */
export function librarySets(ctx: RunContext): HostedSet[] {
  return ctx.sets.filter((s) => s.label !== '');
}

/**
 * libraryRow - the row name of a library contender on one engine's host.
 *
 * @example libraryRow('syslet aio_read', 64, 'io_uring') === 'syslet aio_read QD64 (io_uring)'
 */
export function libraryRow(name: string, qd: number, label: string): string {
  return labelled(rowName(name, false, qd), label);
}
