/**
 * FileHandles garbage-collected unclosed: their fds closed, as Node closes its own, with Node's
 * two warnings — and, at the fd limit, a collection asked for so that leaked handles give their
 * fds back before an open is refused.
 *
 * Why the second part: Node's FileHandle is a native object behind a weak handle, which V8's minor
 * collections (scavenges) already clear, so a program that leaks handles (an error path without
 * `close()`, the DEP0137 situation) never holds more than a few hundred fds. A FileHandle here is
 * a JavaScript object watched by a FinalizationRegistry, whose entries V8 clears only in a full
 * collection — rare with a small heap: under the usual 1,024-fd limit a loop of leaked opens met
 * EMFILE after ~1,000 (hunt25: 2,005 and 1,004 of 30,000 opens succeeded; Node's 30,000). So when
 * an open meets the fd limit while handles are watched, a full collection is made (V8's `gc`,
 * taken once from a fresh context with --expose-gc set only for that moment), the registry's
 * callbacks get a turn to close what was collected, and the caller tries once more. At most one
 * collection at a time, and none again within {@link GC_SPACING_MS} when the last one freed
 * nothing: handles that are merely open, not leaked, do not make every refused open a full GC.
 */
import { closeSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** How soon after a collection that closed no fd another may be made. */
const GC_SPACING_MS = 1_000;
/** Event-loop turns given to the registry's callbacks after a collection (V8 posts them as a task). */
const CLEANUP_TURNS = 4;

let deprecationWarned = false;
/** Handles watched and not yet closed nor collected. */
let watched = 0;
/** fds the registry closed since the module loaded (what a collection is judged by). */
let collected = 0;
const registry = new FinalizationRegistry<number>((fd) => {
  watched--;
  collected++;
  process.emitWarning(`Closing file descriptor ${fd} on garbage collection`);
  // The deprecation once per thread (Node's per-environment flag): a leak of thousands of handles
  // prints it once.
  if (!deprecationWarned) {
    deprecationWarned = true;
    process.emitWarning(
      'Closing a FileHandle object on garbage collection is deprecated. Please close FileHandle objects explicitly using ' +
        'FileHandle.prototype.close(). In the future, an error will be thrown if a file descriptor is closed during garbage collection.',
      'DeprecationWarning',
      'DEP0137',
    );
  }
  // At once, as Node's destructor does (a synchronous close): an open waiting for this fd retries
  // right after these callbacks, not after a round trip through libuv's pool.
  try {
    closeSync(fd);
  } catch {
    // Closed meanwhile by other means: nothing of ours to close.
  }
});

/**
 * watchForLeak - close `fd` if `handle` is garbage-collected before {@link stopWatching}.
 *
 * @param handle - the FileHandle (also the registry's unregister token).
 * @param fd - its descriptor.
 */
export function watchForLeak(handle: object, fd: number): void {
  registry.register(handle, fd, handle);
  watched++;
}

/** stopWatching - `handle` closes its fd itself (close(), or its last call ended after close()). */
export function stopWatching(handle: object): void {
  if (registry.unregister(handle)) watched--;
}

let gc: (() => void) | null | undefined;

/** V8's full collection, or null where it cannot be had (flags frozen, a runtime without it). */
function fullCollection(): (() => void) | null {
  if (gc === undefined) {
    gc = null;
    // Started with --expose-gc: the program's own, and the flag stays as the program set it.
    const own: unknown = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') return (gc = own as () => void);
    try {
      setFlagsFromString('--expose-gc');
      // (node:vm loaded here, not at import: a fresh process paid ~1 ms for it before its first call.)
      const exposed: unknown = process.getBuiltinModule('node:vm').runInNewContext('gc');
      if (typeof exposed === 'function') gc = exposed as () => void;
    } catch {
      // --frozen-intrinsics, a policy, or a V8 without the flag: leaked handles wait for V8.
    } finally {
      // Only the one context made here gets a `gc` global; contexts the program makes do not.
      setFlagsFromString('--no-expose-gc');
    }
  }
  return gc;
}

let running: Promise<boolean> | null = null;
let fruitlessAt = Number.NEGATIVE_INFINITY;

/**
 * reclaimLeakedHandles - at the fd limit, have leaked handles give their fds back: a full
 * collection, then the registry's callbacks a few turns to close what it found.
 *
 * @returns true when fds were closed (the caller's call is worth trying again); false when no
 *   handle is watched, a collection that freed nothing was made within the last second, or none
 *   can be made.
 */
export function reclaimLeakedHandles(): Promise<boolean> {
  if (running !== null) return running;
  if (watched === 0 || performance.now() - fruitlessAt < GC_SPACING_MS) return Promise.resolve(false);
  const collect = fullCollection();
  if (collect === null) return Promise.resolve(false);
  running = (async () => {
    const before = collected;
    collect();
    for (let turn = 0; turn < CLEANUP_TURNS && collected === before; turn++) await new Promise((resolve) => setImmediate(resolve));
    if (collected === before) fruitlessAt = performance.now();
    return collected > before;
  })().finally(() => {
    running = null;
  });
  return running;
}
