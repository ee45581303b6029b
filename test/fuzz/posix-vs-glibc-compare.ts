/**
 * The comparison of the POSIX-vs-glibc differential fuzz: two {@link RunResult}s of one sequence
 * (glibc's, the shim's) → the differences that are findings. What may legitimately differ is
 * canonicalised here, each with its reason:
 * - timing: whether aio_cancel found a request still queued (AIO_CANCELED vs AIO_NOTCANCELED vs
 *   AIO_ALLDONE), so a request a cancel touched may end ECANCELED on one side only, and then its
 *   bytes (a write's range of the file, a later read of that range) may differ too; an
 *   aio_suspend with a timeout racing the completion (0 vs -1/EAGAIN); an aio_error seen while
 *   the request may still run (EINPROGRESS on one side);
 * - the byte count of a stream read (how much of the pipe/socket was there when it ran): the
 *   bytes are checked per side instead (nothing read that was not written), the status compared;
 * - the order of O_APPEND writes in flight together (one list's entries have no order): the
 *   append file and reads of it are compared as byte multisets;
 * - docs/posix-aio.md's deliberate difference "aio_nbytes larger than the Buffer given": the shim
 *   must answer -1/EINVAL, glibc's answer is not compared.
 */
import { FILE_OF, STREAM_READ, type Sequence } from './posix-vs-glibc-gen.js';
import type { CallRecord, RequestRecord, RunResult } from './posix-vs-glibc-run.js';

const EINPROGRESS = 115;
const ECANCELED = 125;
const EINVAL = 22;
const EFAULT = 14;

/** Counters of what was compared, per comparison. */
export interface CompareFigures {
  calls: number;
  exactCalls: number;
  requests: number;
  racy: number;
  deliberate: number;
}

function sortedBytes(b64: string): string {
  return Buffer.from(Buffer.from(b64, 'base64').sort()).toString('base64');
}

function callLabel(c: CallRecord): string {
  return `step ${c.step} ${c.call}${c.req === undefined ? '' : ` (request ${c.req})`}`;
}

function answer(c: CallRecord | undefined): string {
  return c === undefined ? 'nothing' : c.ret === -1 ? `-1/errno ${c.errno}` : String(c.ret);
}

