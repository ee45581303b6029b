// ppoll(fds, 1, {0, 0}, &emptyset, 8) with every pointer in engine memory is the kernel's answer,
// not -EFAULT (issue 15 item 11: the sigmask's length was taken from the pointer argument). The
// fd is /dev/null, readable at once, so the answer is 1 with POLLIN in revents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';

const POLLIN = 1;
const SIGSET_BYTES = 8; // the kernel's sigset_t on x86-64

test('ppoll with a sigmask of sigsetsize bytes runs', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const fd = openSync('/dev/null', 'r');
  t.after(() => closeSync(fd));
  using chain = new ChainBuilder(engine.memory);
  const fds = chain.buffer(8);
  const pollfd = new DataView(fds.bytes.buffer, fds.bytes.byteOffset, 8);
  pollfd.setInt32(0, fd, true);
  pollfd.setInt16(4, POLLIN, true);
  const timeout = chain.buffer(16); // { 0, 0 }: do not wait
  const sigmask = chain.buffer(SIGSET_BYTES); // the empty set
  const poll = chain.atom('ppoll', [fds, 1, timeout, sigmask, SIGSET_BYTES]);
  await engine.runChain(chain.first);
  assert.equal(poll.result.value, 1);
  assert.equal(pollfd.getInt16(6, true) & POLLIN, POLLIN, 'revents says readable');
});

test('a sigmask that runs past its region is still -EFAULT', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 512 });
  const fds = chain.buffer(8);
  const timeout = chain.buffer(16);
  const end = chain.region.end;
  const poll = chain.atom('ppoll', [fds, 0, timeout, { address: end - 4 }, SIGSET_BYTES]);
  await engine.runChain(chain.first);
  assert.equal(poll.result.value, -14);
});
