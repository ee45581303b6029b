/**
 * A writeFile of more than a request slot's data (64 KiB) is node:fs/promises' own writeFile
 * (session 32, docs/fs.md "smallwrite32"). On ext4 such a write can only be made on another
 * thread, and the one chain syslet-aio/fs made of it (open, fstat, a pwritev2 probe, the ring's
 * write, close on the calling thread, whose writeback start alone took ~110 µs a MiB) cost the
 * event loop's thread 2–3× Node's for the same wall time (128 KiB on io_uring: 431 against 222 µs
 * a call). Up to a slot's data the syslet path is faster and stays.
 *
 * Checked by what the call is, not by timing it (a unit test on a shared machine must not time):
 * Node's writeFile makes libuv requests — async resources of type FILEHANDLE and FSREQPROMISE,
 * seen by an async_hooks init hook — and the syslet path makes none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sysletFs from '../fs/index.js';
import { scratch } from './helpers/fs-implementations.js';

const SLOT_BYTES = 64 * 1024;

/** The libuv fs requests made while `call` ran (async resources that only node:fs makes). */
async function libuvRequests(call: () => Promise<unknown>): Promise<number> {
  let requests = 0;
  const hook = createHook({ init(_id, type) { if (type === 'FSREQPROMISE' || type === 'FILEHANDLE') requests++; } });
  hook.enable();
  try {
    await call();
  } finally {
    hook.disable();
  }
  return requests;
}

test('writeFile and appendFile of more than 64 KiB are node:fs calls; up to 64 KiB they are not', async (t) => {
  const dir = scratch(t, 'fs-large-writefile-node');
  const file = join(dir, 'data');
  for (const [bytes, byNode] of [[SLOT_BYTES, false], [SLOT_BYTES + 1, true], [1024 * 1024, true]] as const) {
    const data = Buffer.alloc(bytes, bytes & 0xff);
    // The first call starts the shared engine; the one measured is the second.
    await sysletFs.writeFile(file, data);
    const writes = await libuvRequests(() => sysletFs.writeFile(file, data));
    assert.equal(writes > 0, byNode, `writeFile of ${bytes} bytes: ${writes} libuv requests`);
    assert.deepEqual(readFileSync(file), data);
    const appends = await libuvRequests(() => sysletFs.appendFile(file, data));
    assert.equal(appends > 0, byNode, `appendFile of ${bytes} bytes: ${appends} libuv requests`);
    assert.deepEqual(readFileSync(file), Buffer.concat([data, data]));
  }
});
