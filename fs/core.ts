/**
 * What every syslet-aio/fs call does around its chain: take a place in the engine's request
 * window (queued beyond it), fill a pooled plugin instance, submit, wait only when the chain went
 * to a cachemiss thread, read the results, give everything back. Inline completions allocate no
 * Promise here: a call on a cached file runs to its result in the caller's turn.
 */
import type { Engine } from '../engine/engine.js';
import { countCall } from '../engine/event-loop-turns.js';
import { ECANCELED, EOWNERDEAD } from '../engine/native/index.js';
import { STOP } from '../engine/atom.js';
import type { PluginInstance } from '../plugins/plugin.js';
import { beginRequest, type Request } from '../plugins/requests.js';
import { putPath } from '../plugins/request-paths.js';
import { giveBackFdsLeftOpen, isCut } from '../plugins/cut-chain-fds.js';
import { answerOf, ran, unserved } from '../plugins/reader-common.js';
import type { Plugin } from '../plugins/plugin.js';
import { fsError } from './errors.js';
import type { FastPath } from './args.js';
import { outOfFds } from './direct.js';

/**
 * take - a request from `engine`'s window: at once, or a Promise when the window is full. Callers
 * await only the Promise (`got instanceof Request ? got : await got`): an await of a value that
 * is already there still costs a Promise and a microtask turn, which measured a third of a cached
 * stat's CPU time (two such awaits per call: 140 against 93 ms of user time for 10,000 stats).
 */
export function take(engine: Engine): Request | Promise<Request> {
  // Past this turn's budget of calls, the call begins on the next turn (engine/event-loop-turns.ts).
  const wait = countCall();
  return wait === null ? beginRequest(engine) : wait.then(() => beginRequest(engine));
}

/**
 * submitted - settle a submission: nothing to wait for (null) when it completed inline, the
 * chain's end otherwise; a refused submission (closed engine: ESHUTDOWN) becomes the call's
 * error. Callers await only a Promise (`if (wait !== null) await wait`), as with {@link take}.
 */
export function submitted(outcome: number | Promise<number>, syscall: string, path?: FastPath): Promise<number> | null {
  if (typeof outcome !== 'number') return outcome;
  if (outcome < 0) throw fsError(outcome, syscall, path);
  return null;
}

/**
 * ended - wait for a chain that did not complete inline (`wait`, from {@link submitted}). A chain
 * cut short (its engine closed while it ran, its thread died, or no thread could take it) gives
 * back the fds it had opened and not closed. One its engine's close cut rejects with ESHUTDOWN,
 * the code of a call made after the close: the chain stopped at an arbitrary atom, so what it did
 * is not the call's answer (a writeFile cut between its open and its write has truncated the file
 * and written nothing). Before, such a call left the chain's fd open and could answer success
 * (bug 37 in docs/reliability.md).
 *
 * @returns true when no cachemiss thread took the chain ({@link unserved}): the caller has
 *   node:fs/promises make the call, undoing first what the atoms before did, as at the fd limit
 *   ({@link atTheFdLimit}). False when the chain ended by itself: its atoms are the answer.
 * @throws Error ESHUTDOWN (fsError of -ECANCELED) for a chain the engine's close cut, and
 *   EOWNERDEAD for one whose thread died while it ran, each with `syscall` and `path`.
 */
export async function ended(wait: Promise<number>, plugin: Plugin, instance: PluginInstance, syscall: string, path?: FastPath): Promise<boolean> {
  const stop = await wait;
  if (!isCut(stop)) return false;
  await giveBackFdsLeftOpen(plugin, instance);
  if (stop === STOP.cancelled) throw fsError(-ECANCELED, syscall, path);
  if (!unserved(stop, plugin, instance)) throw fsError(-EOWNERDEAD, syscall, path);
  return true;
}

/**
 * atTheFdLimit - whether a chain met the fd limit: one of its atoms answered EMFILE or ENFILE.
 * Either a call that takes an fd found none to be had, or no cachemiss thread could take the
 * chain (a thread needs fds of its own to start: the pool answers such a chain -EMFILE in the
 * atom that needed the thread, engine/pool-start-failures.ts). In the second case Node's call
 * succeeds (its pool threads already exist), in the first its answer depends on the fds free
 * when it is made: either way the call is made again by node:fs/promises, whose answer is the
 * one a Node program gets at that moment. This is the rule every fs call follows at the limit;
 * a call whose chain did something a second making would repeat differently says how it undoes
 * it (writeFile's O_EXCL and O_APPEND, copyFile's dest).
 *
 * @param plugin - the instance's plugin (its atoms are looked at, not only the one that stopped
 *   the chain: a truncate's ftruncate answers for a chain whose open succeeded).
 * @param instance - an instance after its run ended.
 * @returns true when an atom that ran answered -EMFILE or -ENFILE. It looks at every atom (0.8 µs
 *   for writeFile's 11): callers ask only when the chain did not end well (its last close did not
 *   answer 0).
 */
export function atTheFdLimit(plugin: Plugin, instance: PluginInstance): boolean {
  const atoms = plugin.definition.atoms.length;
  for (let atom = 0; atom < atoms; atom++) if (ran(instance, atom) && outOfFds(answerOf(instance, atom))) return true;
  return false;
}

/**
 * result - atom `index`'s result as a number; an atom that did not run answers -ECANCELED (a
 * chain the engine's close cut short: fsError answers ESHUTDOWN). ran - whether it executed.
 * Both are the plugin layer's (plugins/reader-common.ts), which the readers use too.
 */
export { answerOf as result, ran, unserved } from '../plugins/reader-common.js';

/**
 * putPaths - copy one or two paths into the request's path buffers.
 * @returns 0, or the errno (ENAMETOOLONG) when one does not fit: the kernel would answer the same.
 */
export function putPaths(req: Request, first: FastPath, second?: FastPath): number {
  const bad = putPath(req.slot.paths[0], first);
  if (bad !== 0 || second === undefined) return bad;
  return putPath(req.slot.paths[1], second);
}

/** scratchView - a DataView over an instance's scratch area and the area's offset in it. */
export function scratchView(engine: Engine, instance: PluginInstance, area: string, bytes: number): { view: DataView; at: number } {
  const address = instance.scratchAddress(area);
  const region = engine.memory.find(address, bytes);
  if (region === null) throw new Error(`scratch '${area}' is not in engine memory`);
  return { view: region.view, at: address - region.start };
}
