/**
 * The self-signal tests' child-script code (engine-self-signal-*.test.ts): each child sends its own
 * process signals through a chain and reports what each call answered.
 */
/**
 * SELF_SIGNAL_SENDER - child-script source defining `send(call, signo)`: one chain of getpid,
 * gettid and `call` (kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo) aimed at the process
 * itself, run synchronously on `engine` (which the script defines first); returns the call's result.
 */
export const SELF_SIGNAL_SENDER = `
function send(call, signo) {
  using chain = new ChainBuilder(engine.memory);
  const info = chain.buffer(128);
  const pid = chain.atom('getpid', []);
  const tid = chain.atom('gettid', []);
  const args = { kill: [pid, signo], tgkill: [pid, tid, signo], rt_sigqueueinfo: [pid, signo, info], rt_tgsigqueueinfo: [pid, tid, signo, info] }[call];
  const atom = chain.atom(call, args);
  engine.runChainSync(chain.first);
  return Number(atom.result.value);
}
`;
