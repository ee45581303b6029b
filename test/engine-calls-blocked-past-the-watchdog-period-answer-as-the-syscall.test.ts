// A cachemiss thread's watchdog (engine/cachemiss-watchdog.ts) signals the thread every 100 ms
// while it may be blocked reading a FIFO or a socket, so that a terminated worker's threads
// return to JavaScript. The calls must answer exactly what the syscall answers when nothing
// interrupts it: a read of a FIFO whose writer comes 350 ms later gets the bytes (made again, as
// SA_RESTART would); an
// accept4 whose client connects 350 ms later gets the connection; a 350 ms nanosleep and a ppoll
// with a 350 ms timeout, which the kernel never restarts, run with the timer off and answer 0 —
// each compared with the same call made directly in a child process (no signals there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { closeSync, writeSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { openFifo, readWithLateWriter } from './helpers/fifo.js';
import { ChainBuilder } from '../engine/builder.js';

const LATE_MS = 350;

function threadsEngine(): Engine {
  return new Engine({ engine: 'threads', threads: 2 });
}

test('a FIFO read on a cachemiss thread waits past the watchdog period and gets the writer\'s bytes', async (t) => {
  const { fd } = openFifo(t);
  const engine = threadsEngine();
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const buffer = chain.buffer(16);
  const read = chain.atom('read', [fd, buffer, 16]);
  const started = performance.now();
  const timer = setTimeout(() => writeSync(fd, 'late bytes'), LATE_MS);
  t.after(() => clearTimeout(timer));
  await engine.runChain(chain.first);
  assert.ok(performance.now() - started >= LATE_MS - 20, 'the read waited for the writer');
  assert.equal(read.result.value, 10);
  assert.equal(Buffer.from(buffer.bytes.subarray(0, 10)).toString(), 'late bytes');
});

test('an accept4 on a cachemiss thread waits past the watchdog period and gets the connection', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  // The listening socket's own fd, blocking (a duplicate of Node's through /proc would share its
  // O_NONBLOCK): a socket of our own, bound and listening through a chain.
  const engine = threadsEngine();
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const AF_INET = 2;
  const SOCK_STREAM = 1;
  const sock = chain.atom('socket', [AF_INET, SOCK_STREAM, 0]);
  await engine.runChain(chain.first);
  const fd = Number(sock.result.value);
  assert.ok(fd >= 0, `socket: ${fd}`);
  t.after(() => closeSync(fd));
  using listen = new ChainBuilder(engine.memory);
  const address = listen.buffer(16);
  const view = new DataView(address.bytes.buffer, address.bytes.byteOffset, 16);
  view.setUint16(0, AF_INET, true);
  view.setUint32(4, 0x7f000001, false);
  const bound = listen.atom('bind', [fd, address, 16]);
  const listening = listen.atom('listen', [fd, 4]);
  const named = listen.buffer(16);
  const length = listen.buffer(4);
  new DataView(length.bytes.buffer, length.bytes.byteOffset, 4).setUint32(0, 16, true);
  listen.atom('getsockname', [fd, named, length]);
  await engine.runChain(listen.first);
  assert.deepEqual([bound.result.value, listening.result.value], [0, 0]);
  const port = new DataView(named.bytes.buffer, named.bytes.byteOffset, 16).getUint16(2, false);
  using accept = new ChainBuilder(engine.memory);
  const accepted = accept.atom('accept4', [fd, 0, 0, 0]);
  const started = performance.now();
  let client: ReturnType<typeof connect> | undefined;
  const timer = setTimeout(() => { client = connect(port, '127.0.0.1'); client.on('error', () => {}); }, LATE_MS);
  t.after(() => { clearTimeout(timer); client?.destroy(); });
  await engine.runChain(accept.first);
  assert.ok(performance.now() - started >= LATE_MS - 20, 'accept4 waited for the client');
  const connection = Number(accepted.result.value);
  assert.ok(connection >= 0, `accept4: ${connection}`);
  closeSync(connection);
  assert.equal((server.address() as AddressInfo).family, 'IPv4');
});

/** What nanosleep(350 ms) and ppoll(a FIFO nobody writes, 350 ms) answer in a C program. */
function directAnswers(fifo: string): Promise<string> {
  const source = join(fifo, '..', 'direct.c');
  const binary = join(fifo, '..', 'direct');
  execFileSync('sh', ['-c', `cat > ${source} <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
int main(int argc, char **argv) {
  struct timespec ts = { 0, ${LATE_MS} * 1000000L };
  int slept = nanosleep(&ts, NULL);
  struct pollfd p = { open(argv[1], O_RDWR), POLLIN, 0 };
  int polled = ppoll(&p, 1, &ts, NULL);
  printf("%d %d\\n", slept, polled);
  return 0;
}
EOF
gcc -O2 -o ${binary} ${source}`]);
  return new Promise((resolve, reject) => execFile(binary, [fifo], (error, stdout) => (error === null ? resolve(stdout.trim()) : reject(new Error(`${binary}: ${error.message}`)))));
}

test('a 350 ms nanosleep and ppoll on a cachemiss thread run with the watchdog off and answer as the syscall', async (t) => {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('gcc is not installed');
    return;
  }
  const { fifo, fd } = openFifo(t);
  // One thread: the read that blocks first starts its watchdog, which must then be off for the sleeps.
  const engine = new Engine({ engine: 'threads', threads: 1 });
  t.after(() => engine.close());
  assert.equal(await readWithLateWriter(t, engine, fd, 'x', 150), 1);
  using chain = new ChainBuilder(engine.memory);
  const timeout = chain.buffer(16);
  new DataView(timeout.bytes.buffer, timeout.bytes.byteOffset, 16).setBigInt64(8, BigInt(LATE_MS) * 1_000_000n, true);
  const fds = chain.buffer(8);
  const pollfd = new DataView(fds.bytes.buffer, fds.bytes.byteOffset, 8);
  pollfd.setInt32(0, fd, true);
  pollfd.setInt16(4, 1, true);
  const slept = chain.atom('nanosleep', [timeout, 0]);
  const polled = chain.atom('ppoll', [fds, 1, timeout, 0, 8]);
  const started = performance.now();
  await engine.runChain(chain.first);
  const elapsed = performance.now() - started;
  assert.equal(`${String(slept.result.value)} ${String(polled.result.value)}`, await directAnswers(fifo));
  assert.ok(elapsed >= 2 * LATE_MS - 20, `both waited their full time (${elapsed.toFixed(0)} ms)`);
});
