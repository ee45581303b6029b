/**
 * Where syslet-aio/fs's calls look at their AbortSignal, as Node's fs.promises does: before the
 * work, and after one turn of the event loop when there is a signal.
 */
import { abortError } from '../engine/errors.js';

/** checkAborted - Node's checkAborted: throw an AbortError (the reason as cause) once `signal` has aborted. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal);
}

/**
 * abortPoint - with a signal, let one turn of the event loop pass before the work starts. Node's
 * calls go to its thread pool, so an abort made right after the call (on the next tick) is seen
 * by its next check; a syslet that completes inline would finish first. Calls without a signal
 * pay nothing.
 */
export async function abortPoint(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  checkAborted(signal);
}
