/**
 * `syslet-aio compat32 inspect|convert|run|sample <image>`: look at, convert and run i386 syslet
 * images (docs/compat32.md), or write a sample one. The work is compat32/inspect.ts's; this
 * module reads the file, turns `--base`/`--entry` into image options, and decides which failures
 * are the command line's (exit 2) and which the image's (exit 1).
 */
import { closeSync, readFileSync, writeFileSync } from 'node:fs';
import {
  ConversionError, convertImage, hex32, inspectImage, runImage, serializeImage, type ImageOptions,
} from '../../compat32/index.js';
import { sampleImage } from '../../compat32/sample.js';
import { Engine } from '../../engine/engine.js';
import { defineCommand } from '../command.js';
import { CliError, EXIT, UsageError, type ExitCode } from '../errors.js';
import { describe, openRegularFile } from '../files.js';
import type { CliIo } from '../io.js';
import { imageSummary, renderCompat32, runDocument, type Compat32Document } from './compat32-render.js';

const ACTIONS = ['inspect', 'convert', 'run', 'sample'] as const;
type Action = (typeof ACTIONS)[number];

/** Stops that are the chain's own doing (its end, or one of its STOP_ON_* flags); the others mean the engine could not run it as written. */
const CLEAN_STOPS: readonly string[] = ['end', 'flag'];

/** The `compat32` command. Exit 0 when the action worked, 1 for a bad image or a chain the engine stopped, 2 for a bad command line. */
export default defineCommand({
  description:
    'Works on i386 syslet images: chains of 44-byte 32-bit atoms laid out at a fixed base below ' +
    '4 GiB (format in docs/compat32.md). inspect prints the 32-bit atom table without mapping ' +
    'anything; convert prints each i386 atom beside the x86-64 atom it becomes, with the rule ' +
    'that widened every argument; run loads the image at its base, converts it, runs it on an ' +
    'engine and prints each atom\'s 32-bit result word after write-back, with its errno name ' +
    '(words of atoms that did not run keep their old value). sample writes a small image built ' +
    'in TypeScript (getpid, openat/read/close of /proc/self/comm, two writes to stderr) to try ' +
    'the others on. A bad image is one line naming the atom and field at fault, exit 1; so is a ' +
    'chain the engine stopped (fault, limit, cancelled, died), after its report.',
  options: {
    base: {
      type: 'string',
      valueName: '<addr>',
      description: 'Base address, hex (0x10000000) or decimal: required for a raw image, must match a header\'s; sample lays out there',
    },
    entry: { type: 'string', valueName: '<addr>', description: 'Address of the first atom (default: the header\'s, or the base)' },
    json: { type: 'boolean', description: 'Print the report as one JSON document' },
  },
  positionals: [
    { name: 'action', description: 'inspect, convert, run, or sample' },
    { name: 'image', description: 'The image file (for sample: the file to write)' },
  ],
  examples: [
    'syslet-aio compat32 sample sample.img',
    'syslet-aio compat32 inspect sample.img',
    'syslet-aio compat32 convert sample.img',
    'syslet-aio compat32 run sample.img --json | jq .completion.results',
    'syslet-aio compat32 inspect chain.bin --base 0x10000000',
  ],
  async run({ values, positionals, io }) {
    const [action = '', path = ''] = positionals;
    if (!isAction(action)) throw new UsageError(`unknown action '${action}'; expected ${ACTIONS.join(', ')}`);
    const options: ImageOptions = {
      ...(values.base === undefined ? {} : { base: parseAddress('--base', values.base) }),
      ...(values.entry === undefined ? {} : { entry: parseAddress('--entry', values.entry) }),
    };
    if (action === 'sample' && options.entry !== undefined) throw new UsageError('--entry does not apply to sample: its entry is its first atom');
    try {
      return await perform(action, path, options, values.json === true, io);
    } catch (error) {
      throw explain(error, path, options);
    }
  },
});

async function perform(action: Action, path: string, options: ImageOptions, json: boolean, io: CliIo): Promise<ExitCode> {
  const print = (document: Compat32Document): void => io.out(json ? `${JSON.stringify(document, null, 2)}\n` : renderCompat32(document));
  if (action === 'sample') {
    const file = serializeImage(sampleImage(options.base));
    // Read it back before writing: a --base parseImage refuses must not leave a file behind.
    const { image, atoms } = inspectImage(file);
    write(path, file);
    print({ action, image: imageSummary(path, image), atoms });
    if (!json) io.out(`\ntry it:\n  syslet-aio compat32 convert ${path}\n  syslet-aio compat32 run ${path}\n`);
    return EXIT.ok;
  }
  const file = read(path);
  // Inspect first in every case: a bad image is reported before an engine is started.
  const { image, atoms } = inspectImage(file, options);
  const summary = imageSummary(path, image);
  if (action === 'inspect') {
    print({ action, image: summary, atoms });
    return EXIT.ok;
  }
  if (action === 'convert') {
    print({ action, image: summary, ...convertImage(file, options) });
    return EXIT.ok;
  }
  const engine = new Engine();
  try {
    const { rows, completion } = runImage(engine, file, options);
    print(runDocument(summary, rows, completion));
    if (!CLEAN_STOPS.includes(completion.stopName)) {
      throw new CliError(`the engine stopped the chain (${completion.stopName}) at ${hex32(completion.last32)} after ${completion.atoms} atoms`);
    }
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

function isAction(word: string): word is Action {
  return (ACTIONS as readonly string[]).includes(word);
}

/** A 32-bit address from the command line, hex with 0x or decimal; anything else is a usage error. */
function parseAddress(option: string, text: string): number {
  const value = /^0x[0-9a-f]+$/i.test(text) || /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 0xffff_ffff) {
    throw new UsageError(`${option} '${text}': expected an address below 4 GiB, in hex (0x10000000) or decimal`);
  }
  return value;
}

/** The image's bytes. A FIFO or a device is refused at once: reading one could block forever. */
function read(path: string): Uint8Array {
  const { fd } = openRegularFile(path);
  try {
    return readFileSync(fd);
  } catch (error) {
    throw new CliError(`cannot read '${path}': ${describe(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

function write(path: string, file: Uint8Array): void {
  try {
    writeFileSync(path, file);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}

/**
 * The image's complaint, as the CLI reports it. parseImage decides what a bad --base or --entry
 * is (misaligned, outside the payload, or conflicting with the header, which cannot move); when
 * the option the user gave is the field at fault, that is a usage error rather than a bad image.
 */
function explain(error: unknown, path: string, options: ImageOptions): unknown {
  if (!(error instanceof ConversionError)) return error;
  const detail = error.message.replace(/^compat32: /, '');
  if (error.atomIndex === -1 && error.field === 'image.base' && options.base !== undefined) {
    return new UsageError(`--base ${hex32(options.base)}: ${detail}`, { cause: error });
  }
  if (error.atomIndex === -1 && error.field === 'image.entry' && options.entry !== undefined) {
    return new UsageError(`--entry ${hex32(options.entry)}: ${detail}`, { cause: error });
  }
  return new CliError(`${path}: ${detail}`, { cause: error });
}
