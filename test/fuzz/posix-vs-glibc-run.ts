/**
 * The child side of the POSIX-vs-glibc differential fuzz: runs one {@link Sequence} against one
 * implementation (posix-impl.ts's adapter: glibc's AIO or the syslet shim) and records what a C
 * program could observe: each call's return value and errno, each request's final aio_error /
 * aio_return and read buffer, the final bytes of every file, and which notifications arrived.
 *
 * Every rule that keeps a run deterministic is applied here, from the sequence alone, the same in
 * both children (so the two logs line up call for call, and any sub-sequence a shrinker makes is
 * still safe):
 * - an aiocb is re-submitted only once its previous request is final (the shim refuses an aiocb in
 *   progress with EINVAL on purpose, glibc would corrupt its queue);
 * - a file request waits for the unfinished requests it conflicts with (a write overlapping it, or
 *   a write that may move the end of file under a read): positional requests run in parallel in
 *   the shim and one at a time per fd in glibc (docs/posix-aio.md §2), so their order is no
 *   contract; conflicting entries of one list become NULL, a list's order being unspecified;
 * - a LIO_WAIT entry on a stream read end (a read that only a later feed could end, or anything
 *   glibc queues behind it) becomes LIO_NOP, and an untimed aio_suspend that could wait only for
 *   such reads gets a 20 ms timeout;
 * - waiting for a stream read feeds its channel filler bytes, so nothing blocks for ever.
 * Each call carries a tag saying how much of its answer is a contract (see compare).
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import { addressOf, syscall } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import type { AioImpl, ControlBlock, SigeventFields } from '../helpers/posix-impl.js';
import { dup2, pipe, socketpair, SOCK_STREAM } from '../helpers/posix-os.js';
import { FILE_OF, STREAM_READ, STREAMS, type Notify, type RequestSpec, type Sequence, type Target } from './posix-vs-glibc-gen.js';

const EINPROGRESS = 115;
const MSG_DONTWAIT = 0x40;
/** A closed fd number: high, so that neither implementation's own dup (F_DUPFD from 0) takes it. */
const CLOSED_FD = 987;
const FILLER = 0xee;
/**
 * How long a request may stay EINPROGRESS before the run calls it stalled. Every request here
 * ends in milliseconds (streams are fed while waiting); glibc's own AIO stalls now and then (a
 * request never ends, every helper idle): 5 s, not 15, so that a stalled batch costs minutes less.
 */
const WAIT_LIMIT_MS = 5_000;

/** How a call's answer is compared (compare.ts). */
export type Tag = 'exact' | 'racy-cancel' | 'racy-suspend' | 'racy-observe' | 'shortbuf';

export interface CallRecord {
  readonly step: number;
  readonly call: string;
  readonly ret: number;
  readonly errno: number;
  readonly tag: Tag;
  /** The request(s) the call is about (for canonicalisation). */
  readonly req?: number;
}

export interface RequestRecord {
  readonly req: number;
  readonly step: number;
  readonly op: 'read' | 'write' | 'fsync' | 'nop' | 'bad';
  readonly t: Target;
  readonly off: number;
  readonly n: number;
  readonly shortBuf: boolean;
  readonly nullBuf: boolean;
  /** A LIO_NOP entry: the request whose status words its aiocb still holds. */
  readonly inherits?: number;
  cancelTouched: boolean;
  /** Submission refused (the call or lio's entry said so): the status words are still compared. */
  err: number;
  ret: number;
  buf?: string;
}

export interface RunResult {
  readonly calls: CallRecord[];
  readonly requests: RequestRecord[];
  readonly files: Record<string, string>;
  readonly notified: number[];
  /** Single-implementation failures: a request never final, bytes read that nobody wrote. */
  readonly broken: string[];
}

interface Live {
  readonly rec: RequestRecord;
  readonly cb: ControlBlock;
  readonly view: Uint8Array | null;
  final: boolean;
}

function pattern(seed: number, file: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (seed * 31 + i * 7 + file * 13 + (i >> 8)) & 0xff;
  return out;
}

