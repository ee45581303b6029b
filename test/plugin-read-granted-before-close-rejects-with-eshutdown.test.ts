/**
 * A whole-file read that was granted its request before the engine closed, and whose submission
 * the closed engine then refuses, rejects with a SyscallError: code ESHUTDOWN, errno -108,
 * syscall async_exec, as the other helpers' refused submissions do. It used to be a plain Error
 * with only a message ("plugin 'file.readFirst': submission refused (errno 108)") and a positive
 * number in it, which a caller branching on `code` could not tell from any other failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, readFileInto, SyscallError } from '../index.js';
import { beginRequest, Request, setRequestWindow } from '../plugins/requests.js';

test('a read granted before close and refused after rejects with ESHUTDOWN as a SyscallError', async () => {
  const engine = new Engine();
  setRequestWindow(engine, 1);
  // Hold the one place in the window, so that the read queues behind it.
  const holder = beginRequest(engine);
  assert.ok(holder instanceof Request);
  const read = readFileInto(engine, '/proc/self/exe', new Uint8Array(4096));
  // The read is granted now; it resumes, and submits, only after the close below.
  holder.end();
  // Its handler before the close is awaited: on the threads engine the close takes long enough
  // for the read to reject first, which would be an unhandled rejection.
  const rejected = assert.rejects(read, (error: unknown) => {
    assert.ok(error instanceof SyscallError, `a SyscallError, got ${String(error)}`);
    assert.equal(error.code, 'ESHUTDOWN');
    assert.equal(error.errno, -108);
    assert.equal(error.syscall, 'async_exec');
    return true;
  });
  await engine.close();
  await rejected;
});
