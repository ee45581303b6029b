/**
 * The root of syslet-aio's typed errors. Every error that stands for an errno (a refused plugin
 * template, a duplicate registry name, a 32-bit image that cannot be converted, a failed
 * asynchronous request) is a {@link SysletError}: it carries the errno a kernel would have
 * answered, as a name (`code`, the Node.js convention) and as a positive number (`errnum`, the
 * C convention). Callers that only need "which errno" branch on `code`; callers that need the
 * details branch on the subclass (`AioCanceledError`, `ConversionError`, ...).
 *
 * Results of syscalls inside a chain are never thrown: they stay one word (`-errno`), as the
 * engine's contract says. Only the layers that turn results into exceptions use these classes.
 * A JavaScript argument of the wrong type stays a plain TypeError or RangeError, as in Node.js.
 *
 * This module imports nothing that loads koffi, so the CLI and the plugin definitions can use it
 * without paying for the native layer.
 */
import { getSystemErrorMap } from 'node:util';
import { errnoMessage, errnoName, errnoNumber } from './native/errno.js';

/**
 * SysletError - the base class of every typed error in syslet-aio.
 *
 * Fields:
 * - `code`: the errno name, e.g. `'EINVAL'` (the same spelling Node.js uses on `fs` errors);
 * - `errno`: the errno number with Node.js's sign, negative, e.g. `-22` (as `err.errno` of a
 *   failed `fs` call);
 * - `errnum`: the same number positive, e.g. `22` (what C's `errno` would hold).
 *
 * Errors of a failed system call are {@link SyscallError}s, which add `syscall`, `path` and `dest`
 * and Node's message.
 *
 * Subclasses, and the errnum they use:
 *
 * | class | thrown by | code |
 * |---|---|---|
 * | `PluginDefinitionError` | `definePlugin`, `composePlugins`, `definitionFromJson` | `EINVAL` |
 * | `PluginRegistryError` | `PluginRegistry.register` / `.require` | `EEXIST` (duplicate) / `ENOENT` (unknown) |
 * | `ConversionError` | compat32 `parseImage`, `readChain32`, `convertChain` | its `errno` (`EFAULT`, `ENOSYS`, `E2BIG`, `EINVAL`, `ENOEXEC`) |
 * | `ArenaError` | compat32 `Arena32` | its `errno` (`EEXIST`, `ENOMEM`, `EINVAL`) |
 * | `SyscallError` | `readFileSyslet`, `readFileInto`, `copyFileSyslet`, a refused submission | the failing call's errno |
 * | `AioError` / `AioCanceledError` (both `SyscallError`s) | the Promise twins `aio.read`, `aio.write`, ... | the request's errno / `ECANCELED` (`aio_cancel`) |
 *
 * @param code - an errno name (`'EINVAL'`), or errnoName's `'E?n'` for a number the kernel does
 *   not define (errnum n); any other name gets errnum 0.
 * @param message - the whole message, as the subclass wants it shown.
 * @param options - `cause`, as for `Error`; `errnum` when `code` is a spelling the kernel's list
 *   lacks (libuv's `'ENOTSUP'` for EOPNOTSUPP).
 * @example
 * ```ts
 * import { isSysletError } from 'syslet-aio';
 * try {
 *   registry.register(myPlugin);
 * } catch (error) {
 *   if (isSysletError(error) && error.code === 'EEXIST') console.warn(error.message);
 *   else throw error;
 * }
 * ```
 */
export class SysletError extends Error {
  /** The class name (`'SysletError'`, or the subclass's), as `Error` shows it. */
  override name: string = 'SysletError';
  /** The errno name: `'EINVAL'`, `'ECANCELED'`... */
  readonly code: string;
  /** The Linux errno number, positive (`22` for EINVAL); 0 when `code` names no errno. */
  readonly errnum: number;
  /** The errno number with Node.js's sign: negative (`-22` for EINVAL), as `fs` errors have it; 0 when `code` names no errno. */
  readonly errno: number;

