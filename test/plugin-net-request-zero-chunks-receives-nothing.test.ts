/**
 * net.request checks its countdown just before each recvfrom, so `chunks` bounds the receives
 * exactly: with `chunks` = 0 no recvfrom runs at all (socket, connect, sendto, then atom 6 closes
 * the socket), and with `chunks` = 1 against a reply longer than `chunk` exactly one recvfrom runs.
 * The countdown used to be decremented after each receive and stopped only at 0, so `chunks` = 0
 * went 0 → -1 and never stopped: the receives were bounded by the peer closing alone and wrote
 * past resp + chunk × chunks. A `chunks` above 2^63 is negative once decremented: no receive.
 *
 * The servers below reply and then end their side, so a chain that kept receiving would still
 * finish (and fail the assertions) instead of hanging. A server socket's 'close' needs the
 * client's FIN (or RST), so it shows the chain closed its socket.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Engine } from '../engine/engine.js';
import { NOT_EXECUTED } from '../plugins/define.js';
import { ipv4, netRequest, REQUEST } from '../plugins/index.js';

const CHUNK = 4096;
const GUARD = 0xaa;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/**
 * A loopback server that answers the first bytes it receives with `reply` and ends its side.
 * `closed()` resolves once the n-th accepted connection is closed on both sides (the client's
 * close included), and rejects after 5 s if it was never accepted or never closed.
 */
async function replyServer(reply: Buffer) {
  const sockets: Socket[] = [];
  const closes: Promise<void>[] = [];
  // The chain may end before the server has even accepted its connection (its completions are
  // delivered within the turn that made the request): closed(n) waits for the n-th accept too.
  let accepted: () => void = () => {};
  const server = createServer((socket) => {
    sockets.push(socket);
    closes.push(new Promise((resolve) => socket.once('close', () => resolve())));
    accepted();
    // The client may close with the reply unread, which resets the connection: expected here.
    socket.on('error', () => {});
    socket.once('data', () => socket.end(reply));
  });
  const port = await listen(server);
  const closed = async (n: number): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`connection ${n} was never closed by the client`)), 5000);
    });
    try {
      while (closes[n] === undefined) await Promise.race([new Promise<void>((resolve) => (accepted = resolve)), timeout]);
      await Promise.race([closes[n], timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const stop = () => {
    for (const socket of sockets) socket.destroy();
    server.close();
  };
  return { port, closed, stop };
}

/**
 * A server replying 3 chunks + 100 bytes, an engine, a request in engine memory, a 4-chunk
 * region (resp, then guard bytes) and a net.request instance; `run(chunks)` fills the region
 * with GUARD, runs the chain against the server and waits for the client's close.
 */
async function fixture(t: TestContext) {
  const reply = randomBytes(3 * CHUNK + 100);
  const server = await replyServer(reply);
  const engine = new Engine();
  t.after(async () => {
    await engine.close();
    server.stop();
  });
  const request = Buffer.from('GET / HTTP/1.0\r\n\r\n');
  const req = engine.alloc(request.length);
  req.bytes.set(request);
  const region = engine.alloc(4 * CHUNK);
  const instance = netRequest.acquire(engine);
  t.after(() => instance.release());
  let connection = 0;
  const run = async (chunks: number | bigint) => {
    instance.reset();
    region.bytes.fill(GUARD);
    instance.setParams({
      addr: ipv4('127.0.0.1'), port: server.port, req: req.start, reqLen: request.length, resp: region.start, chunk: CHUNK, chunks,
    });
    const done = await engine.runChain(instance.first);
    await server.closed(connection++);
    return done;
  };
  return { reply, request, region, instance, run };
}

test('chunks = 0 receives nothing: resp and what follows it are untouched, and the socket is closed', async (t) => {
  // resp, then guard chunks: with chunks = 0 not one byte of any of it may be written.
  const { request, region, instance, run } = await fixture(t);

  const done = await run(0);
  // 0 1 3 5 6: socket, connect, sendto, countdown (-1: no receive allowed), close.
  assert.equal(done.atoms, 5);
  assert.equal(instance.indexOf(done.last), REQUEST.closeWhenFull);
  assert.equal(instance.result(REQUEST.connect), 0);
  assert.equal(instance.result(REQUEST.send), request.length);
  assert.equal(instance.result(REQUEST.countdown), -1);
  assert.equal(instance.result(REQUEST.closeWhenFull), 0, 'the socket was closed');
  assert.equal(instance.result(REQUEST.recv), NOT_EXECUTED, 'no recvfrom ran');
  assert.equal(instance.result(REQUEST.total), NOT_EXECUTED);
  assert.equal(instance.result(REQUEST.cursor), NOT_EXECUTED);
  assert.equal(instance.result(REQUEST.closeAtEof), NOT_EXECUTED);
  assert.equal(instance.cell('total'), 0);
  assert.equal(instance.cell('cursor'), region.start, 'the cursor never moved');
  assert.ok(region.bytes.every((byte) => byte === GUARD), 'nothing written in or after resp');

  // Above 2^63 the decremented count is a negative word at once: no receive either.
  for (const huge of [2n ** 63n + 1n, 2n ** 64n - 1n]) {
    const again = await run(huge);
    assert.equal(instance.indexOf(again.last), REQUEST.closeWhenFull, `chunks = ${huge}`);
    assert.equal(instance.result(REQUEST.closeWhenFull), 0, `chunks = ${huge}: the socket was closed`);
    assert.equal(instance.result(REQUEST.recv), NOT_EXECUTED, `chunks = ${huge}: no recvfrom ran`);
    assert.ok(region.bytes.every((byte) => byte === GUARD), `chunks = ${huge}: nothing written`);
  }
});

test('chunks = 1 against a reply longer than chunk makes exactly one receive of at most chunk bytes', async (t) => {
  // One chunk of resp, then guard chunks that must never be written.
  const { reply, region, instance, run } = await fixture(t);
  const done = await run(1);

  // 0 1 3 5 7 9 10 5 6: one receive, then the countdown refuses a second one and the socket closes.
  assert.equal(done.atoms, 9);
  assert.equal(instance.indexOf(done.last), REQUEST.closeWhenFull);
  assert.equal(instance.result(REQUEST.closeWhenFull), 0, 'the socket was closed');
  assert.equal(instance.result(REQUEST.countdown), -1, 'the second receive was refused');
  const received = Number(instance.result(REQUEST.recv));
  assert.ok(received > 0 && received <= CHUNK, `one receive of 1…${CHUNK} bytes, got ${received}`);
  assert.equal(instance.result(REQUEST.total), received);
  assert.equal(instance.cell('cursor'), region.start + received);
  assert.equal(instance.result(REQUEST.closeAtEof), NOT_EXECUTED, 'the loop did not run on to the peer closing');
  assert.deepEqual(Buffer.from(region.bytes.subarray(0, received)), reply.subarray(0, received));
  assert.ok(region.bytes.subarray(received).every((byte) => byte === GUARD), 'nothing written after the one receive');
});