function conflicts(a: RequestRecord, b: RequestRecord): boolean {
  const fa = FILE_OF[a.t];
  if (fa === undefined || fa !== FILE_OF[b.t]) return false;
  const wa = a.op === 'write';
  const wb = b.op === 'write';
  if ((!wa && a.op !== 'read') || (!wb && b.op !== 'read')) return false;
  if (!wa && !wb) return false;
  if ((wa && a.n === 0) || (wb && b.n === 0)) return false;
  // Appends land at the end whatever the offset: any read conflicts with any append; appends in
  // flight together do not (their order is compared as a set).
  if (fa === 'app') return wa !== wb;
  if (wa && wb) return a.off < b.off + b.n && b.off < a.off + a.n;
  const [w, r] = wa ? [a, b] : [b, a];
  // A write moves the end of file under a read at any offset before its end.
  return w.off + w.n > r.off;
}

/** runSequence - run `seq` on `impl` in the scratch directory `dir` (created and removed here). */
export async function runSequence(impl: AioImpl, seq: Sequence, dir: string): Promise<RunResult> {
  const C = impl.constants;
  mkdirSync(dir, { recursive: true });
  const paths = { f0: join(dir, 'f0'), f1: join(dir, 'f1'), app: join(dir, 'app') };
  writeFileSync(paths.f0, pattern(seq.seed, 0, seq.sizes[0]));
  writeFileSync(paths.f1, pattern(seq.seed, 1, seq.sizes[1]));
  writeFileSync(paths.app, pattern(seq.seed, 2, seq.sizes[2]));
  const [pipeR, pipeW] = pipe(false);
  const [sockA, sockB] = socketpair(SOCK_STREAM);
  // Non-blocking descriptions of the pipe's ends, for the sequence's own feeds and the drains.
  const pipeWnb = openSync(`/proc/self/fd/${pipeW}`, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
  const pipeRnb = openSync(`/proc/self/fd/${pipeR}`, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  const fds: Record<Target, number> = {
    f0: openSync(paths.f0, 'r+'), f0ro: openSync(paths.f0, 'r'), f1: openSync(paths.f1, 'r+'),
    app: openSync(paths.app, fsConstants.O_RDWR | fsConstants.O_APPEND),
    pipeR, pipeW, sockA, sockB, zero: openSync('/dev/zero', 'r+'), null: openSync('/dev/null', 'r+'), bad: -1, closed: CLOSED_FD,
  };
  dup2(fds.f0, CLOSED_FD);
  closeSync(CLOSED_FD);

  const calls: CallRecord[] = [];
  const requests: RequestRecord[] = [];
  const broken: string[] = [];
  const notified: number[] = [];
  const notifyFn = (value: number | bigint): void => {
    notified.push(Number(value));
  };
  const slots = new Map<number, ControlBlock>();
  const live = new Map<number, Live>(); // slot -> its last request
  const lives: Live[] = [];
  const written = new Array<number>(256).fill(0); // bytes put into the channels
  const readBytes = new Array<number>(256).fill(0); // bytes taken out of them
  let step = 0;

  const record = (call: string, ret: number, tag: Tag, req?: number): number => {
    // aio_error and aio_return set no errno: their -1 is a value.
    const setsErrno = call !== 'aio_error' && call !== 'aio_return';
    calls.push({ step, call, ret, errno: ret === -1 && setsErrno ? impl.errno() : 0, tag, ...(req === undefined ? {} : { req }) });
    return ret;
  };
  const slot = (i: number): ControlBlock => {
    let cb = slots.get(i);
    if (cb === undefined) {
      cb = impl.aiocb();
      slots.set(i, cb);
    }
    return cb;
  };
  const sigevent = (notify: Notify, value: number): SigeventFields => {
    if (notify === 'none') return { sigev_notify: C.SIGEV_NONE };
    if (notify === 'thread') return { sigev_notify: C.SIGEV_THREAD, sigev_value: value, sigev_notify_function: notifyFn };
    return { sigev_notify: C.SIGEV_SIGNAL, sigev_signo: 0 };
  };
  const count = (into: number[], bytes: Uint8Array): void => {
    for (const b of bytes) into[b] = (into[b] ?? 0) + 1;
  };
  // The sequence's own writes into a channel (sock: sockA to sockB; back: sockB to sockA), never blocking.
  const feed = (ch: 'pipe' | 'sock' | 'back', bytes: Buffer): void => {
    let got: number;
    if (ch === 'pipe') got = Math.max(0, syscall(NR.write, pipeWnb, addressOf(bytes), bytes.length));
    else got = Math.max(0, syscall(NR.sendto, ch === 'sock' ? sockA : sockB, addressOf(bytes), bytes.length, MSG_DONTWAIT, 0, 0));
    count(written, bytes.subarray(0, got));
  };
  // Settle a request: wait until aio_error is not EINPROGRESS (feeding a stream read's channel),
  // then take its status words and buffer.
  const settle = async (l: Live): Promise<void> => {
    if (l.final) return;
    const deadline = performance.now() + WAIT_LIMIT_MS;
    let spins = 0;
    while (impl.aio_error(l.cb) === EINPROGRESS) {
      if (performance.now() > deadline) {
        broken.push(`request ${l.rec.req} (step ${l.rec.step}, ${l.rec.op} ${l.rec.t}) still EINPROGRESS after ${WAIT_LIMIT_MS} ms`);
        l.final = true;
        return;
      }
      // On the event loop, not a blocking sleep: glibc's SIGEV_THREAD functions reach JS through
      // koffi, which holds glibc's notification thread until the JS thread runs them.
      await new Promise((resolve) => setTimeout(resolve, spins++ < 20 ? 1 : 5));
      // A stream request may wait for bytes (a read), for room (a write into a full pipe), or
      // behind either in glibc's one-request-per-fd queue: feed every channel, now and then drain.
      // After a second, feed whatever the request is: glibc sometimes leaves a queued request in
      // its run list until a busy helper is free (seen: every idle helper in a futex wait, one in
      // read(2) on the pipe, a file read EINPROGRESS for ever), and that helper may be a stream read.
      if (spins % 10 === 0 && (STREAMS.has(l.rec.t) || spins > 200)) {
        feed('pipe', Buffer.alloc(64, FILLER));
        feed('sock', Buffer.alloc(64, FILLER));
        feed('back', Buffer.alloc(64, FILLER));
        if (spins % 40 === 0) drain();
      }
    }
    l.final = true;
    l.rec.err = impl.aio_error(l.cb);
    l.rec.ret = impl.aio_return(l.cb);
    const channel = l.rec.t === 'pipeW' || l.rec.t === 'sockA' || l.rec.t === 'sockB';
    if (channel && l.view !== null && l.rec.op === 'write' && l.rec.err === 0 && l.rec.ret > 0) count(written, l.view.subarray(0, Math.min(l.rec.ret, l.view.length)));
    if (l.view !== null && l.rec.op === 'read') {
      if (STREAM_READ.has(l.rec.t) && l.rec.err === 0 && l.rec.ret > 0) count(readBytes, l.view.subarray(0, Math.min(l.rec.ret, l.view.length)));
      if (FILE_OF[l.rec.t] !== undefined || l.rec.t === 'zero' || l.rec.t === 'null') l.rec.buf = Buffer.from(l.view).toString('base64');
    }
  };
  const drain = (): void => {
    const sink = Buffer.alloc(4096);
    for (;;) {
      let got = 0;
      try {
        got = readSync(pipeRnb, sink, 0, sink.length, null);
      } catch {
        got = 0;
      }
      if (got <= 0) break;
      count(readBytes, sink.subarray(0, got));
    }
    for (const fd of [sockA, sockB]) {
      for (;;) {
        const got = syscall(NR.recvfrom, fd, addressOf(sink), sink.length, MSG_DONTWAIT, 0, 0);
        if (got <= 0) break;
        count(readBytes, sink.subarray(0, got));
      }
    }
  };
  // Prepare a request on slot `spec.cb`: its previous request settled, conflicting ones settled.
  const prepare = async (spec: RequestSpec, op: RequestRecord['op'], others: readonly RequestRecord[] = []): Promise<{ l: Live; conflict: boolean }> => {
    const prev = live.get(spec.cb);
    if (prev !== undefined) await settle(prev);
    const rec: RequestRecord = {
      req: requests.length, step, op, t: spec.t, off: spec.off, n: spec.n, shortBuf: spec.bufLen < spec.n && op === 'read', nullBuf: spec.nullBuf === true,
      // A NOP entry keeps its aiocb's old status words: as uncertain as the request that wrote them.
      cancelTouched: op === 'nop' && prev !== undefined && prev.rec.cancelTouched, err: 0, ret: 0,
      ...(op === 'nop' && prev !== undefined ? { inherits: prev.rec.req } : {}),
    };
    // The list being built is not submitted yet: its entries are `others`, never waited for.
    for (const other of lives) if (!other.final && !others.includes(other.rec) && conflicts(rec, other.rec)) await settle(other);
    const conflict = others.some((o) => conflicts(rec, o));
    let view: Uint8Array | null = null;
    const cb = slot(spec.cb);
    if (op === 'read' || op === 'write' || op === 'bad' || op === 'nop') {
      // glibc reads past a short view into slack (never past the file's size); the shim sees the view only.
      const backing = impl.buffer(rec.shortBuf ? 65536 : Math.max(1, spec.bufLen));
      view = backing.subarray(0, spec.bufLen);
      if (op === 'write') for (let i = 0; i < view.length; i++) view[i] = (rec.req * 37 + i * 11 + 1) & 0xff;
      else view.fill(0xa5);
      cb.assign({
        aio_fildes: fds[spec.t], aio_buf: spec.nullBuf === true ? null : view, aio_nbytes: spec.n, aio_offset: spec.off, aio_reqprio: spec.prio,
        aio_sigevent: sigevent(spec.notify, rec.req),
      });
    }
    const l: Live = { rec, cb, view, final: false };
    return { l, conflict };
  };

  for (const s of seq.steps) {
    if (s.op === 'read' || s.op === 'write') {
      const { l } = await prepare(s, s.op);
      requests.push(l.rec);
      lives.push(l);
      live.set(s.cb, l);
      const ret = record(`aio_${s.op}`, s.op === 'read' ? impl.aio_read(l.cb) : impl.aio_write(l.cb), l.rec.shortBuf ? 'shortbuf' : 'exact', l.rec.req);
      if (ret !== 0) await settle(l);
    } else if (s.op === 'fsync') {
      const { l } = await prepare({ cb: s.cb, t: s.t, off: 0, n: 0, bufLen: 0, prio: 0, notify: s.notify }, 'fsync');
      l.cb.assign({ aio_fildes: fds[s.t], aio_reqprio: 0, aio_sigevent: sigevent(s.notify, l.rec.req) });
      requests.push(l.rec);
      lives.push(l);
      live.set(s.cb, l);
      const op = s.mode === 'sync' ? C.O_SYNC : s.mode === 'dsync' ? C.O_DSYNC : 12345;
      if (record('aio_fsync', impl.aio_fsync(op, l.cb), 'exact', l.rec.req) !== 0) await settle(l);
    } else if (s.op === 'lio') {
      const list: (ControlBlock | null)[] = [];
      const inList: RequestRecord[] = [];
      const seen = new Set<number>();
      const mine: Live[] = [];
      for (const [index, e] of s.entries.entries()) {
        // Beyond nent, NULL, a second use of one aiocb, or a LIO_WAIT on a stream (a read only a
        // later feed ends; a write into a pipe the sequence filled): NULL (see header).
        if (index >= s.nent || e === null || seen.has(e.cb) || (s.mode === 'wait' && STREAMS.has(e.t))) {
          list.push(null);
          continue;
        }
        const { l, conflict } = await prepare(e, e.opc, inList);
        if (conflict) {
          list.push(null);
          continue;
        }
        seen.add(e.cb);
        l.cb.assign({ aio_lio_opcode: e.opc === 'read' ? C.LIO_READ : e.opc === 'write' ? C.LIO_WRITE : e.opc === 'nop' ? C.LIO_NOP : 7 });
        inList.push(l.rec);
        requests.push(l.rec);
        lives.push(l);
        live.set(e.cb, l);
        mine.push(l);
        list.push(l.cb);
      }
      const sig = s.sig === 'null' ? null : sigevent(s.sig, 100_000 + step);
      record(`lio_listio(${s.mode})`, impl.lio_listio(s.mode === 'wait' ? C.LIO_WAIT : C.LIO_NOWAIT, list, s.nent, sig), 'exact');
      // A NOP or unknown entry is never queued: its status words are whatever they were (compared).
      for (const l of mine) if (l.rec.op === 'nop') await settle(l);
    } else if (s.op === 'suspend') {
      const list = s.cbs.map((i) => (i === null ? null : slot(i)));
      const listed = s.cbs.slice(0, s.nent).filter((i): i is number => i !== null).map((i) => live.get(i));
      // Never submitted (undefined) or settled: aio_suspend returns at once, a contract.
      const decided = listed.length === 0 || listed.some((l) => l === undefined || l.final);
      const onlyStreams = listed.every((l) => l !== undefined && STREAM_READ.has(l.rec.t));
      let timeout = s.timeoutMs;
      if (timeout === null && !decided && onlyStreams) timeout = 20;
      const spec = timeout === null ? null : { tv_sec: 0, tv_nsec: timeout * 1_000_000 };
      record('aio_suspend', impl.aio_suspend(list, s.nent, spec), decided || timeout === null ? 'exact' : 'racy-suspend');
    } else if (s.op === 'cancel') {
      const l = s.cb === null ? undefined : live.get(s.cb);
      const cb = s.cb === null ? null : slot(s.cb);
      let tag: Tag = 'exact';
      if (s.t !== 'bad' && s.t !== 'closed') {
        if (s.cb !== null && l !== undefined && l.rec.t === s.t && !l.final) {
          tag = 'racy-cancel';
          l.rec.cancelTouched = true;
        } else if (s.cb === null) {
          for (const other of lives) {
            if (!other.final && fds[other.rec.t] === fds[s.t]) {
              tag = 'racy-cancel';
              other.rec.cancelTouched = true;
            }
          }
        }
      }
      record('aio_cancel', impl.aio_cancel(fds[s.t], cb), tag, l?.rec.req);
    } else if (s.op === 'observe') {
      const l = live.get(s.cb);
      const cb = slot(s.cb);
      const tag: Tag = l === undefined || l.final ? 'exact' : 'racy-observe';
      const err = record('aio_error', impl.aio_error(cb), tag, l?.rec.req);
      if (err !== EINPROGRESS) record('aio_return', impl.aio_return(cb), tag, l?.rec.req);
    } else if (s.op === 'wait') {
      const l = live.get(s.cb);
      if (l !== undefined) await settle(l);
    } else if (s.op === 'feed') {
      feed(s.ch, pattern(seq.seed + step, 3, s.n));
    }
    step++;
  }
  for (const l of lives) await settle(l);
  // Notifications arrive on the event loop (the shim's SIGEV_THREAD; glibc's thread relayed by
  // koffi): wait until none has come for 150 ms.
  let seen = -1;
  for (let waited = 0; waited < 3000 && seen !== notified.length; waited += 150) {
    seen = notified.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  drain();
  for (let b = 0; b < 256; b++) {
    if ((readBytes[b] ?? 0) > (written[b] ?? 0)) {
      broken.push(`stream bytes: ${readBytes[b]} of value ${b} read, only ${written[b]} written`);
      break;
    }
  }
  const files: Record<string, string> = {};
  for (const [name, path] of Object.entries(paths)) files[name] = readFileSync(path).toString('base64');
  for (const t of ['f0', 'f0ro', 'f1', 'app', 'zero', 'null'] as const) closeSync(fds[t]);
  for (const fd of [pipeR, pipeW, sockA, sockB, pipeRnb, pipeWnb]) closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  notified.sort((a, b) => a - b);
  return { calls, requests, files, notified, broken };
}
