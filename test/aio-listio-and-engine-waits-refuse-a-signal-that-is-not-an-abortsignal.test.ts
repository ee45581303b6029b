/**
 * Every call that takes `{ signal }` refuses one that is not an AbortSignal as Node does (TypeError
 * ERR_INVALID_ARG_TYPE naming `options.signal`) before it starts anything: `aio.listio`,
 * `engine.asyncWait` and `engine.completions` (hunt19 found `aio.suspend` and `plugin.run` taking
 * such a signal, failing with an uncoded TypeError and then killing the process from the
 * completion that removed its listener; these three took it the same way).
 *
 * Differential in spirit: `node:fs/promises` readFile with `{ signal: 'x' }` gives the same code
 * and message shape, compared here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { aio, Aiocb, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS, Engine, LIO_READ } from '../index.js';
import { openPipe } from './helpers/pipe.js';
import { closeFd, rawWrite } from './aio-fixture.js';

const BAD_SIGNALS: readonly unknown[] = ['x', 1, {}, { aborted: false }];

async function refusal(call: () => Promise<unknown>): Promise<{ name: string; code: unknown; message: string }> {
  try {
    await call();
  } catch (error) {
    const e = error as Error & { code?: unknown };
    return { name: e.name, code: e.code, message: e.message };
  }
  return { name: 'resolved', code: undefined, message: '' };
}

test('aio.listio, engine.asyncWait and engine.completions refuse a signal that is not an AbortSignal, as node:fs does', async () => {
  const node = await refusal(() => readFile('/etc/hostname', { signal: 'x' as unknown as AbortSignal }));
  assert.equal(node.code, 'ERR_INVALID_ARG_TYPE');
  const { reader, writer } = openPipe();
  const engine = new Engine();
  try {
    for (const bad of BAD_SIGNALS) {
      const cb = new Aiocb({ aio_fildes: reader, aio_buf: Buffer.alloc(4), aio_lio_opcode: LIO_READ });
      const outcomes = [
        await refusal(() => aio.listio([cb], { signal: bad as AbortSignal })),
        await refusal(() => engine.asyncWait(0, { signal: bad as AbortSignal })),
        await refusal(() => engine.completions({ signal: bad as AbortSignal }).next()),
      ];
      for (const outcome of outcomes) {
        assert.equal(outcome.name, 'TypeError', `${JSON.stringify(bad)}: ${JSON.stringify(outcome)}`);
        assert.equal(outcome.code, node.code, JSON.stringify(outcome));
        assert.match(outcome.message, /^The "options\.signal" property must be an instance of AbortSignal\./);
      }
      // Refused before anything started: the entry was never submitted.
      assert.equal(aio_error(cb), 0, 'the listio entry never ran');
    }
    // The pipe still works for a request made properly (nothing was left reading it).
    const cb = new Aiocb({ aio_fildes: reader, aio_buf: Buffer.alloc(4) });
    assert.equal(aio_read(cb), 0);
    assert.equal(rawWrite(writer, Buffer.from('abcd')), 4);
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
    assert.equal(aio_return(cb), 4);
    assert.equal((cb.aio_buf as Buffer).toString(), 'abcd');
  } finally {
    await engine.close();
    closeFd(reader);
    closeFd(writer);
  }
});
