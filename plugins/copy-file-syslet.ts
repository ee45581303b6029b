/**
 * copyFileSyslet: copy a file in the kernel with one file.copy syslet, and with one
 * file.copyBySendfile syslet where copy_file_range cannot copy between the two files (as libuv's
 * copyfile falls back to sendfile). The shared pieces of the helpers (a request from the
 * engine's window, errors with Node's fields) are plugins/helpers.ts's.
 */
import { stat } from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { EINVAL, ENOSYS, EOPNOTSUPP, EXDEV, type Word } from '../engine/native/index.js';
import { invalidArgType, optionsOf, outOfRange, pathOf, signalOf } from '../engine/arguments.js';
import { SyscallError } from '../engine/errors.js';
import { COPY, fileCopy } from './builtin/file.js';
import { COPY_BY_SENDFILE, fileCopyBySendfile } from './builtin/file-copy-sendfile.js';
import { NOT_EXECUTED } from './define.js';
import { engineOf, num, pathText, sysletError, withHelperRequest, type HelperOptions, type PathLike } from './helpers.js';
import type { Request } from './requests.js';
import { putPath } from './request-paths.js';

/** Options of {@link copyFileSyslet}: `copyFileSyslet(engine, src, dst, { mode, signal })`. */
export interface CopyFileOptions extends HelperOptions {
  /** The mode `dst` is created with (before the umask), default 0o644. */
  readonly mode?: number;
}

/**
 * copyFileSyslet - copy `src` to `dst` in the kernel with one file.copy syslet (open both,
 * copy_file_range until end of file, close both). `dst` is created with `mode` or truncated.
 * Where copy_file_range cannot copy between the two files (EXDEV across file system types,
 * EOPNOTSUPP, ENOSYS, EINVAL) and copied nothing, a file.copyBySendfile syslet copies them with
 * sendfile, as Node's copyFile falls back.
 *
 * Also `copyFileSyslet(engine, src, dst, { mode, signal })`.
 *
 * @param src - a string, a Buffer/Uint8Array or a `file:` URL.
 * @param dst - the same kinds.
 * @param mode - the mode a new `dst` gets (before the umask), default 0o644.
 * @returns the bytes copied.
 * @throws (rejects) a SyscallError with `code` and `syscall` (`'open'` for either open,
 *   `'copy_file_range'`, `'sendfile'`) and `path` (the file at fault); an AbortError when `signal` aborts;
 *   TypeError/RangeError with Node's code naming a bad argument.
 * @example
 * ```ts
 * const copied = await copyFileSyslet(engine, 'a.bin', 'b.bin', { mode: 0o600 });
 * ```
 */
export function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, options?: CopyFileOptions): Promise<number>;
export function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, mode?: number, options?: HelperOptions): Promise<number>;
export function copyFileSyslet(engine: Engine, src: PathLike, dst: PathLike, modeOrOptions?: number | CopyFileOptions, options?: HelperOptions): Promise<number> {
  let from: string | Uint8Array;
  let to: string | Uint8Array;
  let mode: number;
  let signal: AbortSignal | undefined;
  try {
    engineOf(engine);
    from = pathOf(src, 'src');
    to = pathOf(dst, 'dst');
    const given = typeof modeOrOptions === 'object' && modeOrOptions !== null ? modeOrOptions : { ...optionsOf(options), mode: modeOrOptions };
    const modeName = modeOrOptions === given ? 'options.mode' : 'mode';
    const chosen: unknown = given.mode ?? 0o644;
    if (typeof chosen !== 'number') throw invalidArgType(modeName, 'of type number', chosen);
    if (!Number.isInteger(chosen) || chosen < 0 || chosen > 0o7777) throw outOfRange(modeName, '>= 0 && <= 4095', chosen);
    mode = chosen;
    signal = signalOf(given.signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  return withHelperRequest(engine, signal, async (request) => {
    const slot = request.slot;
    const badSrc = putPath(slot.paths[0], from);
    if (badSrc !== 0) throw sysletError(-badSrc, 'open', pathText(from));
    const badDst = putPath(slot.paths[1], to);
    if (badDst !== 0) throw sysletError(-badDst, 'open', pathText(to));
    const { copied, total } = await runCopy(request, fileCopy, COPY.copy, mode, from, to);
    // One file under two names: copy_file_range refuses the overlap with EINVAL and the chain
    // left it as it was; node:fs's copyFile (libuv compares st_dev and st_ino) succeeds then.
    if (copied === -EINVAL && (await sameFile(from, to))) return 0;
    // Nothing copied because copy_file_range cannot copy between these two files (EXDEV across
    // file system types since Linux 5.19): sendfile can, as libuv falls back.
    if (total === NOT_EXECUTED && COPY_REFUSALS.includes(-copied)) return copyBySendfile(request, mode, from, to);
    if (copied < 0) throw sysletError(copied, 'copy_file_range', pathText(from));
    return total === NOT_EXECUTED ? 0 : num(total);
  });
}

/** copy_file_range's answers for two files it cannot copy between (libuv falls back to sendfile on these). */
const COPY_REFUSALS: readonly number[] = [EXDEV, EINVAL, EOPNOTSUPP, ENOSYS];

/** file.copyBySendfile on the paths already in the request's slot: the bytes copied. */
async function copyBySendfile(request: Request, mode: number, from: string | Uint8Array, to: string | Uint8Array): Promise<number> {
  const { copied, total } = await runCopy(request, fileCopyBySendfile, COPY_BY_SENDFILE.sendfile, mode, from, to);
  if (copied < 0) throw sysletError(copied, 'sendfile', pathText(from));
  return total === NOT_EXECUTED ? 0 : num(total);
}

/**
 * Run one of the two copy chains (the same atoms but for the copy call, at `copyAtom`) on the
 * paths already in the request's slot. An open that failed rejects here with its path.
 * @returns the copy call's last result (0 at end of source, or -errno) and the total cell's atom
 *   (NOT_EXECUTED when nothing was copied).
 */
async function runCopy(request: Request, plugin: typeof fileCopy, copyAtom: number, mode: number, from: string | Uint8Array, to: string | Uint8Array): Promise<{ copied: number; total: Word }> {
  const slot = request.slot;
  const instance = plugin.acquire(request.engine);
  try {
    instance.set(plugin.paramIndex('src'), slot.pathAddresses[0]);
    instance.set(plugin.paramIndex('dst'), slot.pathAddresses[1]);
    instance.set(plugin.paramIndex('mode'), mode);
    const outcome = request.run(plugin, instance);
    if (typeof outcome !== 'number') await outcome;
    else if (outcome < 0) throw new SyscallError(outcome, 'async_exec');
    const openSrc = num(instance.result(COPY.openSrc));
    if (openSrc < 0) throw sysletError(openSrc, 'open', pathText(from));
    const openDst = num(instance.result(COPY.openDst));
    if (openDst < 0) throw sysletError(openDst, 'open', pathText(to));
    return { copied: num(instance.result(copyAtom)), total: instance.result(COPY.total) };
  } finally {
    instance.release();
  }
}

/** Whether two paths name one file (same st_dev and st_ino); false when either cannot be stat'd. */
async function sameFile(a: string | Uint8Array, b: string | Uint8Array): Promise<boolean> {
  try {
    const [left, right] = await Promise.all([stat(pathForNode(a), { bigint: true }), stat(pathForNode(b), { bigint: true })]);
    return left.dev === right.dev && left.ino === right.ino;
  } catch {
    return false;
  }
}

/** A path as node:fs takes it: bytes as a Buffer. */
function pathForNode(path: string | Uint8Array): string | Buffer {
  return typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength);
}
