/**
 * Node's own result objects from raw kernel structs: `fs.Stats` / `BigIntStats` from a struct
 * statx (the call libuv makes for stat, lstat and fstat on Linux). The classes are Node's, not look-alikes, so `instanceof`, the methods and
 * util.inspect behave exactly as with node:fs/promises; only the fields come from here, computed
 * as libuv and Node compute them (makedev, milliseconds as sec × 1e3 + nsec / 1e6).
 */
import type { Stats} from 'node:fs';
import { statSync } from 'node:fs';

/** Size of a struct statx. */
export const STATX_BYTES = 256;
/** statx mask libuv asks for: STATX_BASIC_STATS | STATX_BTIME. */
export const STATX_MASK = 0xfff;

// struct statx field offsets (include/uapi/linux/stat.h).
const STX = {
  blksize: 4, nlink: 16, uid: 20, gid: 24, mode: 28, ino: 32, size: 40, blocks: 48,
  atime: 64, btime: 80, ctime: 96, mtime: 112, rdevMajor: 128, rdevMinor: 132, devMajor: 136, devMinor: 140,
} as const;

const TWO32 = 2 ** 32;

type StatsConstructor = new (...fields: (number | bigint)[]) => Stats;
// Node exports Stats but not BigIntStats; the class is the constructor of any bigint result,
// taken from a stat of '/' the first time it is needed: not at import, where Node's permission
// model may refuse '/' (and then every call is Node's own: index.ts).
let bigIntStatsClass: StatsConstructor | undefined;
const bigIntStats = (): StatsConstructor => (bigIntStatsClass ??= (Object.getPrototypeOf(statSync('/', { bigint: true })) as { constructor: StatsConstructor }).constructor);
// The plain Stats class the same way: node:fs's `Stats` export is wrapped in util.deprecate on
// Node 22 (DEP0180: the first stat printed it, and --throw-deprecation ended the process, hunt25);
// a result's prototype holds the class itself, as Node's own stat builds it.
let statsClass: StatsConstructor | undefined;
const plainStats = (): StatsConstructor => (statsClass ??= (Object.getPrototypeOf(statSync('/')) as { constructor: StatsConstructor }).constructor);

/** glibc's makedev: major/minor as the 64-bit dev_t Node reports. */
function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + (minor & 0xff) + Math.floor(minor / 0x100) * 0x100000 + Math.floor(major / 0x1000) * 0x100000000000;
}

function makedevBig(major: number, minor: number): bigint {
  const M = BigInt(major);
  const m = BigInt(minor);
  return ((M & 0xfffn) << 8n) | ((M & 0xfffff000n) << 32n) | (m & 0xffn) | ((m & 0xffffff00n) << 12n);
}

function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * TWO32 + view.getUint32(at, true);
}

function msOf(view: DataView, at: number): number {
  // tv_sec as two 32-bit halves (signed high word): exact to 2^53 s, and no BigInt per field.
  const seconds = view.getInt32(at + 4, true) * TWO32 + view.getUint32(at, true);
  return seconds * 1e3 + view.getUint32(at + 8, true) / 1e6;
}

function nsOf(view: DataView, at: number): bigint {
  return view.getBigInt64(at, true) * 1_000_000_000n + BigInt(view.getUint32(at + 8, true));
}

/**
 * statsFromStatx - the Stats (or BigIntStats) Node would return for the struct statx at `at`.
 *
 * @param view - a DataView holding the struct.
 * @param at - its byte offset in `view`.
 * @param bigint - `{ bigint: true }` was asked for.
 * @returns an instance of Node's Stats or BigIntStats class.
 * @example
 * ```ts
 * const stats = statsFromStatx(region.view, offset, false);
 * stats.isFile();
 * ```
 */
export function statsFromStatx(view: DataView, at: number, bigint: boolean): Stats {
  const major = view.getUint32(at + STX.devMajor, true);
  const minor = view.getUint32(at + STX.devMinor, true);
  const rdevMajor = view.getUint32(at + STX.rdevMajor, true);
  const rdevMinor = view.getUint32(at + STX.rdevMinor, true);
  const mode = view.getUint16(at + STX.mode, true);
  const nlink = view.getUint32(at + STX.nlink, true);
  const uid = view.getUint32(at + STX.uid, true);
  const gid = view.getUint32(at + STX.gid, true);
  const blksize = view.getUint32(at + STX.blksize, true);
  if (!bigint) {
    return new (plainStats())(
      makedev(major, minor), mode, nlink, uid, gid, makedev(rdevMajor, rdevMinor), blksize,
      u64(view, at + STX.ino), u64(view, at + STX.size), u64(view, at + STX.blocks),
      msOf(view, at + STX.atime), msOf(view, at + STX.mtime), msOf(view, at + STX.ctime), msOf(view, at + STX.btime),
    );
  }
  // Node's BigInt64Array holds every field as a signed 64-bit integer.
  return new (bigIntStats())(
    makedevBig(major, minor), BigInt(mode), BigInt(nlink), BigInt(uid), BigInt(gid), makedevBig(rdevMajor, rdevMinor), BigInt(blksize),
    view.getBigInt64(at + STX.ino, true), view.getBigInt64(at + STX.size, true), view.getBigInt64(at + STX.blocks, true),
    nsOf(view, at + STX.atime), nsOf(view, at + STX.mtime), nsOf(view, at + STX.ctime), nsOf(view, at + STX.btime),
  );
}

/** The st_mode of a struct statx (to tell a regular file from a FIFO without building Stats). */
export function statxMode(view: DataView, at: number): number {
  return view.getUint16(at + STX.mode, true);
}
