/**
 * engineWithDeferTaskrun - for child scripts of the ring tests that exercise DEFER_TASKRUN's
 * completion work: a new io_uring Engine, or, where this kernel gives no ring with
 * DEFER_TASKRUN (io_uring refused or older than 6.1), one JSON line `{ skip: reason }` on
 * stdout and exit 0, which the parent test turns into an explicit skip. Child scripts import
 * it by URL: `helperUrl('defer-taskrun')`. Patch Ring's prototype before calling it.
 *
 * @returns the engine; the caller closes it.
 * @example const engine = await engineWithDeferTaskrun(); // exits with a skip line when missing
 */
import { Engine } from '../../engine/engine.js';

export async function engineWithDeferTaskrun(): Promise<Engine> {
  const engine = new Engine({ engine: 'io_uring' });
  const info = engine.asyncEngine;
  const missing = info.kind !== 'io_uring' ? info.reason : info.setupFlags.includes('DEFER_TASKRUN') ? null : `set-up flags ${info.setupFlags}`;
  if (missing !== null) {
    console.log(JSON.stringify({ skip: `no io_uring engine with DEFER_TASKRUN here: ${missing}` }));
    await engine.close();
    process.exit(0);
  }
  return engine;
}
