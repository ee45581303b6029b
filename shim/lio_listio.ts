/** lio_listio(3): glibc's rt/lio_listio-common.c — many requests, one wait or one notification. */
import { EINTR, EINVAL, EIO } from '../engine/native/index.js';
import { Aiocb, type SigeventInit } from './aiocb.js';
import { aioEngine } from './context.js';
import { AIO_PRIO_DELTA_MAX, LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, SIGEV_NONE, SIGEV_THREAD } from './constants.js';
import { errno, failWith } from './errno.js';
import { listDone } from './notify.js';
import { OP_READ, OP_WRITE } from './types.js';
import { IDLE } from './request.js';
import { type ListGroup } from './types.js';
import { completeUnrun, prepareUnrun } from './request-unrun.js';
import { submitAiocb } from './request-submit.js';
import { drainSignals, signalInterruptFd } from './signals.js';
import { isList, type AiocbListEntry } from './aio_suspend.js';

let waitingGroup: ListGroup | null = null;
function groupDone(): boolean {
  return waitingGroup === null || waitingGroup.remaining === 0;
}

function listSigevent(mode: number, sig: SigeventInit | Aiocb['aio_sigevent'] | null | undefined): Pick<ListGroup, 'notify' | 'signo' | 'value' | 'fn'> {
  // LIO_WAIT ignores sig (POSIX; glibc).
  if (mode !== LIO_NOWAIT || sig == null) return { notify: SIGEV_NONE, signo: 0, value: 0, fn: null };
  const value = sig.sigev_value ?? 0;
  return {
    notify: sig.sigev_notify ?? SIGEV_NONE,
    signo: sig.sigev_signo ?? 0,
    value,
    fn: sig.sigev_notify === SIGEV_THREAD ? (sig.sigev_notify_function ?? null) : null,
  };
}

/**
 * lio_listio - submit a list of reads and writes at once.
 *
 * Each entry is submitted as aio_read (LIO_READ) or aio_write (LIO_WRITE) would, with the same
 * ordering rules and the same errors; LIO_NOP and null entries are skipped; an entry with any
 * other opcode fails alone with EINVAL (aio_return -1) and is notified. Every entry's own
 * sigevent fires (glibc ≥ 2.4); with LIO_NOWAIT, `sig` fires once, after the last entry (at once
 * when nothing was submitted).
 *
 * Called as in C, `lio_listio(mode, list, nent, sig)`, or `lio_listio(mode, list, sig)`.
 *
 * @param mode - LIO_WAIT (block until every entry completed; `sig` is ignored) or LIO_NOWAIT.
 * @param list - aiocbs with aio_lio_opcode set; null entries are ignored.
 * @param nent - how many entries to look at (optional).
 * @param sig - the list's notification (LIO_NOWAIT only), or null.
 * @returns 0; or -1 with errno:
 *   - EINVAL: bad mode, nent < 0, or (LIO_NOWAIT) an entry was refused at submission
 *     (aio_reqprio out of range...) — the other entries still run.
 *   - EAGAIN: (LIO_NOWAIT) an entry could not be queued.
 *   - EIO: (LIO_WAIT) at least one entry failed or was refused; the others completed.
 *   - EINVAL, EAGAIN: (LIO_WAIT) no entry was handed on, because each was refused with that
 *     errno (glibc's answer when its list queued nothing).
 *   An entry refused at submission (EAGAIN: no room in the engine; EINVAL: a bad field) has that
 *   errno as its aio_error and -1 as its aio_return, unless it was already in progress.
 *   - EINTR: (LIO_WAIT) a received signal arrived first; the entries go on.
 * @example
 * ```ts
 * const w1 = new Aiocb({ aio_fildes: fd, aio_buf: a, aio_offset: 0, aio_lio_opcode: LIO_WRITE });
 * const w2 = new Aiocb({ aio_fildes: fd, aio_buf: b, aio_offset: 4096, aio_lio_opcode: LIO_WRITE });
 * if (lio_listio(LIO_WAIT, [w1, w2], 2, null) === -1) console.error(errnoName(errno()));
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/lio_listio.html
 */
