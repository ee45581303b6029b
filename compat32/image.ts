/**
 * The compat32 image file: the bytes of a 32-bit program's memory, laid out for one fixed base
 * address (32-bit pointers inside are absolute, so an image cannot be relocated), with the
 * address of the first atom. Format, all little-endian:
 *
 * | offset | size | field                                                           |
 * |--------|------|-----------------------------------------------------------------|
 * | 0      | 8    | magic `SYSLET32`                                                |
 * | 8      | 4    | version, 1                                                      |
 * | 12     | 4    | base: the address byte 0 of the payload was laid out for (page-aligned) |
 * | 16     | 4    | entry: address of the chain's first atom                        |
 * | 20     | 4    | length: payload bytes that follow the header                    |
 * | 24     | 4    | reserve: zeroed bytes to map after the payload (scratch space)  |
 * | 28     | 4    | flags, 0                                                        |
 * | 32     | …    | payload                                                         |
 *
 * A file without the magic is a raw image: the whole file is the payload, and the base (and
 * optionally the entry, default the base) must be given, as the CLI's `--base` does.
 */
import { ConversionError, hex32 } from './errors.js';

/** The magic at the start of an image file. */
export const IMAGE_MAGIC = 'SYSLET32';
/** The format version this code reads and writes. */
export const IMAGE_VERSION = 1;
/** Header size in bytes. */
export const IMAGE_HEADER_SIZE = 32;
const FOUR_GIB = 0x1_0000_0000;
const PAGE = 4096;

/** A 32-bit memory image, ready to be loaded at its base. */
export interface Image32 {
  /** The address the payload was laid out for. */
  readonly base: number;
  /** Address of the first atom. */
  readonly entry: number;
  /** The payload. */
  readonly bytes: Uint8Array;
  /** Zeroed bytes to map after the payload. */
  readonly reserve: number;
}

/** Overrides for {@link parseImage}: what `--base`/`--entry` said. */
export interface ImageOptions {
  /** The image's base address: required for a raw image; for a headed one it must match the header. */
  readonly base?: number;
  /** The entry atom's address, overriding the header's (default for a raw image: `base`). */
  readonly entry?: number;
}

/**
 * parseImage - read an image file (with header) or a raw image (with `options.base`).
 *
 * @param file - the file's bytes.
 * @param options - `base` is required for a raw image and, for a headed one, must equal the
 *   header's (an image cannot be moved); `entry` overrides the entry atom.
 * @returns the image.
 * @throws ConversionError (`atomIndex` -1) with errno ENOEXEC for a truncated or malformed
 *   header, EINVAL for a base that is not page-aligned, crosses 4 GiB or disagrees with the
 *   header, or an entry outside the payload.
 * @example
 * ```ts
 * const image = parseImage(readFileSync('chain.img'));
 * const raw = parseImage(readFileSync('chain.bin'), { base: 0xc0000000 });
 * ```
 */
export function parseImage(file: Uint8Array, options: ImageOptions = {}): Image32 {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headed = file.byteLength >= IMAGE_MAGIC.length && new TextDecoder().decode(file.subarray(0, IMAGE_MAGIC.length)) === IMAGE_MAGIC;
  let base: number;
  let entry: number;
  let bytes: Uint8Array;
  let reserve = 0;
  if (headed) {
    if (file.byteLength < IMAGE_HEADER_SIZE) {
      throw new ConversionError(-1, 0, 'image.header', 'ENOEXEC', `truncated header: ${file.byteLength} of ${IMAGE_HEADER_SIZE} bytes`);
    }
    const version = view.getUint32(8, true);
    base = view.getUint32(12, true);
    if (version !== IMAGE_VERSION) throw new ConversionError(-1, base, 'image.version', 'ENOEXEC', `version ${version}, expected ${IMAGE_VERSION}`);
    entry = view.getUint32(16, true);
    const length = view.getUint32(20, true);
    reserve = view.getUint32(24, true);
    if (file.byteLength - IMAGE_HEADER_SIZE < length) {
      throw new ConversionError(-1, base, 'image.length', 'ENOEXEC', `truncated: header says ${length} payload bytes, file has ${file.byteLength - IMAGE_HEADER_SIZE}`);
    }
    if (options.base !== undefined && options.base !== base) {
      throw new ConversionError(-1, base, 'image.base', 'EINVAL', `laid out for ${hex32(base)}, not ${hex32(options.base)}: 32-bit pointers are absolute, images cannot move`);
    }
    bytes = file.subarray(IMAGE_HEADER_SIZE, IMAGE_HEADER_SIZE + length);
    if (options.entry !== undefined) entry = options.entry;
  } else {
    if (options.base === undefined) throw new ConversionError(-1, 0, 'image.header', 'ENOEXEC', `no ${IMAGE_MAGIC} header, and no base given for a raw image`);
    base = options.base;
    entry = options.entry ?? base;
    bytes = file;
  }
  if (base % PAGE !== 0 || base <= 0) throw new ConversionError(-1, base, 'image.base', 'EINVAL', 'base must be a non-zero multiple of 4096');
  if (bytes.byteLength === 0) throw new ConversionError(-1, base, 'image.length', 'ENOEXEC', 'empty payload');
  if (base + bytes.byteLength + reserve > FOUR_GIB) throw new ConversionError(-1, base, 'image.length', 'EINVAL', 'image would cross 4 GiB');
  if (entry < base || entry >= base + bytes.byteLength) {
    throw new ConversionError(-1, base, 'image.entry', 'EFAULT', `entry ${hex32(entry)} lies outside the payload [${hex32(base)}, ${hex32(base + bytes.byteLength)})`);
  }
  return { base, entry, bytes, reserve };
}

/**
 * serializeImage - the file form of an image (header + payload), as {@link parseImage} reads it.
 *
 * @param image - base, entry, payload and reserve.
 * @returns the file's bytes.
 * @example writeFileSync('chain.img', serializeImage({ base: 0xc0000000, entry: 0xc0000000, bytes, reserve: 0 }));
 */
export function serializeImage(image: Image32): Uint8Array {
  const file = new Uint8Array(IMAGE_HEADER_SIZE + image.bytes.byteLength);
  const view = new DataView(file.buffer);
  file.set(new TextEncoder().encode(IMAGE_MAGIC), 0);
  view.setUint32(8, IMAGE_VERSION, true);
  view.setUint32(12, image.base, true);
  view.setUint32(16, image.entry, true);
  view.setUint32(20, image.bytes.byteLength, true);
  view.setUint32(24, image.reserve, true);
  view.setUint32(28, 0, true);
  file.set(image.bytes, IMAGE_HEADER_SIZE);
  return file;
}
