/**
 * The executor's deny records: one TraceRecord per denied atom, for the engine's `onDeny`. On the
 * calling thread they wait until the run ends (a callback never runs in the middle of a chain,
 * so it cannot re-enter the executor: issue 15 item 5); on a cachemiss thread they go at once.
 * Split from executor.ts by job.
 */
import type { TraceRecord } from './policy.js';
import { syscallByNumber } from './syscalls/table.js';

/** One executor's deny records (see the module comment). */
export class DenyLog {
  readonly #inline: boolean;
  readonly #onDeny: ((record: TraceRecord) => void) | undefined;
  // Inline mode: deny records of the current run, delivered after it (see ExecutorOptions.onDeny).
  #denied: TraceRecord[] = [];

  /**
   * @param inline - the executor runs on the calling thread (records wait for {@link deliver}).
   * @param onDeny - who receives the records (none: nothing is recorded).
   */
  constructor(inline: boolean, onDeny: ((record: TraceRecord) => void) | undefined) {
    this.#inline = inline;
    this.#onDeny = onDeny;
  }

  /** Whether records wait for {@link deliver}. */
  get pending(): boolean {
    return this.#denied.length > 0;
  }

  /**
   * record - an atom was denied.
   *
   * @param atom - its address.
   * @param nr - the x86-64 number it asked for.
   * @param rule - the rule that said no.
   * @param inline - whether it ran on the calling thread.
   */
  record(atom: number, nr: number, rule: string, inline: boolean): void {
    const onDeny = this.#onDeny;
    if (onDeny === undefined) return;
    // Denied rows are not in the compiled table: name them from the full one.
    const name = syscallByNumber(nr)?.name ?? `nr ${nr}`;
    const record: TraceRecord = { atom, nr, name, rule, thread: inline ? 'inline' : 'cachemiss' };
    // Inline, the callback could submit a chain while this one is half run: it waits for the end.
    if (this.#inline) this.#denied.push(record);
    else onDeny(record);
  }

  /**
   * deliver - hand the records so far to `onDeny`, in order. A callback may submit chains again:
   * the records are taken first, so a nested run keeps its own. If callbacks throw, every record
   * is still delivered and the first error is rethrown.
   */
  deliver(): void {
    const records = this.#denied;
    if (records.length === 0) return;
    this.#denied = [];
    const onDeny = this.#onDeny;
    if (onDeny === undefined) return;
    let failure: { error: unknown } | null = null;
    for (const record of records) {
      try {
        onDeny(record);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null) throw failure.error;
  }
}
