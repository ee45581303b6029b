/**
 * Completion delivery, glibc's aio_notify.c. The plugins are compiled once: each operation
 * alone (SIGEV_NONE, SIGEV_THREAD) and each operation with notify.signal composed on the end
 * (SIGEV_SIGNAL) — so the signal is queued by the chain itself, after aio_status has published
 * the final status. SIGEV_THREAD runs the function on the JS event loop in one batch per turn,
 * not on a new thread per completion. Signals that no chain carries (a cancelled request, a
 * list's own sigevent) are sent by a chain that is notify.signal alone.
 */
import { aioFdatasync, aioFsync, aioRead, aioReadStream, aioWrite, aioWriteStream } from '../plugins/builtin/aio.js';
import { notifySignal } from '../plugins/builtin/notify.js';
import { type Plugin, type PluginInstance } from '../plugins/plugin.js';
import { composePlugins } from '../plugins/compose.js';
import { EAGAIN, type Word } from '../engine/native/index.js';
import type { ChainListener } from '../engine/engine.js';
import { acquireOrNull, aioEngine, ids } from './context.js';
import { isReceiving, makeRoomForOneSignal, scheduleSignalDrain } from './signals.js';
import { SIGEV_SIGNAL, SIGEV_THREAD } from './constants.js';
import type { ListGroup, PluginInfo, SigevNotifyFunction } from './types.js';
import type { Request } from './request.js';

function info(plugin: Plugin, signalled: boolean): PluginInfo {
  const at = (name: string): number => plugin.layout.paramIndex.get(name) ?? -1;
  return {
    plugin,
    fd: at('fd'), buf: at('buf'), nbytes: at('nbytes'), offset: at('offset'),
    errorCode: at('error_code'), returnValue: at('return_value'), width: at('width'),
    pid: at('pid'), tid: at('tid'), signo: at('signo'), value: at('value'), uid: at('uid'),
    // aio_status ends each base plugin; notify.signal is composed after it.
    statusAtom: plugin.layout.atomCount - (signalled ? 2 : 1),
    signalAtom: signalled ? plugin.layout.atomCount - 1 : -1,
  };
}

// [op][stream][signal]; fsync has no stream form (fsync on a pipe is the kernel's EINVAL).
const bases: readonly (readonly [Plugin, Plugin])[] = [
  [aioRead, aioReadStream],
  [aioWrite, aioWriteStream],
  [aioFsync, aioFsync],
  [aioFdatasync, aioFdatasync],
];
// Each entry is made (and its plugin compiled) the first time a request needs it: a program that
// only reads without signals compiles aio.read alone, not the 16 plugins of the table, when it
// loads the package (the built-ins compile on first use: plugins/plugin.ts defineBuiltinPlugin).
const table: (PluginInfo | undefined)[] = new Array<PluginInfo | undefined>(bases.length * 4).fill(undefined);

function entry(index: number): PluginInfo {
  const pair = bases[index >> 2] as readonly [Plugin, Plugin];
  const base = pair[(index >> 1) & 1] as Plugin;
  const made = (index & 1) === 0 ? info(base, false) : info(composePlugins(`${base.name}.notifySignal`, [base, notifySignal], `${base.description}, then SIGEV_SIGNAL`), true);
  table[index] = made;
  return made;
}

/**
 * pluginFor - the canned chain for an operation.
 * @returns e.g. aio.read, or aio.readStream.notifySignal (aio.readStream then notify.signal).
 */
export function pluginFor(op: number, stream: boolean, signal: boolean): PluginInfo {
  const index = op * 4 + (stream ? 2 : 0) + (signal ? 1 : 0);
  return table[index] ?? entry(index);
}

/** setSignalParams - fill notify.signal's parameters of an instance (after its reset). */
export function setSignalParams(instance: PluginInstance, plugin: PluginInfo, signo: number, value: Word): void {
  instance.set(plugin.pid, ids.pid);
  instance.set(plugin.tid, ids.tid);
  instance.set(plugin.uid, ids.uid);
  instance.set(plugin.signo, signo);
  instance.set(plugin.value, value);
}