  constructor(code: string, message: string, options?: ErrorOptions & { readonly errnum?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // errnoName spells a number the kernel does not define 'E?n'; keep n rather than lose it.
    this.errnum = options?.errnum ?? errnoNumber(code) ?? Number(/^E\?(\d+)$/.exec(code)?.[1] ?? 0);
    // -0 would print as 0 but fail Object.is; an error without an errno keeps a plain 0.
    this.errno = this.errnum === 0 ? 0 : -this.errnum;
  }
}

/**
 * isSysletError - type guard: whether `value` is a {@link SysletError} (any subclass).
 *
 * It also accepts an error from another copy of the library or another realm (a worker, a `vm`
 * context), where `instanceof` fails, by its shape: an `Error` whose `code` is an errno-style
 * name and whose `errnum` is a number.
 *
 * @param value - anything caught.
 * @returns true when `value` can be read as a SysletError.
 * @example
 * ```ts
 * try { await aio.read(fd, buf, 0); }
 * catch (error) { if (isSysletError(error)) console.error(error.code, error.errnum); }
 * ```
 */
export function isSysletError(value: unknown): value is SysletError {
  if (value instanceof SysletError) return true;
  // Not `instanceof Error`: an error made in another realm has another realm's Error.prototype.
  if (Object.prototype.toString.call(value) !== '[object Error]') return false;
  const shaped = value as Partial<Record<'code' | 'errnum', unknown>>;
  return typeof shaped.code === 'string' && /^E[A-Z0-9?]+$/.test(shaped.code) && typeof shaped.errnum === 'number';
}

/**
 * The fields Node.js puts on the error of a failed system call (`fs`, `net`): `errno` negative,
 * `code`, `syscall`, `path` and `dest` where there are some, and the message built from them.
 */
export interface NodeErrorFields {
  /** The Linux errno number, negative, as Node's `err.errno` (`-2` for ENOENT). */
  readonly errno: number;
  /** The errno name, `'ENOENT'`. */
  readonly code: string;
  /** The system call that failed, as Node names it (`'open'`, `'read'`, `'aio_read'`...). */
  readonly syscall: string;
  /** The path the call was given, when there is one. */
  readonly path?: string;
  /** The second path (rename, link, copyfile), when there is one. */
  readonly dest?: string;
  /** Node's message: `ENOENT: no such file or directory, open '/x'`. */
  readonly message: string;
}

// libuv's own descriptions, the ones Node's messages use ('no such file or directory'); the
// kernel's strerror text for an errno libuv does not name.
const nodeDescriptions = getSystemErrorMap();

/**
 * nodeErrorFields - what Node.js would say about a failed system call: the fields and the message
 * of its error, so that every layer that turns an errno into an exception speaks as `node:fs` does.
 *
 * @param errno - the errno, either sign (`-2` or `2`).
 * @param syscall - the call's name as Node spells it (`'open'`, `'scandir'`, `'aio_read'`).
 * @param path - the path argument, if the call took one.
 * @param dest - the destination path, if the call took two.
 * @returns the fields; `errno` is negative.
 * @example
 * ```ts
 * nodeErrorFields(2, 'open', '/nope').message === "ENOENT: no such file or directory, open '/nope'";
 * ```
 */
export function nodeErrorFields(errno: number, syscall: string, path?: string, dest?: string): NodeErrorFields {
  const negative = -Math.abs(errno);
  const known = nodeDescriptions.get(negative);
  const code = known?.[0] ?? errnoName(negative);
  const description = known?.[1] ?? errnoMessage(negative);
  let message = `${code}: ${description}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (dest !== undefined) message += ` -> '${dest}'`;
  return { errno: negative, code, syscall, ...(path !== undefined && { path }), ...(dest !== undefined && { dest }), message };
}

/**
 * SyscallError - a failed system call, told as Node.js tells it (a {@link SysletError}): `errno`
 * negative, `code`, `syscall`, `path` and `dest` where the call had them, and Node's message,
 * all from {@link nodeErrorFields}. A caller that handles `fs` errors handles these the same way.
 *
 * @param errno - the errno, either sign (`-2` or `2`).
 * @param syscall - the call, as Node names it (`'open'`, `'read'`, `'aio_read'`).
 * @param path - the path the call was given, if any.
 * @param dest - the second path (a copy's destination), if any.
 * @param options - `cause`, as for `Error`.
 * @example
 * ```ts
 * import { readFileSyslet, Engine } from 'syslet-aio';
 * await using engine = new Engine();
 * try { await readFileSyslet(engine, '/nope'); }
 * catch (error) { console.log(error.code, error.errno, error.syscall, error.path); } // ENOENT -2 open /nope
 * ```
 */
export class SyscallError extends SysletError {
  override name: string = 'SyscallError';
  /** The system call that failed, as Node names it: `'open'`, `'read'`, `'aio_read'`... */
  readonly syscall: string;
  // `declare`: no own property at all when the call had no path, as on Node's errors (a field
  // initialiser would add `path: undefined`, which `'path' in error` and deepEqual would see).
  /** The path the call was given, when there is one. */
  declare readonly path?: string;
  /** The second path (a copy's destination), when there is one. */
  declare readonly dest?: string;

  constructor(errno: number, syscall: string, path?: string, dest?: string, options?: ErrorOptions) {
    const fields = nodeErrorFields(errno, syscall, path, dest);
    super(fields.code, fields.message, { ...options, errnum: -fields.errno });
    this.syscall = syscall;
    if (path !== undefined) this.path = path;
    if (dest !== undefined) this.dest = dest;
  }
}

/**
 * AbortError - what an operation rejects with when its AbortSignal aborts (or its `timeout`
 * expires): the same shape as Node.js's own AbortError (`fs.promises.readFile(p, { signal })`,
 * `timers/promises`), so code that already branches on `error.name === 'AbortError'` or
 * `error.code === 'ABORT_ERR'` works unchanged. The signal's reason is the `cause`.
 *
 * It is not a {@link SysletError}: an abort is the caller's decision, not an errno.
 *
 * @param message - default `'The operation was aborted'` (Node's wording).
 * @param options - `cause`: the signal's reason.
 * @example
 * ```ts
 * try { await plugin.run(engine, params, { timeout: 100 }); }
 * catch (error) { if (isAbortError(error)) console.log('gave up:', error.cause); else throw error; }
 * ```
 */
export class AbortError extends Error {
  // Declared in Node's order (code, then name), so that the own keys, and what
  // util.inspect and JSON.stringify show, are the same as a Node AbortError's.
  /** Always `'ABORT_ERR'`, as Node's. */
  readonly code = 'ABORT_ERR' as const;
  /** Always `'AbortError'`, as Node's. */
  override readonly name = 'AbortError' as const;

  constructor(message = 'The operation was aborted', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * abortError - the AbortError for an aborted signal: its reason becomes the `cause`.
 *
 * @param signal - an aborted AbortSignal.
 * @returns the error (not thrown).
 */
export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/**
 * isAbortError - whether `value` is an AbortError: ours, Node's own, or one from another realm
 * (checked by `name` and `code`, as Node's documentation recommends).
 *
 * @param value - anything caught.
 * @returns true for an abort.
 */
export function isAbortError(value: unknown): value is AbortError {
  if (value instanceof AbortError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const shaped = value as { name?: unknown; code?: unknown };
  return shaped.name === 'AbortError' && (shaped.code === 'ABORT_ERR' || shaped.code === 20);
}
