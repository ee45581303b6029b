/**
 * The result a plugin run resolves to (split from plugins/instance.ts by job): every atom's
 * outcome, where and why the chain stopped, and copies of the final cells, scratch areas and
 * `out` bytes, read from the instance's memory once its chain has ended.
 */
import type { Word } from '../engine/native/index.js';
import { readWord } from '../engine/words.js';
import type { Region } from '../engine/memory.js';
import type { PluginLayout } from './define.js';
import { tailOffset, type RunBlock } from './run-memory.js';
import type { AtomOutcome, PluginRunResult, StopName } from './results.js';

/** What {@link runOutcome} reads of an instance. */
export interface OutcomeSource {
  /** The plugin's name, layout and parameter names. */
  readonly plugin: { readonly name: string; readonly layout: PluginLayout; readonly paramNames: readonly string[] };
  /** Every atom's outcome (PluginInstance.outcomes). */
  outcomes(): AtomOutcome[];
}

/**
 * runOutcome - the result of the run that just ended on the instance at `base` in `region`.
 * @param blocks - per parameter, the run-memory block it holds (an `out` parameter's bytes).
 * @param outBytes - per `out` parameter, how many bytes it asked for.
 * @param last - the index of the last atom that ran (-1: none).
 */
export function runOutcome(
  source: OutcomeSource, region: Region, base: number, blocks: readonly (RunBlock | null)[], outBytes: readonly number[],
  last: number, stop: string, atomsExecuted: number, mode: 'inline' | 'cachemiss', latencyNs: number,
): PluginRunResult {
  const plugin = source.plugin;
  const layout = plugin.layout;
  const atoms = source.outcomes();
  const byId: Record<string, AtomOutcome> = {};
  for (const atom of atoms) if (atom.id !== undefined) byId[atom.id] = atom;
  const cells: Record<string, Word> = {};
  for (const [name, offset] of layout.cellOffsets) cells[name] = readWord(region.view, base + offset);
  const scratch: Record<string, Buffer> = {};
  for (const [name, [offset, size]] of layout.scratchAreas) scratch[name] = Buffer.from(region.bytes.subarray(base + offset, base + offset + size));
  const outputs: Record<string, Buffer> = {};
  for (let index = 0; index < layout.paramCount; index++) {
    const block = blocks[index];
    if (layout.paramKinds[index] === 'out' && block != null) outputs[plugin.paramNames[index] as string] = Buffer.from(block.bytes.subarray(tailOffset(block, outBytes[index] as number)));
  }
  const lastId = last >= 0 ? layout.atomIds[last] : undefined;
  return {
    plugin: plugin.name, atoms, byId, last, ...(lastId === undefined ? {} : { lastId }), stop: stop as StopName, atomsExecuted,
    cells, scratch, outputs, mode, latencyNs,
  };
}
