/**
 * receiveSignals refuses signals 32 and 33 with a RangeError naming `signo`, as glibc's sigaction
 * refuses them (EINVAL): they are glibc's SIGCANCEL and SIGSETXID, and blocking them in the JS
 * thread, as receiveSignals blocks its signal, would make process.setuid() and every other set*id
 * call of the process wait for ever (glibc's broadcast waits for each thread to take 33). The
 * first signal an application may use stays SIGRTMIN (34).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { receiveSignals, SIGRTMIN } from '../index.js';

test('receiveSignals refuses glibc\'s reserved signals 32 and 33 and takes SIGRTMIN', () => {
  for (const signo of [32, 33]) {
    assert.throws(() => receiveSignals(signo, () => undefined), (error: unknown) => error instanceof RangeError && /signo/.test(error.message) && error.message.includes(String(signo)), `signal ${signo}`);
  }
  const receiver = receiveSignals(SIGRTMIN, () => undefined);
  receiver.dispose();
  assert.equal(SIGRTMIN, 34);
});
