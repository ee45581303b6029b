/**
 * notify.signal: queue a real signal carrying a siginfo with si_code SI_ASYNCIO and the caller's
 * si_value — glibc's aio_sigqueue, as one atom that composes onto the end of any chain ("glibc
 * just adds an enclosing sys_kill() to the syslet", Ingo Molnar, 2007).
 *
 * It uses rt_tgsigqueueinfo to the thread that runs JavaScript rather than glibc's process-wide
 * rt_sigqueueinfo: in a Node process many threads (V8's, libuv's, our cachemiss threads) do not
 * block the signal, and a process-directed signal may be delivered to any of them — where the
 * default action of a real-time signal kills the process before JS can see it. Directed at the
 * JS thread, the signal can be blocked there and read with its siginfo through a signalfd.
 */
import { defineBuiltinPlugin } from '../plugin.js';
import { SI_ASYNCIO } from '../../engine/syscalls/constants.generated.js';

// si_code of signals sent on AIO completion.
export { SI_ASYNCIO };

/**
 * siginfo_t as rt_tgsigqueueinfo reads it (x86-64): si_signo@0, si_errno@4, si_code@8,
 * si_pid@16, si_uid@20, si_value@24.
 */
export const notifySignal = defineBuiltinPlugin({
  name: 'notify.signal',
  description: 'Queue signal `signo` with si_code SI_ASYNCIO and si_value `value` to thread `tid` of process `pid`',
  params: { pid: 'pid', tid: 'pid', signo: 'signo', value: 'uint', uid: 'uint' },
  scratch: {
    info: {
      size: 128,
      fields: [
        { at: 0, width: 4, param: 'signo' },
        { at: 8, width: 4, value: SI_ASYNCIO },
        { at: 16, width: 4, param: 'pid' },
        { at: 20, width: 4, param: 'uid' },
        { at: 24, width: 8, param: 'value' },
      ],
    },
  },
  atoms: [{ call: 'rt_tgsigqueueinfo', args: [{ param: 'pid' }, { param: 'tid' }, { param: 'signo' }, { scratch: 'info' }] }],
});
