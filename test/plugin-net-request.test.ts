/**
 * net.request against a real node:net server on 127.0.0.1: the sockaddr_in built from plain
 * `addr`/`port` parameters (stored big-endian), the whole request sent, the reply read in a
 * recvfrom loop (each receive allowed by the countdown checked before it) until the server
 * closes, and the socket closed — or, with nobody listening, ECONNREFUSED from connect and the
 * socket still closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Engine } from '../engine/engine.js';
import { ipv4, netRequest, REQUEST } from '../plugins/index.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

test('net.request sends a request over loopback and reads the reply until the server closes', async (t) => {
  const received: Buffer[] = [];
  const reply = Buffer.from('HTTP/1.0 200 OK\r\n\r\n' + 'y'.repeat(20_000));
  const server = createServer((socket) => {
    socket.once('data', (data) => {
      received.push(data);
      socket.end(reply);
    });
  });
  const port = await listen(server);
  const engine = new Engine();
  t.after(async () => {
    await engine.close();
    server.close();
  });
  const request = Buffer.from('GET / HTTP/1.0\r\n\r\n');
  const memory = engine.alloc(4096 + 8 * 4096);
  memory.bytes.set(request);
  const resp = memory.start + 4096;
  const outcome = await netRequest.run(engine, {
    addr: ipv4('127.0.0.1'), port, req: memory.start, reqLen: request.length, resp, chunk: 4096, chunks: 8,
  });
  assert.equal(outcome.atoms[REQUEST.connect]?.result, 0);
  assert.equal(outcome.atoms[REQUEST.send]?.result, request.length);
  assert.equal(outcome.atoms[REQUEST.recv]?.result, 0, 'the loop ended when the server closed');
  assert.equal(outcome.atoms[REQUEST.total]?.result, reply.length);
  assert.equal(outcome.atoms[REQUEST.closeAtEof]?.result, 0);
  assert.equal(outcome.atoms[REQUEST.closeWhenFull]?.executed, false, 'resp (8 chunks) had room for the whole reply');
  assert.ok(Number(outcome.atoms[REQUEST.countdown]?.result) >= 0, 'each receive made was allowed by the countdown before it');
  assert.equal(outcome.mode, 'cachemiss', 'connect hands the chain to a cachemiss thread');
  assert.deepEqual(Buffer.concat(received), request);
  assert.deepEqual(Buffer.from(memory.bytes.subarray(4096, 4096 + reply.length)), reply);
});

test('net.request with nobody listening fails in connect and still closes the socket', async (t) => {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const engine = new Engine();
  t.after(() => engine.close());
  const memory = engine.alloc(4096);
  const outcome = await netRequest.run(engine, { addr: ipv4('127.0.0.1'), port, req: memory.start, reqLen: 1, resp: memory.start, chunk: 1024, chunks: 1 });
  assert.equal(outcome.atoms[REQUEST.connect]?.errno, 'ECONNREFUSED');
  assert.equal(outcome.atoms[REQUEST.closeAfterConnect]?.result, 0);
  assert.equal(outcome.atoms[REQUEST.send]?.executed, false);
  assert.equal(outcome.stop, 'end');
});

test('ipv4 turns dotted quads into host-order numbers and rejects anything else', () => {
  assert.equal(ipv4('127.0.0.1'), 0x7f000001);
  assert.equal(ipv4('255.255.255.255'), 0xffffffff);
  for (const bad of ['1.2.3', '256.0.0.1', 'a.b.c.d', '1.2.3.4.5', '']) assert.throws(() => ipv4(bad), RangeError, bad);
});
