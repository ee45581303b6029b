/**
 * The glibc binding the differential POSIX tests use as their oracle, and the shim's Aiocb, are
 * right: the layouts of engine/syscalls/aio-abi.ts (struct aiocb, struct sigevent, struct aioinit),
 * which both read, and the binding's constants are those of the C headers, printed by
 * test/fixtures/aio-header-probe.c built with gcc; a wrong offset there would make every glibc
 * result meaningless.
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
  const layouts = [['aiocb', binding.AIOCB], ['sigevent', binding.SIGEVENT], ['aioinit', binding.AIOINIT]] as const;
  for (const [struct, layout] of layouts) {
    for (const [member, offset] of Object.entries(layout)) {
      const fact = member === 'size' ? `sizeof_${struct}` : `${struct}_${member}`;
      assert.equal(offset, facts[fact], `struct ${struct} ${member}`);
    }
  }
  const constants = ['SIGEV_NONE', 'SIGEV_SIGNAL', 'SIGEV_THREAD', 'AIO_CANCELED', 'AIO_NOTCANCELED', 'AIO_ALLDONE', 'LIO_READ', 'LIO_WRITE', 'LIO_NOP', 'LIO_WAIT', 'LIO_NOWAIT', 'O_SYNC', 'O_DSYNC'] as const;
  for (const name of constants) assert.equal(binding[name], facts[name], name);
  // signal-recorder.c's records are read with these offsets (test/helpers/posix-os.ts).
  assert.deepEqual(
    [facts.sizeof_siginfo, facts.siginfo_signo, facts.siginfo_code, facts.siginfo_pid, facts.siginfo_uid, facts.siginfo_value],
    [128, 0, 8, 16, 20, 24],
    'siginfo_t layout',
  );
});
