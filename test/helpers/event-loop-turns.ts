/**
 * The loop of the event-loop-turn tests: for each named call, an immediate is scheduled, then
 * the call is awaited again and again until the immediate has run or `bound` calls were made.
 * Returns one line per call whose loop reached the bound (the event loop never turned).
 */
export async function loopsThatNeverTurned(calls: Readonly<Record<string, () => Promise<unknown>>>, bound: number): Promise<string[]> {
  const looped: string[] = [];
  for (const [name, call] of Object.entries(calls)) {
    let turned = false;
    setImmediate(() => (turned = true));
    let count = 0;
    while (!turned && count < bound) {
      await call();
      count++;
    }
    if (!turned) looped.push(`${name}: ${count} calls, the immediate never ran`);
  }
  return looped;
}
