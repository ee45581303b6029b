/**
 * writeFile's chain path (fs.writeFile and its empty and flush kin, fs/chains.ts): open, write
 * loop, [fsync,] close in one chain; for the calls fs/write-ring.ts does not take (a signal,
 * `flush`, empty data, the threads engine, a full ring). More than a slot's data is node:fs's
 * writeFile (read-write.ts), unless the engine's policy does not allow its calls.
 */
import * as nodeFs from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { O_APPEND, O_CLOEXEC, O_EXCL } from '../engine/syscalls/constants.generated.js';
import { MAX_RW_COUNT } from '../engine/syscalls/abi.js';
import type { PluginInstance } from '../plugins/plugin.js';
import { SLOT_DATA_BYTES, type Request } from '../plugins/requests.js';
import type { FastPath } from './args.js';
import {
  fsWriteFile, fsWriteFileEmpty, fsWriteFileEmptyFlush, fsWriteFileFlush,
  WRITE_FILE, WRITE_FILE_EMPTY, WRITE_FILE_EMPTY_FLUSH, WRITE_FILE_FLUSH, type WriteFileAtoms,
} from './chains.js';
import { atTheFdLimit, ended, ran, result, submitted } from './core.js';
import { fsError } from './errors.js';

/**
 * writeFileByChain - writeFile of `bytes` to the path in `req`'s slot with the chain; `path`, `data`,
 * `options` and `opts` as the caller got them (node:fs/promises makes the call again at the fd limit).
 */
export async function writeFileByChain(
  engine: Engine, req: Request, path: unknown, data: unknown, options: unknown, opts: { readonly [key: string]: unknown },
  fast: FastPath, flags: number, mode: number, bytes: Uint8Array, flush: boolean,
): Promise<void> {
  const empty = bytes.length === 0;
  const plugin = empty ? (flush ? fsWriteFileEmptyFlush : fsWriteFileEmpty) : flush ? fsWriteFileFlush : fsWriteFile;
  const atoms = empty ? (flush ? WRITE_FILE_EMPTY_FLUSH : WRITE_FILE_EMPTY) : flush ? WRITE_FILE_FLUSH : WRITE_FILE;
  const instance = plugin.acquire(engine);
  try {
    instance.set(0, req.slot.pathAddresses[0]);
    instance.set(1, flags | O_CLOEXEC);
    instance.set(2, mode);
    if (!empty) {
      const viaSlot = bytes.length <= SLOT_DATA_BYTES;
      if (viaSlot) req.slot.data.set(bytes);
      instance.set(3, viaSlot ? req.slot.dataAddress : req.lend(bytes));
      instance.set(4, Math.min(bytes.length, MAX_RW_COUNT));
      instance.set(5, bytes.length);
    }
    const wait = submitted(req.run(plugin, instance), 'open', fast);
    const notTaken = wait !== null && (await ended(wait, plugin, instance, 'open', fast));
    // (Looked at only when the chain did not reach its last close: 0.8 µs of atoms otherwise.)
    if (notTaken || (result(instance, atoms.close) !== 0 && atTheFdLimit(plugin, instance))) {
      const again = flagsToMakeAgain(instance, atoms, flags);
      if (again !== undefined) return nodeFs.writeFile(path as string, data as string, again === flags ? (options as never) : { ...opts, flag: again });
    }
    writeFileOutcome(instance, atoms, fast);
  } finally {
    instance.release();
  }
}

/**
 * The flags with which Node's writeFile makes again a writeFile whose chain met the fd limit
 * (core.ts atTheFdLimit), or undefined when it cannot. Nothing to undo when the open did not
 * succeed. Once it had, the file is opened again: with O_EXCL the file is the one this chain
 * created, so Node's open goes without O_EXCL (with it, the answer would be EEXIST); with
 * O_APPEND the bytes already written would be written twice, so the chain's error stands (Node's
 * string flags that append all create, and a creating open is the atom that needs the thread).
 */
function flagsToMakeAgain(instance: PluginInstance, atoms: WriteFileAtoms, flags: number): number | undefined {
  if (result(instance, atoms.open) < 0) return flags;
  if ((flags & O_APPEND) !== 0) return undefined;
  return flags & ~O_EXCL;
}

/** Throw the error a writeFile chain ended with, named as Node names it. */
function writeFileOutcome(instance: PluginInstance, atoms: WriteFileAtoms, path: FastPath): void {
  const opened = result(instance, atoms.open);
  if (opened < 0) throw fsError(opened, 'open', path);
  // A failed pwrite64 was made again as write(2), whose answer is the one Node would have had.
  const write = atoms.write >= 0 && ran(instance, atoms.write) ? atoms.write : atoms.pwrite >= 0 && ran(instance, atoms.pwrite) ? atoms.pwrite : -1;
  if (write >= 0) {
    const written = result(instance, write);
    if (written < 0) throw fsError(written, 'write');
  }
  if (atoms.fsync >= 0 && ran(instance, atoms.fsync)) {
    const synced = result(instance, atoms.fsync);
    if (synced < 0) throw fsError(synced, 'fsync');
  }
  if (ran(instance, atoms.close)) {
    const closed = result(instance, atoms.close);
    if (closed < 0) throw fsError(closed, 'close');
  }
}

