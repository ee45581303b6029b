/**
 * net.request: a whole short TCP exchange as one syslet — "the socket+bind+connect+sendmsg+rcv
 * kind of complex setup things" Linus named in 2007 as what batching is for. The caller's thread
 * submits once; connect hands the chain to a cachemiss thread, which then does the rest.
 */
import {
  SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO,
} from '../../shim/atom.js';
import { definePlugin } from '../plugin.js';

/** AF_INET. */
export const AF_INET = 2;
/** SOCK_STREAM | SOCK_CLOEXEC. */
export const SOCK_STREAM_CLOEXEC = 1 | 0o2000000;
/** MSG_NOSIGNAL: a peer that went away gives EPIPE instead of killing the process with SIGPIPE. */
export const MSG_NOSIGNAL = 0x4000;
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
  /** recvfrom at the cursor: bytes received by the last call, 0 when the peer closed, or -errno. */
  recv: 5,
  /** close after the peer closed or a receive error (ends the chain). */
  closeAtEof: 6,
  /** umem_add on the total cell: bytes received so far (not executed: none). */
  total: 7,
  /** umem_add on the cursor cell: advances the write position in `resp`. */
  cursor: 8,
  /** umem_add(-1) on the countdown cell: receives left before `resp` is full. */
  countdown: 9,
  /** close after `chunks` receives (executed: the buffer filled before the peer closed). */
  closeWhenFull: 10,
} as const;

/**
 * ipv4 - an IPv4 address in dotted form as the host-order number `net.request`'s `addr` takes.
 * @throws RangeError when `text` is not four decimal octets.
 * @example ipv4('127.0.0.1') // → 0x7f000001
 */
export function ipv4(text: string): number {
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
 * recvfrom calls). `resp` must hold `chunk * chunks` bytes; as in file.readAll, the loop cannot
 * write past that. The sockaddr_in is built in scratch from `addr` and `port` (both stored
 * big-endian, as the kernel wants).
 *
 * ```
 *  0 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)   STOP_ON_NEGATIVE
 *  1 connect(fd, &sockaddr_in, 16)                  STOP_ON_NEGATIVE|SKIP  next → 3
 *  2 close(fd)                                      ← connect failed; end
 *  3 sendto(fd, req, reqLen, MSG_NOSIGNAL, NULL, 0) STOP_ON_NEGATIVE|SKIP  next → 5
 *  4 close(fd)                                      ← send failed; end
 *  5 recvfrom(fd, cursor, chunk, 0, NULL, NULL)     STOP_ON_NON_POSITIVE|SKIP  next → 7
 *  6 close(fd)                                      ← peer closed (0) or error; end
 *  7 umem_add(&total, n)                            ← bytes received so far
 *  8 umem_add(&cursor, n)
 *  9 umem_add(&countdown, -1)                       STOP_ON_ZERO|SKIP  next → 5
 * 10 close(fd)                                      ← `chunks` receives made; end
 * ```
 *
 * Limits: one sendto, so a request larger than the socket buffer may go out partly (atom 3's
 * result says how much); a peer that neither replies nor closes keeps a cachemiss thread in
 * recvfrom until the engine closes.
 */
export const netRequest = definePlugin({
  name: 'net.request',
  description: 'socket + connect + sendto + recvfrom loop until the peer closes, then close (IPv4 TCP)',
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
    {
      call: 'recvfrom',
      args: [{ result: 0 }, { cell: 'cursor' }, { param: 'chunk' }, 0, 0, 0],
      flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 7,
    },
    { call: 'close', args: [{ result: 0 }], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: 5 }] },
    { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 5 }] },
    { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 5 },
    { call: 'close', args: [{ result: 0 }] },
  ],
});
