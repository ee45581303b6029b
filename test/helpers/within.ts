/**
 * within - `promise`, or a rejection naming `what` when it has not settled after `ms`: a test
 * that would otherwise sit idle in the event loop (a chain that never completes, a close that
 * never ends) fails with what it was waiting for, so a random seed that hangs is not lost.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