/** compareRuns - the differences between glibc's run (`g`) and the shim's (`s`) of `seq`; `figures` counts what was compared. */
export function compareRuns(seq: Sequence, g: RunResult, s: RunResult, figures: CompareFigures): string[] {
  const out: string[] = [];
  for (const b of s.broken) out.push(`syslet: ${b}`);
  for (const b of g.broken) out.push(`glibc (harness or glibc): ${b}`);
  // Requests whose answers differ on purpose (see the header): their calls and status words are skipped.
  const shortReqs = new Set<number>();
  s.requests.forEach((sr, i) => {
    const gr = g.requests[i];
    const deliberate = sr.shortBuf || (sr.nullBuf && sr.n > 0 && sr.err === EFAULT && gr !== undefined && gr.err !== EFAULT);
    if (deliberate || (sr.inherits !== undefined && shortReqs.has(sr.inherits))) shortReqs.add(i);
  });
  // Calls: the same calls in the same order (the runner's rules depend on the sequence only).
  for (let i = 0; i < Math.max(g.calls.length, s.calls.length); i++) {
    const gc = g.calls[i];
    const sc = s.calls[i];
    if (gc === undefined || sc === undefined || gc.call !== sc.call || gc.step !== sc.step) {
      out.push(`call ${i}: glibc made ${gc === undefined ? 'nothing' : callLabel(gc)}, syslet ${sc === undefined ? 'nothing' : callLabel(sc)} (runs diverged)`);
      break;
    }
    figures.calls++;
    if (gc.req !== undefined && shortReqs.has(gc.req) && gc.tag !== 'shortbuf') continue;
    const same = gc.ret === sc.ret && gc.errno === sc.errno;
    if (gc.tag === 'shortbuf') {
      figures.deliberate++;
      if (!(sc.ret === -1 && sc.errno === EINVAL)) out.push(`${callLabel(sc)}: aio_nbytes past the buffer answered ${answer(sc)}, docs/posix-aio.md promises -1/EINVAL`);
      continue;
    }
    // The request whose status words the aiocb holds (a LIO_NOP entry's are its previous one's).
    let about = gc.req === undefined ? undefined : s.requests[gc.req];
    while (about?.inherits !== undefined) about = s.requests[about.inherits];
    if (gc.call === 'aio_return' && about !== undefined && about.op === 'read' && STREAM_READ.has(about.t)) {
      // A stream read's byte count is how much was there when it ran: only its sign is a contract —
      // unless a cancel touched it: then one side may have cancelled it while still queued (-1,
      // ECANCELED) where the other had run it already (seed 2954092735: glibc's read of a pipe
      // waited behind a request on another fd); its final status word is compared below.
      figures.racy++;
      if (about.cancelTouched) continue;
      if ((gc.ret >= 0) !== (sc.ret >= 0)) out.push(`${callLabel(gc)}: glibc ${answer(gc)}, syslet ${answer(sc)}`);
      continue;
    }
    if (gc.tag === 'exact') {
      figures.exactCalls++;
      if (!same) out.push(`${callLabel(gc)}: glibc ${answer(gc)}, syslet ${answer(sc)}`);
      continue;
    }
    figures.racy++;
    if (gc.tag === 'racy-cancel') {
      // Any of AIO_CANCELED/AIO_NOTCANCELED/AIO_ALLDONE on either side (timing); errors must agree.
      if ((gc.ret === -1 || sc.ret === -1) && !same) out.push(`${callLabel(gc)}: glibc ${answer(gc)}, syslet ${answer(sc)}`);
    } else if (gc.tag === 'racy-suspend') {
      const ok = (c: CallRecord): boolean => c.ret === 0 || (c.ret === -1 && c.errno === 11);
      if (!ok(gc) || !ok(sc)) out.push(`${callLabel(gc)}: glibc ${answer(gc)}, syslet ${answer(sc)} (expected 0 or -1/EAGAIN)`);
    } else if (gc.tag === 'racy-observe') {
      const req = gc.req === undefined ? undefined : s.requests[gc.req];
      const loose = req === undefined || req.cancelTouched || (gc.call === 'aio_return' && STREAM_READ.has(req.t));
      if (gc.call === 'aio_error' && (gc.ret === EINPROGRESS || sc.ret === EINPROGRESS)) {
        // Skip the aio_return that only one side made (it saw a final status).
        const gn = g.calls[i + 1];
        const sn = s.calls[i + 1];
        if (gn?.call === 'aio_return' && sn?.call !== 'aio_return') g.calls.splice(i + 1, 1);
        if (sn?.call === 'aio_return' && gn?.call !== 'aio_return') s.calls.splice(i + 1, 1);
      } else if (!loose && !same) out.push(`${callLabel(gc)}: glibc ${answer(gc)}, syslet ${answer(sc)} (both final)`);
    }
  }
  // Requests' final status words and buffers.
  const divergent: RequestRecord[] = [];
  const rn = Math.min(g.requests.length, s.requests.length);
  if (g.requests.length !== s.requests.length) out.push(`request count: glibc ${g.requests.length}, syslet ${s.requests.length}`);
  for (let i = 0; i < rn; i++) {
    const gr = g.requests[i] as RequestRecord;
    const sr = s.requests[i] as RequestRecord;
    figures.requests++;
    // "aio_buf is confined" (docs/posix-aio.md): NULL is outside every registered buffer, so the
    // shim ends such a request EFAULT where glibc hands NULL to a device that never touches it.
    if (shortReqs.has(i)) continue;
    if (gr.op === 'write' && sr.nullBuf && gr.n > 0) {
      // A NULL write: the kernel may extend the file before it faults (glibc's pwrite); the shim
      // refuses the buffer without a syscall. Same status, the file's size is not compared there.
      divergent.push(gr);
    }
    const label = `request ${i} (step ${gr.step}, ${gr.op} ${gr.t} off ${gr.off} n ${gr.n})`;
    if (gr.cancelTouched && (gr.err === ECANCELED || sr.err === ECANCELED)) {
      if (gr.err !== sr.err && gr.op === 'write') divergent.push(gr);
      continue;
    }
    if (gr.err !== sr.err) {
      out.push(`${label}: final aio_error glibc ${gr.err}, syslet ${sr.err}`);
      continue;
    }
    // A LIO_NOP entry's aio_return is its aiocb's previous request's, compared with that request
    // (whose byte count may be a stream read's): its status is what is new.
    if (gr.op === 'nop') continue;
    if (gr.op === 'read' && STREAM_READ.has(gr.t)) {
      if ((gr.ret >= 0) !== (sr.ret >= 0)) out.push(`${label}: aio_return glibc ${gr.ret}, syslet ${sr.ret}`);
      continue;
    }
    const file = FILE_OF[gr.t];
    // A read after a write that ended differently (cancelled on one side only) may see either.
    const shadowed = file !== undefined && divergent.some((w) => FILE_OF[w.t] === file && (file === 'app' || w.off + w.n > gr.off));
    if (shadowed) continue;
    if (gr.ret !== sr.ret) out.push(`${label}: aio_return glibc ${gr.ret}, syslet ${sr.ret}`);
    else if (gr.buf !== sr.buf) {
      const appSet = file === 'app' && gr.buf !== undefined && sr.buf !== undefined && sortedBytes(gr.buf) === sortedBytes(sr.buf);
      if (!appSet) out.push(`${label}: the bytes read differ${firstDiff(gr.buf, sr.buf)}`);
    }
  }
  // Files.
  for (const name of ['f0', 'f1', 'app'] as const) {
    const gb = Buffer.from(g.files[name] ?? '', 'base64');
    const sb = Buffer.from(s.files[name] ?? '', 'base64');
    const mine = divergent.filter((w) => FILE_OF[w.t] === name);
    if (name === 'app') {
      if (mine.length === 0 && (gb.length !== sb.length || !Buffer.from(gb).sort().equals(Buffer.from(sb).sort()))) {
        out.push(`file app: glibc ${gb.length} bytes, syslet ${sb.length} bytes, not the same bytes`);
      }
      continue;
    }
    const excluded = (pos: number): boolean => mine.some((w) => pos >= w.off && pos < w.off + w.n);
    const extends_ = mine.some((w) => w.off + w.n >= Math.min(gb.length, sb.length));
    if (gb.length !== sb.length && !extends_) out.push(`file ${name}: glibc ${gb.length} bytes, syslet ${sb.length}`);
    const len = Math.min(gb.length, sb.length);
    for (let p = 0; p < len; p++) {
      if (gb[p] !== sb[p] && !excluded(p)) {
        out.push(`file ${name}: byte ${p} glibc ${gb[p]}, syslet ${sb[p]}`);
        break;
      }
    }
  }
  // Notifications (SIGEV_THREAD values: request number, or 100000 + step for a list).
  const gn = g.notified.filter((v) => !shortReqs.has(v)).join(',');
  const sn = s.notified.filter((v) => !shortReqs.has(v)).join(',');
  if (gn !== sn) out.push(`notifications: glibc [${gn}], syslet [${sn}]`);
  void seq;
  return out;
}

function firstDiff(a: string | undefined, b: string | undefined): string {
  const x = Buffer.from(a ?? '', 'base64');
  const y = Buffer.from(b ?? '', 'base64');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return ` (first at byte ${i}: glibc ${x[i]}, syslet ${y[i]})`;
  return '';
}
