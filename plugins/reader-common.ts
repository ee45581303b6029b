/**
 * What the whole-file readers (reader.ts, reader-rest.ts) share: the failure they answer with,
 * their options, and the small steps both take (a submission's outcome, the copy out of the
 * slot, clearing O_NONBLOCK, the closing chain).
 */
import { close } from 'node:fs';
import { ECANCELED, EFBIG, EOWNERDEAD, syscall } from '../engine/native/index.js';
import { STOP } from '../engine/atom.js';
import { SyscallError } from '../engine/errors.js';
import { typedArrayBuffer, typedArrayByteOffset } from '../engine/view-getters.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL, F_SETFL, O_NONBLOCK } from '../engine/syscalls/constants.generated.js';
import type { Word } from '../engine/native/index.js';
import { fileClose } from './builtin/file-read.js';
import { NOT_EXECUTED } from './define.js';
import type { Plugin, PluginInstance } from './plugin.js';
import type { Request } from './requests.js';

const SYS_fcntl = NR.fcntl;
/** Why a whole-file read failed: the errno and the call Node would name. */
export class ReadFailure {
  /** The errno, positive. */
  readonly errno: number;
  /** `'open'`, `'fstat'` or `'read'`. */
  readonly syscall: 'open' | 'fstat' | 'read';
  /**
   * The errno is the cachemiss pool's, not the file's: no thread could be started to make the
   * call (ERANGE in a working directory deeper than PATH_MAX, EMFILE at the fd limit). A caller
   * that can make the call another way (syslet-aio/fs: node:fs/promises) does.
   */
  readonly unserved: boolean;

  constructor(errno: number, syscall: 'open' | 'fstat' | 'read', unserved = false) {
    this.errno = Math.abs(errno);
    this.syscall = syscall;
    this.unserved = unserved;
  }
}

/** Options of {@link readWholeFile}. */
export interface WholeReadOptions {
  /** open(2) flags; O_CLOEXEC is added here. */
  readonly flags: number;
  /** The mode for a flag that creates the file. */
  readonly mode: number;
  /** Bytes accepted at most. */
  readonly limit: number;
  /** `'fail'`: a larger file is a ReadFailure EFBIG ('read'); `'truncate'`: its first `limit` bytes. */
  readonly overLimit: 'fail' | 'truncate';
  /**
   * Called before each chain after the first (Node checks its AbortSignal at these points); if
   * it throws, the fd is closed and the error propagates.
   */
  readonly between?: () => void;
}

/** Options of {@link readWholeFile} reading into the caller's memory. */
export interface WholeReadIntoOptions extends WholeReadOptions {
  /**
   * Where the bytes go instead of a new Buffer (readFileInto's target, at least `limit` bytes):
   * the result is then the count copied into it. A new Buffer per file — an ArrayBuffer with its
   * own backing store, copied a second time into the target — was a tenth of a cached small
   * file's CPU, mostly in the allocation and the garbage collections it brought on; a Buffer
   * view of the target per file was 3–4 % more.
   */
  readonly into: Uint8Array;
}

/** A result word as a number (the engine gives a bigint for a word past 2^53). */
export const num = (word: Word): number => (typeof word === 'bigint' ? Number(word) : word);
/**
 * The answer of atom `atom` as a number; -ECANCELED when it did not run (its chain was cut short:
 * the NOT_EXECUTED sentinel read as a number was taken for a size or an fd, bug 37).
 */
export const answerOf = (instance: PluginInstance, atom: number): number => {
  const word = instance.result(atom);
  return word === NOT_EXECUTED ? -ECANCELED : num(word);
};
/** Whether the chain reached atom `atom` (a skipped atom keeps NOT_EXECUTED). */
export const ran = (instance: PluginInstance, atom: number): boolean => instance.result(atom) !== NOT_EXECUTED;

/**
 * unserved - whether a chain that ended with `stop` was answered by the pool without a thread:
 * stop `died` with no atom answering -EOWNERDEAD (a thread that died while it ran a chain leaves
 * that in the running atom: engine/pool.ts #orphan). When cachemiss threads cannot start, the
 * pool answers each chain that needs one with the errno their start failed with, in the atom it
 * would have run: EMFILE at the fd limit, ERANGE in a working directory deeper than PATH_MAX (a
 * Worker's bootstrap fails in uv_cwd there, where Node's own calls work). Neither is the call's
 * answer: the atoms after that one never ran (a copy resolved with dest empty, a readdir rejected
 * ERANGE), so the call is Node's.
 */
