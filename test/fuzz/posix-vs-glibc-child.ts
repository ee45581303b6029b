/**
 * The child process of the POSIX-vs-glibc differential fuzz: runs each sequence of the JSON file
 * named on its command line against the implementation POSIX_IMPL names (glibc or syslet), one
 * after another in this process, and prints one `PVG {result}` line per sequence. A fresh
 * process per batch (not per sequence) keeps thousands of sequences affordable; every sequence
 * ends with all its requests final and its fds closed, so the next one starts clean.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { implementation, type ImplName } from '../helpers/posix-impl.js';
import type { Sequence } from './posix-vs-glibc-gen.js';
import { runSequence } from './posix-vs-glibc-run.js';

const name = process.env.POSIX_IMPL as ImplName;
const seqs = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Sequence[];
const impl = await implementation(name);
// Helper threads that never idle out: glibc now and then left a request queued and never run when
// a sequence submitted while its idle helpers were timing out (all threads in futex waits, the
// request EINPROGRESS for ever; 4 of 20 sequences of a batch, never when run alone). The same
// aio_init in both children, so the comparison stays even.
impl.aio_init({ aio_threads: 20, aio_num: 64, aio_idle_time: 3600 });
let index = 0;
for (const seq of seqs) {
  const dir = join(tmpdir(), `syslet-pvg-${process.pid}-${index++}`);
  try {
    const result = await runSequence(impl, seq, dir);
    process.stdout.write(`PVG ${JSON.stringify(result)}\n`);
  } catch (error) {
    process.stdout.write(`PVG ${JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) })}\n`);
  }
}
// A C test returns from main whatever its helper threads are doing; so does this child.
process.exit(0);
