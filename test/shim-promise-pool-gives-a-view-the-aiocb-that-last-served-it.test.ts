/**
 * The Promise twins' aiocb pool (shim/promise-pool.ts): a request on a view takes the pooled aiocb
 * that last served that view (its instance still holds the view's address, so the engine's
 * remembered confinement check applies), and the pool stays bounded — at most POOL_MAX aiocbs
 * pooled, and a view's registration points only at an aiocb that last served it and is pooled or
 * lent out. A request's record names its view (`_request.buffer`) as submitView sets it; the tests
 * set it the same way, so that the pool's contract is tested without the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POOL_MAX, giveAiocb, takeAiocb } from '../shim/promise-pool.js';
import { registrationOf, type BufferRegistration } from '../shim/view-registrations.js';
import type { Aiocb } from '../shim/aiocb.js';

/** Take an aiocb for `registration` and let it "serve" it, as submitView does. */
function serve(registration: BufferRegistration): Aiocb {
  const cb = takeAiocb(registration);
  cb._request.buffer = registration;
  return cb;
}

test('a view gets back the aiocb that last served it, whatever was pooled after it', () => {
  const views = Array.from({ length: 8 }, () => registrationOf(Buffer.alloc(4096)));
  const first = views.map((registration) => {
    const cb = serve(registration);
    giveAiocb(cb);
    return cb;
  });
  assert.equal(new Set(first).size, views.length, 'each view of a working set below POOL_MAX got an aiocb of its own');
  // Round after round, in another order each time, each view keeps its aiocb.
  for (let round = 0; round < 4; round++) {
    const order = views.map((_, i) => (i * (round * 2 + 3)) % views.length);
    for (const i of order) {
      const cb = serve(views[i] as BufferRegistration);
      assert.equal(cb, first[i], `round ${round}: view ${i} took its own aiocb`);
      giveAiocb(cb);
    }
  }
});

test('two requests on one view at once take two aiocbs; the view then points at the one pooled last', () => {
  const registration = registrationOf(Buffer.alloc(4096));
  const a = serve(registration);
  giveAiocb(a);
  const own = serve(registration);
  assert.equal(own, a);
  const other = serve(registration);
  assert.notEqual(other, own, 'the aiocb serving a request is not handed out again');
  giveAiocb(other);
  giveAiocb(own);
  assert.equal(registration.pooledAiocb, own);
  assert.equal(serve(registration), own);
});

test('bounded: past POOL_MAX aiocbs the pool reassigns pooled ones, keeps POOL_MAX, and no view points at one it let go', () => {
  const views = Array.from({ length: POOL_MAX + 100 }, () => registrationOf(Buffer.alloc(64)));
  // All in flight at once: more aiocbs than the pool keeps.
  const lent = views.map((registration) => serve(registration));
  assert.equal(new Set(lent).size, views.length);
  for (const cb of lent) giveAiocb(cb);
  const pooled = lent.filter((cb) => cb._poolAt >= 0);
  assert.ok(pooled.length <= POOL_MAX, `${pooled.length} pooled`);
  for (const registration of views) {
    const cb = registration.pooledAiocb as Aiocb | null;
    if (cb === null) continue;
    assert.ok(cb._poolAt >= 0, 'a view points only at a pooled aiocb when none is lent');
    assert.equal(cb._request.buffer, registration, 'and only at one that last served it');
  }
  const dropped = lent.filter((cb) => cb._poolAt < 0);
  for (const cb of dropped) assert.notEqual((cb._request.buffer as BufferRegistration).pooledAiocb, cb);
  // A new view now gets a pooled aiocb (the pool has made its POOL_MAX), and the view that aiocb
  // served no longer points at it.
  const fresh = registrationOf(Buffer.alloc(64));
  const taken = takeAiocb(fresh);
  assert.ok(lent.includes(taken), 'a pooled aiocb was reassigned, none made');
  const previous = taken._request.buffer as BufferRegistration;
  assert.notEqual(previous.pooledAiocb, taken);
  taken._request.buffer = fresh;
  giveAiocb(taken);
  assert.equal(fresh.pooledAiocb, taken);
  assert.equal(serve(fresh), taken);
  // `taken` serves `fresh` while the pool fills up with others: given back to a full pool, it is
  // let go, and `fresh` no longer points at it (nothing but the pool may keep it).
  const others: Aiocb[] = [];
  for (let cb = takeAiocb(null); ; cb = takeAiocb(null)) {
    others.push(cb);
    if (cb._request.buffer === null) break; // made new: the pool was empty
  }
  for (const cb of others) giveAiocb(cb);
  giveAiocb(taken);
  assert.equal(taken._poolAt, -1, 'a full pool let it go');
  assert.equal(fresh.pooledAiocb, null);
});
