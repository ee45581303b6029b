/**
 * Source text for the child scripts of the fd-limit tests (fs-path-calls-at-the-fd-limit...,
 * fs-filehandle-calls-near-the-fd-limit...), which fill the fd table with `fill()` into `fds`.
 *
 * END_THREADS_AND_TAKE_THEIR_FDS: the engine's cachemiss threads are ended, and the fds they give
 * back taken, until none is left (or none gave one back for 3 s), so that the limit holds through
 * every call after it and the engine has no thread and can start none (a thread needs 5 fds). A
 * thread's exit starts another while fds are to be had: the fds are taken after each. Needs
 * `sysletFs`, `fds` and `fill` in the script's scope.
 */
export const END_THREADS_AND_TAKE_THEIR_FDS = `
{
  const engine = sysletFs.sharedEngine();
  let quietSince = performance.now();
  for (;;) {
    const before = fds.length;
    fill();
    if (fds.length > before) quietSince = performance.now();
    if (engine.threads === 0 || performance.now() - quietSince > 3000) break;
    for (let index = 0; index < 16; index++) if (await engine.killCachemissThread(index)) fill();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
`;
