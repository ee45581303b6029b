/**
 * compat32: i386 syslet chains (44-byte atoms, 32-bit pointers) run by the 64-bit engine. A
 * 32-bit image is loaded at its base in a low arena, its whole chain is converted once into
 * 64-bit atoms and shadow cells, the engine runs it, and the results are written back.
 * See docs/compat32.md.
 */
export { Arena32, imageSpace, contains32, type Space32 } from './arena.js';
export { readChain32, MAX_COMPAT32_ATOMS, type Atom32, type Chain32 } from './chain32.js';
export { convertChain, Conversion, type ArgRule, type ConvertedArg, type ConvertedAtom, type ConvertOptions, type WriteBackReport } from './convert.js';
export { ConversionError, ArenaError, hex32 } from './errors.js';
export { parseImage, serializeImage, IMAGE_MAGIC, IMAGE_VERSION, IMAGE_HEADER_SIZE, type Image32, type ImageOptions } from './image.js';
export { runConverted, runConvertedSync, type Compat32Engine, type Completion32, type AtomResult32 } from './run.js';
export { readAiocb32, writeAiocb32Status, aiocb32StatusAddresses, type Aiocb32, type Sigevent32 } from './aiocb32.js';
export {
  inspectImage, convertImage, runImage, renderAtomTable32, renderConversion, renderCompletion, flagNames, type AtomRow32, type ConversionRow,
} from './inspect.js';
export * from './layouts.js';