export function unserved(stop: number, plugin: Plugin, instance: PluginInstance): boolean {
  if (stop !== STOP.died) return false;
  const atoms = plugin.definition.atoms.length;
  for (let atom = 0; atom < atoms; atom++) if (ran(instance, atom) && answerOf(instance, atom) === -EOWNERDEAD) return false;
  return true;
}

/**
 * What to wait for after a submission: null when the chain completed inline (the caller goes on
 * without an await: awaiting a settled value still costs a Promise and a microtask turn), its end
 * when it went to a cachemiss thread. A refused submission throws a {@link SyscallError} for
 * `async_exec` with its errno (ESHUTDOWN: the engine closed after the request was granted), as
 * the other helpers' refused submissions do; the plugin's name is its `cause`.
 */
export function pending(outcome: number | Promise<number>, plugin: Plugin): Promise<number> | null {
  if (typeof outcome !== 'number') return outcome;
  if (outcome < 0) throw new SyscallError(outcome, 'async_exec', undefined, undefined, { cause: `plugin '${plugin.name}'` });
  return null;
}

/** What {@link readWholeFile} gives: the answer itself when the first chain ended it inline, else a Promise of it. */
export type Whole<T> = T | Promise<T>;

/**
 * copyOut - the first `count` bytes of the slot's data as the reader's answer: copied into
 * `options.into` when it is given and large enough (the count is returned), else a Buffer of its
 * own; past `options.limit` the count is cut there or the answer is a ReadFailure EFBIG.
 */
export function copyOut(data: Buffer, count: number, options: WholeReadIntoOptions): number | Buffer | ReadFailure;
export function copyOut(data: Buffer, count: number, options: WholeReadOptions): Buffer | ReadFailure;
export function copyOut(data: Buffer, count: number, options: WholeReadOptions | WholeReadIntoOptions): number | Buffer | ReadFailure {
  if (count > options.limit) {
    if (options.overLimit === 'fail') return new ReadFailure(EFBIG, 'read');
    count = options.limit;
  }
  const into = 'into' in options ? options.into : undefined;
  if (into !== undefined && count <= into.length) {
    into.set(firstBytes(data, count));
    return count;
  }
  // A Buffer of its own, as Node's readFile returns (never a slice of a shared pool).
  const out = Buffer.allocUnsafeSlow(count);
  out.set(firstBytes(data, count));
  return out;
}

/**
 * The first `count` bytes of `data` as a plain Uint8Array (through the intrinsic getters: on a
 * Buffer the property names were a LoadIC per file), for TypedArray.prototype.set: Buffer's
 * copy(target, 0, 0, count) makes the same view through generic property loads and checks
 * (callgrind: about 1,200 instructions more per cached small file), and Buffer's subarray looks
 * up its species constructor.
 */
function firstBytes(data: Buffer, count: number): Uint8Array {
  return new Uint8Array(typedArrayBuffer.call(data), typedArrayByteOffset.call(data), count);
}

/**
 * clearNonblock - clear the O_NONBLOCK a caller added to an open that is tried inline, once fstat
 * shows a FIFO or a device, so that its reads wait as they would on a blocking fd.
 */
export function clearNonblock(fd: number): void {
  const flags = syscall(SYS_fcntl, fd, F_GETFL);
  if (flags >= 0) syscall(SYS_fcntl, fd, F_SETFL, flags & ~O_NONBLOCK);
}

/**
 * close(fd) with a chain; a failed close is not the read's error (Node ignores it too). When the
 * engine refuses the chain (it has closed, which is also what ended the read), the fd is still
 * this read's to give back: Node's close makes the call instead, on its thread pool.
 */
export async function closeFd(request: Request, fd: number): Promise<void> {
  const instance = fileClose.acquire(request.engine);
  try {
    instance.set(0, fd);
    const outcome = request.run(fileClose, instance);
    if (typeof outcome !== 'number') await outcome;
    else if (outcome < 0) await closeThroughNode(fd).catch(() => {});
  } finally {
    instance.release();
  }
}

/**
 * closeThroughNode - close(fd) through Node (its thread pool; a failure rejects with Node's
 * error), for an fd the library opened and must give back when its engine can no longer run a
 * chain (it has closed, or refuses the close chain).
 */
export function closeThroughNode(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (error) => (error === null ? resolve() : reject(error))));
}