export function lio_listio(mode: number, list: readonly AiocbListEntry[], nent?: number | SigeventInit | null, sig?: SigeventInit | null): number {
  if (mode !== LIO_WAIT && mode !== LIO_NOWAIT) return failWith(EINVAL);
  if (!isList(list)) return failWith(EINVAL);
  let count = list.length;
  let sigevent = sig;
  if (typeof nent === 'number') {
    if (!Number.isInteger(nent) || nent < 0) return failWith(EINVAL);
    count = Math.min(nent, count);
  } else {
    sigevent = nent;
  }
  if (sigevent != null && typeof sigevent !== 'object') return failWith(EINVAL);
  const group: ListGroup = { remaining: 1, failed: false, ...listSigevent(mode, sigevent) };
  let submitError = 0;
  // Entries handed on (queued, or ended alone with EINVAL for an unknown opcode): glibc's `total`.
  let queued = 0;
  for (let i = 0; i < count; i++) {
    const cb = list[i];
    if (cb == null) continue;
    if (!(cb instanceof Aiocb)) {
      submitError = EINVAL;
      continue;
    }
    const opcode = cb.aio_lio_opcode;
    if (opcode === LIO_NOP) continue;
    group.remaining++;
    if (opcode === LIO_READ || opcode === LIO_WRITE) {
      const idle = cb._request.state === IDLE;
      if (submitAiocb(cb, opcode === LIO_READ ? OP_READ : OP_WRITE, group) !== 0) {
        group.remaining--;
        group.failed = true;
        submitError = errno();
        // An entry not queued says why in its own status (POSIX: EAGAIN "not queued due to
        // resource limitations"; glibc sets EINVAL on an entry it refuses): the caller told EIO
        // or EAGAIN checks each aiocb, and a read never made must not read as 0 bytes at end of
        // file. One already in progress (submitted twice) keeps its own request's status.
        if (idle) cb._request.setStatus(submitError, -1);
      } else {
        queued++;
      }
    } else if (cb._request.state === IDLE && (cb.aio_reqprio < 0 || cb.aio_reqprio > AIO_PRIO_DELTA_MAX)) {
      // glibc's enqueue checks aio_reqprio before anything looks at the opcode: refused, not
      // queued, as a read or write with that priority is (difffuzz27: glibc -1/EINVAL in both
      // modes where this queued it, then LIO_WAIT answered EIO).
      group.remaining--;
      group.failed = true;
      submitError = EINVAL;
      cb._request.setStatus(EINVAL, -1);
    } else if (cb._request.state === IDLE) {
      // glibc's worker fails an unknown opcode with EINVAL: the entry ends, notified, alone.
      completeUnrun(prepareUnrun(cb, group), EINVAL);
      queued++;
    } else {
      group.remaining--;
      submitError = EINVAL;
    }
  }
  if (mode === LIO_NOWAIT) {
    if (--group.remaining === 0) listDone(group);
    return submitError === 0 ? 0 : failWith(submitError);
  }
  // Nothing was handed on: glibc returns at once with the refusal's errno (EINVAL, EAGAIN), not
  // EIO, which says that some request ran and failed.
  if (queued === 0 && submitError !== 0) return failWith(submitError);
  group.remaining--;
  if (group.remaining > 0) {
    waitingGroup = group;
    let result: number;
    try {
      result = aioEngine().waitUntil(groupDone, null, signalInterruptFd());
    } finally {
      waitingGroup = null;
    }
    if (result === -EINTR) {
      drainSignals();
      return failWith(EINTR);
    }
  }
  return group.failed || submitError !== 0 ? failWith(EIO) : 0;
}

/** lio_listio64 - the LFS name; on x86-64 the same function. */
export const lio_listio64 = lio_listio;
