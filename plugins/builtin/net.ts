/**
 * net.request: a whole short TCP exchange as one syslet — "the socket+bind+connect+sendmsg+rcv
 * kind of complex setup things" Linus named in 2007 as what batching is for. The caller's thread
 * submits once; connect hands the chain to a cachemiss thread, which then does the rest.
 */
import {
  SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE,
} from '../../engine/atom.js';
import { defineBuiltinPlugin } from '../plugin.js';
import { AF_INET, MSG_NOSIGNAL, SOCK_CLOEXEC, SOCK_STREAM } from '../../engine/syscalls/constants.generated.js';
import { invalidArgType } from '../../engine/arguments.js';

// MSG_NOSIGNAL: a peer that went away gives EPIPE instead of killing the process with SIGPIPE.
export { AF_INET, MSG_NOSIGNAL };
/** SOCK_STREAM | SOCK_CLOEXEC: a socket a chain opens must never leak into a child process. */
export const SOCK_STREAM_CLOEXEC = SOCK_STREAM | SOCK_CLOEXEC;
/** Bytes of struct sockaddr_in. */
export const SOCKADDR_IN_BYTES = 16;

const SKIP_ON_ERROR = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/** Atom indices of {@link netRequest}, for reading its results. */
export const REQUEST = {
  /** socket: the fd, or -errno (the chain stops there). */
  socket: 0,
  /** connect to `addr`:`port`: 0, or -errno. */
  connect: 1,
  /** close after a failed connect (ends the chain). */
  closeAfterConnect: 2,
  /** sendto of the request: bytes sent, or -errno. */
  send: 3,
  /** close after a failed send (ends the chain). */
  closeAfterSend: 4,
  /**
   * umem_add(-1) on the countdown cell, just before each recvfrom: receives still allowed after
   * this one (the last run's value); -1 means `chunks` receives were already made and none followed.
   */
  countdown: 5,
  /** close when `chunks` receives were made before the peer closed: `resp` is full (ends the chain). */
  closeWhenFull: 6,
  /**
   * recvfrom at the cursor: bytes received by the last call, 0 when the peer closed, or -errno
   * (not executed: no receive was allowed).
   */
  recv: 7,
  /** close after the peer closed or a receive error (ends the chain). */
  closeAtEof: 8,
  /** umem_add on the total cell: bytes received so far (not executed: none). */
  total: 9,
  /** umem_add on the cursor cell: advances the write position in `resp`; loops back to the countdown. */
  cursor: 10,
} as const;

/**
 * ipv4 - an IPv4 address in dotted form as the host-order number `net.request`'s `addr` takes.
 * @throws RangeError when `text` is not four decimal octets; TypeError ERR_INVALID_ARG_TYPE when
 *   it is not a string.
 * @example ipv4('127.0.0.1') // → 0x7f000001
 */
export function ipv4(text: string): number {
  if (typeof text !== 'string') throw invalidArgType('text', 'of type string', text);
  const parts = text.split('.');
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  if (octets.length !== 4 || octets.some((octet) => !(octet >= 0 && octet <= 255))) throw new RangeError(`not an IPv4 address: '${text}'`);
  return octets.reduce((address, octet) => address * 256 + octet, 0);
}

