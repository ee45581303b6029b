/**
 * The Promise twins' pool of control blocks (split from promises.ts). A twin's request takes a
 * pooled aiocb and gives it back when it completes; nothing outside this module and promises.ts
 * sees these aiocbs.
 *
 * A request takes the aiocb that last served the same view when that one is in the pool: its
 * plugin instance still holds the view's address, and the engine remembers the confinement
 * check that address passed, so the request rewrites the offset only. Handed the most recently
 * pooled aiocb instead (a plain stack), a program with 64 lanes of reads, each on its own Buffer,
 * ran every read through one hot aiocb with a different buffer each time: the buffer cell
 * rewritten and pread64's confinement checked afresh on every read (~490 instructions of an
 * aio.read's ~6,700, p1dense26/p1shim28).
 *
 * Bounded by design: at most {@link POOL_MAX} aiocbs are pooled, and a view's registration points
 * only at an aiocb that last served it and is pooled or serving a request now (a dropped or
 * reassigned aiocb is unlinked first), so no view keeps an aiocb alive the pool would not.
 */
import { Aiocb } from './aiocb.js';
import type { PooledAiocb } from './types.js';

/** The most aiocbs pooled; also how many the pool makes before it reassigns pooled ones to new views. */
export const POOL_MAX = 256;

const pool: Aiocb[] = [];
/** Aiocbs this pool made that are alive as far as it knows: pooled, or serving a request. */
let made = 0;

/**
 * takeAiocb - an aiocb for a request on the view `registration` describes (null: a request
 * without a view, aio.fsync): the pooled one that last served that view; else, while the pool has
 * made fewer than POOL_MAX, a new one (so that each view of a program's working set keeps its
 * own); else the most recently pooled one; else a new one.
 * @param registration - the view's registration (view-registrations.ts), or null.
 * @throws as `new Aiocb()` (SyscallError ENOMEM, EMFILE).
 */
export function takeAiocb(registration: { pooledAiocb: PooledAiocb | null } | null): Aiocb {
  if (registration !== null) {
    // (Only this module stores there, and only Aiocbs: see giveAiocb.)
    const own = registration.pooledAiocb as Aiocb | null;
    if (own !== null && own._poolAt >= 0) {
      const at = own._poolAt;
      const last = pool.pop() as Aiocb;
      if (last !== own) {
        pool[at] = last;
        last._poolAt = at;
      }
      own._poolAt = -1;
      return own;
    }
    if (made < POOL_MAX) return make();
  }
  const top = pool.pop();
  if (top === undefined) return make();
  top._poolAt = -1;
  unlink(top);
  return top;
}

/** giveAiocb - a request on `cb` completed (or was refused): pool it, or let it go when the pool is full. */
export function giveAiocb(cb: Aiocb): void {
  if (pool.length >= POOL_MAX) {
    made--;
    unlink(cb);
    return;
  }
  cb._poolAt = pool.length;
  pool.push(cb);
  const registration = cb._request.buffer;
  // (Unchanged on the hot path: the same view's aiocb comes back to it, and no store is made.)
  if (registration !== null && registration.pooledAiocb !== cb) registration.pooledAiocb = cb;
}

function make(): Aiocb {
  // aio_fildes -1, as its request record says (Request.fd starts at -1): submitTransfer skips the
  // fd store when the record already names the fd, and a new aiocb's struct said 0 — a twin's
  // first request on fd -1 read stdin (an empty one: resolved 0; a pipe: never settled).
  const cb = new Aiocb({ aio_fildes: -1 });
  made++;
  return cb;
}

/** The view `cb` last served no longer points at it (it goes to another view, or out of the pool). */
function unlink(cb: Aiocb): void {
  const registration = cb._request.buffer;
  if (registration !== null && registration.pooledAiocb === cb) registration.pooledAiocb = null;
}
