/**
 * The fds a canned chain opened and had not yet closed when its engine cut it short.
 *
 * A canned chain that opens a file closes it in a later atom (`close` with `{ result: open }`).
 * When the engine is closed while the chain is in flight (a request in the ring that completes
 * anyway, a cachemiss thread interrupted between two atoms) the chain stops where it is: the open
 * has run and its close never will, and nothing else knows the fd. Measured before this module
 * (io_uring engine, 2,000 calls on a dropped cache, `engine.close()` at once): each of stat,
 * lstat, access, readlink, truncate, readdir, copyFile and writeFile left 128 fds open (the
 * request window), and writeFile answered success for 128 of them.
 */
import { NOT_EXECUTED } from './define.js';
import type { Plugin, PluginInstance } from './plugin.js';
import { closeThroughNode } from './reader-common.js';
import { STOP } from '../engine/atom.js';

/** An atom whose result is an fd, and the close atoms of the chain that take that result. */
interface OpenedFd {
  readonly open: number;
  readonly closes: readonly number[];
}

const openedByPlugin = new WeakMap<Plugin, readonly OpenedFd[]>();

/** The plugin's opens: each atom that a `close` atom names by `{ result }`, with those closes. */
function openedFds(plugin: Plugin): readonly OpenedFd[] {
  const known = openedByPlugin.get(plugin);
  if (known !== undefined) return known;
  const atoms = plugin.definition.atoms;
  const indexOf = (ref: number | string): number => (typeof ref === 'number' ? ref : atoms.findIndex((atom) => atom.id === ref));
  const closes = new Map<number, number[]>();
  atoms.forEach((atom, index) => {
    const fd = atom.call === 'close' ? atom.args[0] : undefined;
    if (typeof fd !== 'object' || fd === null || !('result' in fd)) return;
    const open = indexOf(fd.result);
    if (open < 0) return;
    let list = closes.get(open);
    if (list === undefined) closes.set(open, (list = []));
    list.push(index);
  });
  const found = [...closes].map(([open, list]) => ({ open, closes: list }));
  openedByPlugin.set(plugin, found);
  return found;
}

/**
 * isCut - whether a chain's stop reason says it was cut short from outside: its engine closed
 * (or the request was cancelled) before it finished, or the cachemiss thread running it died.
 */
export function isCut(stop: number): boolean {
  return stop === STOP.cancelled || stop === STOP.died;
}

/**
 * fdsLeftOpen - the fds that `instance`'s last run opened and did not close: the result of each
 * open atom that ran and answered an fd while none of the close atoms taking it ran.
 *
 * @param plugin - the instance's plugin.
 * @param instance - an instance after its run ended.
 * @returns the fds, in atom order (empty for a chain that closed what it opened).
 */
export function fdsLeftOpen(plugin: Plugin, instance: PluginInstance): number[] {
  const left: number[] = [];
  for (const { open, closes } of openedFds(plugin)) {
    const word = instance.result(open);
    if (word === NOT_EXECUTED) continue;
    const fd = Number(word);
    if (fd < 0 || closes.some((close) => instance.result(close) !== NOT_EXECUTED)) continue;
    left.push(fd);
  }
  return left;
}

/**
 * giveBackFdsLeftOpen - close the fds a cut chain left open ({@link fdsLeftOpen}) through Node:
 * the engine that would run a close chain is the one that cut it. Call it only for a chain that
 * {@link isCut} says was cut: a chain that ends by itself may keep an fd open on purpose
 * (file.readStart hands it to its caller).
 *
 * @returns when every such fd is closed (a failed close is ignored, as Node ignores it).
 * @example
 * ```ts fragment
 * const stop = await request.run(fsStat, instance);
 * if (isCut(stop)) await giveBackFdsLeftOpen(fsStat, instance);
 * ```
 */
export async function giveBackFdsLeftOpen(plugin: Plugin, instance: PluginInstance): Promise<void> {
  for (const fd of fdsLeftOpen(plugin, instance)) await closeThroughNode(fd).catch(() => {});
}