/**
 * net.request - connect to `addr`:`port` over TCP, send `reqLen` bytes from `req`, read the reply
 * into `resp` until the peer closes, and close. HTTP/1.0's shape: the server's close ends the
 * reply.
 *
 * Params: `addr` (uint: IPv4 in host order, see {@link ipv4}), `port` (uint), `req` (ptr),
 * `reqLen` (size), `resp` (ptr), `chunk` (size: bytes per recvfrom), `chunks` (uint: the most
 * recvfrom calls). `resp` must hold `chunk * chunks` bytes: every recvfrom asks for at most
 * `chunk` bytes at the cursor and there are at most `chunks` of them, so, as in file.readAll, the
 * loop can never write past `resp + chunk * chunks`. The countdown is checked before each
 * receive, so `chunks` = 0 receives nothing (socket, connect, sendto, close). umem_add returns the
 * new count as a signed 64-bit word, so a `chunks` above 2^63 is negative once decremented and
 * receives nothing either. The sockaddr_in is built in scratch from `addr` and `port` (both
 * stored big-endian, as the kernel wants).
 *
 * ```
 *  0 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)   STOP_ON_NEGATIVE
 *  1 connect(fd, &sockaddr_in, 16)                  STOP_ON_NEGATIVE|SKIP      next → 3
 *  2 close(fd)                                      ← connect failed; end
 *  3 sendto(fd, req, reqLen, MSG_NOSIGNAL, NULL, 0) STOP_ON_NEGATIVE|SKIP      next → 5
 *  4 close(fd)                                      ← send failed; end
 *  5 umem_add(&countdown, -1)                       STOP_ON_NEGATIVE|SKIP      next → 7
 *  6 close(fd)                                      ← `chunks` receives already made: resp full; end
 *  7 recvfrom(fd, cursor, chunk, 0, NULL, NULL)     STOP_ON_NON_POSITIVE|SKIP  next → 9
 *  8 close(fd)                                      ← peer closed (0) or error; end
 *  9 umem_add(&total, n)                            ← bytes received so far
 * 10 umem_add(&cursor, n)                                                      next → 5
 * ```
 *
 * The countdown starts at `chunks`; the values `chunks` - 1 … 0 let a receive happen and -1
 * stops, so exactly `chunks` receives are allowed. Reading the outcome: atom 8 executed means the
 * peer closed (atom 7 = 0) or a receive failed (atom 7 < 0); atom 6 executed means `chunks`
 * receives were made (none when `chunks` is 0) before the peer closed: `resp` is full and the
 * reply may be longer. Atom 7 not executed means no receive was allowed. Every path after a
 * successful socket ends in a close.
 *
 * Limits: one sendto, so a request larger than the socket buffer may go out partly (atom 3's
 * result says how much); a peer that neither replies nor closes keeps a cachemiss thread in
 * recvfrom until the engine closes.
 */
export const netRequest = defineBuiltinPlugin({
  name: 'net.request',
  description: 'socket + connect + sendto + recvfrom loop (at most chunks receives) until the peer closes, then close (IPv4 TCP)',
  params: { addr: 'uint', port: 'uint', req: 'ptr', reqLen: 'size', resp: 'ptr', chunk: 'size', chunks: 'uint' },
  cells: { total: 0, cursor: { param: 'resp' }, countdown: { param: 'chunks' } },
  scratch: {
    sockaddr: {
      size: SOCKADDR_IN_BYTES,
      fields: [
        { at: 0, width: 2, value: AF_INET },
        { at: 2, width: 2, param: 'port', byteOrder: 'big' },
        { at: 4, width: 4, param: 'addr', byteOrder: 'big' },
      ],
    },
  },
  atoms: [
    { call: 'socket', args: [AF_INET, SOCK_STREAM_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'connect', args: [{ result: 0 }, { scratch: 'sockaddr' }, SOCKADDR_IN_BYTES], flags: SKIP_ON_ERROR, next: 3 },
    { call: 'close', args: [{ result: 0 }], next: null },
    { call: 'sendto', args: [{ result: 0 }, { param: 'req' }, { param: 'reqLen' }, MSG_NOSIGNAL, 0, 0], flags: SKIP_ON_ERROR, next: 5 },
    { call: 'close', args: [{ result: 0 }], next: null },
    // Before each receive: umem_add returns the new count as a signed word, so chunks - 1 … 0 allow
    // a receive and -1 means `chunks` receives were made (chunks = 0: none at all). Close: resp full.
    { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 7 },
    { call: 'close', args: [{ result: 0 }], next: null },
    {
      call: 'recvfrom',
      args: [{ result: 0 }, { cell: 'cursor' }, { param: 'chunk' }, 0, 0, 0],
      flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 9,
    },
    { call: 'close', args: [{ result: 0 }], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: 7 }] },
    { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 7 }], next: 5 },
  ],
});
