// The path helpers reject as node:fs/promises does: a missing file gives readFile's errno, code,
// syscall, path and message exactly; a directory gives readFile's EISDIR from the read (with the
// path, which Node leaves out); an aborted signal gives readFile's AbortError, reason as cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AbortError, copyFileSyslet, Engine, readFileInto, readFileSyslet, SyscallError } from '../index.js';

/** An error with the fields node:fs errors may carry. */
type FsLikeError = Error & Partial<Record<'errno' | 'code' | 'syscall' | 'path' | 'dest' | 'cause', unknown>>;

async function rejection(promise: Promise<unknown>): Promise<FsLikeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  throw new Error('expected a rejection');
}

const fields = (error: FsLikeError): object => ({
  errno: error.errno, code: error.code, syscall: error.syscall, path: error.path, hasDest: 'dest' in error, message: error.message,
});

test('a missing file: readFileSyslet, readFileInto and copyFileSyslet reject with readFile\'s fields', async (t) => {
  const engine = new Engine();
  const dir = await mkdtemp(path.join(tmpdir(), 'syslet-helper-errors-'));
  t.after(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });
  const missing = path.join(dir, 'missing');
  const node = await rejection(readFile(missing));
  // Each rejection is taken at once: one that settles while an earlier is awaited is not unhandled.
  const rejections = [readFileSyslet(engine, missing), readFileInto(engine, missing, Buffer.alloc(8)), copyFileSyslet(engine, missing, path.join(dir, 'copy'))].map(rejection);
  for (const pending of rejections) {
    const error = await pending;
    assert.ok(error instanceof SyscallError);
    assert.deepEqual(fields(error), fields(node));
  }
});

test('a directory: EISDIR from the read, with readFile\'s errno, code and syscall', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const node = await rejection(readFile(tmpdir()));
  const error = await rejection(readFileSyslet(engine, tmpdir()));
  assert.deepEqual([error.errno, error.code, error.syscall], [node.errno, node.code, node.syscall]);
  assert.equal(error.path, tmpdir());
  assert.equal(error.message, `${node.message} '${tmpdir()}'`);
});

test('an aborted signal: the helpers reject with readFile\'s AbortError, the reason as cause', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const reason = new Error('stop');
  const node = await rejection(readFile('/etc/hostname', { signal: AbortSignal.abort(reason) }));
  for (const promise of [
    readFileSyslet(engine, '/etc/hostname', undefined, { signal: AbortSignal.abort(reason) }),
    readFileInto(engine, '/etc/hostname', Buffer.alloc(8), { signal: AbortSignal.abort(reason) }),
    copyFileSyslet(engine, '/etc/hostname', '/nonexistent/x', 0o644, { signal: AbortSignal.abort(reason) }),
  ]) {
    const error = await rejection(promise);
    assert.ok(error instanceof AbortError);
    assert.deepEqual([error.name, error.code, error.message, error.cause], [node.name, node.code, node.message, reason]);
  }
});
