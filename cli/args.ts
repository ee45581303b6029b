/**
 * Command-line parsing on Node's own `util.parseArgs` (no dependency). It runs in non-strict
 * mode and the checks are made here, on its tokens, because strict mode's messages are long
 * multi-sentence hints and the CLI promises one clear line per error.
 */
import { parseArgs } from 'node:util';
import type { OptionSpecs, OptionValues, PositionalSpec } from './command.js';
import { UsageError } from './errors.js';

/** What {@link parseCommandArgs} found. */
export interface ParsedArgs<O extends OptionSpecs> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
  /** True when `-h` or `--help` was given (every command has it). */
  readonly help: boolean;
}

/**
 * parseCommandArgs - parse a command's arguments against its declared options and positionals.
 *
 * @param args - the words after the command name.
 * @param options - the command's option specs (`--help`/`-h` is always accepted in addition).
 * @param positionals - the command's positional specs: more words than specs is an error, and
 *   so is fewer than the required ones (unless `--help` was given).
 * @returns the values, positionals and whether help was asked for.
 * @throws UsageError naming the first unknown option, missing value, unexpected value or
 *   wrong number of positionals.
 * @example
 * ```ts
 * parseCommandArgs(['--json'], { json: { type: 'boolean', description: 'JSON' } }, []);
 * // → { values: { json: true }, positionals: [], help: false }
 * ```
 */
export function parseCommandArgs<O extends OptionSpecs>(args: readonly string[], options: O, positionals: readonly PositionalSpec[]): ParsedArgs<O> {
  const config: Record<string, { type: 'boolean' | 'string'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(options)) {
    config[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  }
  const { tokens } = parseArgs({ args: [...args], options: config, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | string[]> = {};
  const words: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === 'positional') words.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = token.name === 'help' ? { type: 'boolean' as const } : options[token.name];
    if (spec === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option '${token.rawName}' takes no value`);
      if (token.name === 'help') help = true;
      else values[token.name] = true;
      continue;
    }
    // parseArgs hands a string option the next word even when it looks like an option
    // (`--dir --json`): that is almost always a forgotten value, so refuse unless written --dir=...
    // A negative number (`--qd -1`) is a value, though: the command then says why it is wrong.
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && !NEGATIVE_NUMBER.test(token.value))) {
      throw new UsageError(`option '${token.rawName}' needs a value`);
    }
    if (spec.multiple === true) values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), token.value];
    else values[token.name] = token.value;
  }
  if (!help) checkPositionals(words, positionals);
  return { values: values as OptionValues<O>, positionals: words, help };
}

/** `-1`, `-0.5`: a word that starts with a dash but is a number, not an option. */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

function checkPositionals(words: readonly string[], specs: readonly PositionalSpec[]): void {
  if (words.length > specs.length) {
    throw new UsageError(`unexpected argument '${words[specs.length] ?? ''}'`);
  }
  const missing = specs.slice(words.length).find((spec) => spec.optional !== true);
  if (missing !== undefined) throw new UsageError(`missing argument <${missing.name}>`);
}
