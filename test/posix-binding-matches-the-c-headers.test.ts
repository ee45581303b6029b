/**
 * The glibc binding the differential POSIX tests use as their oracle is right: the layouts
 * engine/native/glibc-aio.ts hard-codes (struct aiocb, struct sigevent, struct aioinit) and its
 * constants are those of the C headers, printed by test/fixtures/aio-header-probe.c built with
 * gcc; a wrong offset there would make every glibc result meaningless.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as binding from '../engine/native/glibc-aio.js';
import { hasGcc, headerFacts } from './helpers/posix-os.js';

test('engine/native/glibc-aio.ts layouts and constants match the C headers', (t) => {
  if (!hasGcc()) {
    t.skip('gcc is not installed');
    return;
  }
  const facts = headerFacts();
  assert.equal(binding.AIOCB_SIZE, facts.sizeof_aiocb, 'sizeof(struct aiocb)');
  for (const [field, offset] of Object.entries(binding.AIOCB_OFFSET)) assert.equal(offset, facts[`aiocb_${field}`], `aiocb ${field}`);
  assert.equal(binding.SIGEVENT_SIZE, facts.sizeof_sigevent, 'sizeof(struct sigevent)');
  for (const [field, offset] of Object.entries(binding.SIGEVENT_OFFSET)) assert.equal(offset, facts[`sigevent_${field}`], `sigevent ${field}`);
  assert.equal(binding.AIOINIT_SIZE, facts.sizeof_aioinit, 'sizeof(struct aioinit)');
  for (const [field, offset] of Object.entries(binding.AIOINIT_OFFSET)) assert.equal(offset, facts[`aioinit_${field}`], `aioinit ${field}`);
  const constants = ['SIGEV_NONE', 'SIGEV_SIGNAL', 'SIGEV_THREAD', 'AIO_CANCELED', 'AIO_NOTCANCELED', 'AIO_ALLDONE', 'LIO_READ', 'LIO_WRITE', 'LIO_NOP', 'LIO_WAIT', 'LIO_NOWAIT', 'O_SYNC', 'O_DSYNC'] as const;
  for (const name of constants) assert.equal(binding[name], facts[name], name);
  // signal-recorder.c's records are read with these offsets (test/helpers/posix-os.ts).
  assert.deepEqual(
    [facts.sizeof_siginfo, facts.siginfo_signo, facts.siginfo_code, facts.siginfo_pid, facts.siginfo_uid, facts.siginfo_value],
    [128, 0, 8, 16, 20, 24],
    'siginfo_t layout',
  );
});