// notify.signal alone: made on the first signal a chain does not carry (see sendSignal).
let standalone: PluginInfo | undefined;

class SignalChain implements ChainListener {
  constructor(readonly instance: PluginInstance) {}
  chainDone(): void {
    this.instance.release();
  }
}

/**
 * sendSignal - queue `signo` with SI_ASYNCIO and `value` at the JS thread, by running the
 * notify.signal chain alone (a cancelled request's or a list's notification).
 * @returns the atom's result: 0, or -errno (EINVAL for a bad signo, EAGAIN at RLIMIT_SIGPENDING).
 */
export function sendSignal(signo: number, value: Word): number {
  const engine = aioEngine();
  // No room for another instance (the region table is full): the signal cannot be queued now.
  const instance = acquireOrNull(notifySignal);
  if (instance === null) return -EAGAIN;
  standalone ??= info(notifySignal, true);
  setSignalParams(instance, standalone, signo, value);
  const submitted = notifySignal.submit(engine, instance, new SignalChain(instance));
  if (submitted === 0) return 0;
  const result = submitted > 0 ? Number(instance.result(0)) : submitted;
  instance.release();
  if (result >= 0) scheduleSignalDrain(signo);
  return result;
}

/**
 * queueAfterRoom - a signal the kernel refused with EAGAIN (RLIMIT_SIGPENDING reached): when this
 * process receives `signo` (receiveSignals), read its oldest pending signal out of the signalfd to
 * make room and queue this one again, as many times as signals of ours are pending.
 *
 * @param refused - the errno the first attempt failed with (negative).
 * @returns 0 when the signal is queued; else the refusal (-EAGAIN when no room could be made, or
 *   the first refusal when it was not EAGAIN), for the request's status as glibc's aio_notify writes.
 */
export function queueAfterRoom(signo: number, value: Word, refused: number): number {
  if (refused !== -EAGAIN || !isReceiving(signo)) return refused;
  // Once first: the queue may have room again already (the event loop drained it since the
  // chain's atom was refused, on a cachemiss thread perhaps), and then nothing of ours is pending.
  let result = sendSignal(signo, value);
  while (result === -EAGAIN && makeRoomForOneSignal()) result = sendSignal(signo, value);
  return result;
}

/**
 * signalRefused - the kernel refused a request's signal: queue it again once room is made
 * (queueAfterRoom), or write the refusal into the request's status, as glibc's aio_notify does
 * when sigqueue fails.
 */
export function signalRefused(request: Request, refused: number): void {
  const result = queueAfterRoom(request.signo, request.value, refused);
  if (result < 0) request.setStatus(-result, -1);
}

const fns: SigevNotifyFunction[] = [];
const values: Word[] = [];
let flushScheduled = false;

function flushThreads(): void {
  flushScheduled = false;
  // Completions that arrive while these run go to the next batch.
  const count = fns.length;
  for (let i = 0; i < count; i++) {
    const fn = fns[i] as SigevNotifyFunction;
    try {
      fn(values[i] as Word);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  fns.splice(0, count);
  values.splice(0, count);
}

/**
 * notifyThread - SIGEV_THREAD: call `fn(value)` on the event loop (setImmediate), never inside
 * the call that observed the completion (aio_read, aio_suspend), as glibc's new thread would not.
 */
export function notifyThread(fn: SigevNotifyFunction, value: Word): void {
  fns.push(fn);
  values.push(value);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushThreads);
}

/** listDone - every entry of a list has completed: LIO_NOWAIT's own sigevent fires now. */
export function listDone(group: ListGroup): void {
  if (group.notify === SIGEV_SIGNAL && group.signo !== 0) {
    const sent = sendSignal(group.signo, group.value);
    if (sent === -EAGAIN) queueAfterRoom(group.signo, group.value, sent);
  }
  else if (group.notify === SIGEV_THREAD && group.fn !== null) notifyThread(group.fn, group.value);
}
