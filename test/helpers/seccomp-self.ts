/**
 * installSeccompFilter - a real seccomp filter installed by this process on itself and all its
 * threads (SECCOMP_FILTER_FLAG_TSYNC), after start-up: the calls numbered `first` to `last`
 * fail with `errno`, every other call is allowed. For the tests of a refusal that begins after
 * the io_uring engine was set up (a process that sandboxes itself once initialised, as Chromium's
 * and systemd's services do), which a launcher's filter cannot show: with a filter installed
 * before start, the engine chooses threads at once.
 */
import { allocNative, syscall } from '../../engine/native/index.js';

const SYS_prctl = 157;
const SYS_seccomp = 317;
const PR_SET_NO_NEW_PRIVS = 38;
const SECCOMP_SET_MODE_FILTER = 1;
const SECCOMP_FILTER_FLAG_TSYNC = 1;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
// BPF opcodes (linux/bpf_common.h): LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, JMP|JGT|K, RET|K.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JGT_K = 0x25;
const RET_K = 0x06;

/**
 * @param first - the first refused syscall number (io_uring_setup 425, enter 426, register 427).
 * @param last - the last refused syscall number.
 * @param errno - what the refused calls fail with.
 * @returns 0, or the negative errno seccomp(2) failed with.
 */
export function installSeccompFilter(first: number, last: number, errno: number): number {
  const program: [number, number, number, number][] = [
    [LD_W_ABS, 0, 0, 4], // seccomp_data.arch
    [JEQ_K, 1, 0, AUDIT_ARCH_X86_64],
    [RET_K, 0, 0, SECCOMP_RET_ALLOW],
    [LD_W_ABS, 0, 0, 0], // seccomp_data.nr
    [JGE_K, 0, 2, first],
    [JGT_K, 1, 0, last],
    [RET_K, 0, 0, SECCOMP_RET_ERRNO | errno],
    [RET_K, 0, 0, SECCOMP_RET_ALLOW],
  ];
  const filter = allocNative(program.length * 8, 8);
  const view = new DataView(filter.buffer);
  program.forEach(([code, jt, jf, k], index) => {
    view.setUint16(index * 8, code, true);
    view.setUint8(index * 8 + 2, jt);
    view.setUint8(index * 8 + 3, jf);
    view.setUint32(index * 8 + 4, k >>> 0, true);
  });
  const fprog = allocNative(16, 8);
  const fview = new DataView(fprog.buffer);
  fview.setUint16(0, program.length, true);
  fview.setBigUint64(8, BigInt(filter.address), true);
  const noNewPrivs = syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (noNewPrivs < 0) return noNewPrivs;
  const installed = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog.address);
  // TSYNC answers a positive thread id when one thread could not be synchronised.
  return installed > 0 ? -1 : installed;
}
