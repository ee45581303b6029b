/**
 * A positional FileHandle.write of a buffer too large for a request's slot (the caller's buffer
 * lent to the engine), on the io_uring engine, to a regular file: one direct ring request
 * (Engine.ringDirect, no chain), IORING_OP_WRITE at the position — pwrite64's answer.
 *
 * Through the pwrite64 chain the same write cost the calling thread the executor's walk, the
 * statx of the fd's type (the ring's position rule, engine/uring-fd-rules.ts) and a
 * pwritev2(RWF_NOWAIT) probe, which ext4 answers EOPNOTSUPP for a buffered write, before the
 * ring's WRITE (fsbench30: 256 KiB at QD1, calling thread 31–38 µs a write against Node's
 * 20–30). Here: the type (a FIFO or a socket takes a ring WRITE at an offset where pwrite64
 * answers ESPIPE, so only a regular file comes this way) and the SQE. IOSQE_ASYNC: a large
 * buffered write goes to io-wq, as the chain's did, and the copy stays off this thread.
 */
import type { Engine } from '../engine/engine.js';
import { fileTypeOf } from '../engine/fd-type.js';
import type { DirectRequestTarget } from '../engine/uring-direct.js';
import { IORING_OP, IOSQE_ASYNC } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { S_IFREG } from '../engine/syscalls/constants.generated.js';
import { directCallsAllowed } from './direct.js';

/** The call made here: the policy must allow it. */
const PWRITE_CALLS: readonly number[] = [NR.pwrite64];

/** One write in the ring; pooled (see {@link idle}): a call allocates its Promise only. */
class RingPwrite implements DirectRequestTarget {
  #resolve: ((res: number) => void) | null = null;

  start(engine: Engine, fd: number, address: number, length: number, position: number): Promise<number> | null {
    if (!engine.ringDirect(this, IORING_OP.WRITE, fd, position, address, length, 0, IOSQE_ASYNC)) {
      idle.push(this);
      return null;
    }
    const answer = new Promise<number>(capture);
    this.#resolve = capturedResolve;
    return answer;
  }

  ringDone(res: number): void {
    const resolve = this.#resolve as (res: number) => void;
    this.#resolve = null;
    idle.push(this);
    resolve(res);
  }
}

const idle: RingPwrite[] = [];

let capturedResolve: ((res: number) => void) | null = null;
function capture(resolve: (res: number) => void): void {
  capturedResolve = resolve;
}

/**
 * pwriteOnRing - pwrite64(fd, address, length, position) as one ring request.
 *
 * @param address - the lent buffer's bytes: valid until the Promise settles.
 * @returns the Promise of the CQE's result (a count or -errno; -ECANCELED when the kernel never
 *   ran it), or null when it is not made this way (the threads engine, a policy that does not
 *   allow pwrite64, a fd that is not a regular file, a full ring): the caller's chain makes it.
 */
export function pwriteOnRing(engine: Engine, fd: number, address: number, length: number, position: number): Promise<number> | null {
  if (engine.asyncEngine.kind !== 'io_uring' || !directCallsAllowed(engine, PWRITE_CALLS) || fileTypeOf(fd) !== S_IFREG) return null;
  return (idle.pop() ?? new RingPwrite()).start(engine, fd, address, length, position);
}
