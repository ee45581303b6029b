/**
 * Signals the program handles itself (process.on listeners for SIGUSR2, SIGWINCH and SIGALRM,
 * sent by another process as fast as it can, and SIGCHLD from child processes exiting) change no
 * answer: aio.read of a cached file, a blocking aio_suspend loop (with and without a timeout) on
 * the JS thread, and syslet-aio/fs readFile/stat/realpath of files, links and a missing path
 * running together; every read holds the file's bytes, every fs answer (errors field by field)
 * equals node:fs/promises's for the same path at the same moment, and no wait ends with an error.
 *
 * hunt24 (session 24): 100 runs per engine of 0.7 s each, every fourth with the page cache
 * dropped first, 7,000–35,000 calls a run beside 3,000–15,000 signals of each kind: 0
 * differences, 0 aio_suspend errors. Each run here is a child process with a time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;
const FS = new URL('../fs.ts', import.meta.url).href;

const source = (dir: string): string => `
import { openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as nfs from 'node:fs/promises';
import { aio, Aiocb, aio_read, aio_error, aio_return, aio_suspend, EINPROGRESS, errno, errnoName } from ${JSON.stringify(INDEX)};
import * as sfs from ${JSON.stringify(FS)};
const dir = ${JSON.stringify(dir)};
const data = readFileSync(dir + '/big');
const fd = openSync(dir + '/big', 'r');
const got = { USR2: 0, WINCH: 0, ALRM: 0, children: 0 };
process.on('SIGUSR2', () => got.USR2++);
process.on('SIGWINCH', () => got.WINCH++);
process.on('SIGALRM', () => got.ALRM++);
const sender = spawn('bash', ['-c', 'while kill -0 ' + process.pid + ' 2>/dev/null; do kill -USR2 ' + process.pid + '; kill -WINCH ' + process.pid + '; kill -ALRM ' + process.pid + '; done'], { stdio: 'ignore' });
let stop = false;
setTimeout(() => { stop = true; }, 700);
let ops = 0;
const wrong = [];
const waitErrors = {};
(async () => { while (!stop) { await new Promise((resolve) => spawn('true').on('close', resolve)); got.children++; } })();
async function aioLane(k) {
  while (!stop) {
    const at = ((ops++ * 7919 + k * 131) % 250) * 4096 + (ops % 4096);
    const buffer = Buffer.alloc(8192);
    const n = await aio.read(fd, buffer, at);
    if (n !== 8192 || !buffer.equals(data.subarray(at, at + 8192))) wrong.push('aio.read at ' + at + ': ' + n);
  }
}
async function fsLane(k) {
  const paths = [dir + '/f' + k, dir + '/l' + k, dir + '/missing' + k];
  const answer = async (fs, path) => (await Promise.allSettled([fs.readFile(path), fs.stat(path), fs.realpath(path)])).map((r, i) =>
    r.status === 'rejected' ? [r.reason.code, r.reason.errno, r.reason.syscall, r.reason.path, r.reason.message].join('|')
      : i === 0 ? r.value.toString('base64') : i === 1 ? r.value.ino + ':' + r.value.size + ':' + r.value.mtimeMs : r.value).join(' ');
  while (!stop) {
    const path = paths[ops++ % 3];
    const [mine, node] = await Promise.all([answer(sfs, path), answer(nfs, path)]);
    if (mine !== node) wrong.push(path + ': ' + mine.slice(0, 100) + ' / node: ' + node.slice(0, 100));
  }
}
async function suspendLane() {
  while (!stop) {
    const cbs = Array.from({ length: 16 }, (_, j) => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: ((ops * 31 + j * 97) % 250) * 4096 + 7 }));
    ops++;
    for (const cb of cbs) if (aio_read(cb) === -1) wrong.push('aio_read: ' + errnoName(errno()));
    for (const [j, cb] of cbs.entries()) {
      while (aio_error(cb) === EINPROGRESS) {
        if (aio_suspend([cb], 1, j % 2 === 1 ? null : { tv_sec: 0, tv_nsec: 1_000_000 }) === -1) {
          const name = errnoName(errno());
          waitErrors[name] = (waitErrors[name] ?? 0) + 1;
        }
      }
      const n = aio_return(cb);
      if (n !== 4096 || !cb.aio_buf.equals(data.subarray(cb.aio_offset, cb.aio_offset + 4096))) wrong.push('aio_read at ' + cb.aio_offset + ': ' + n);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
await Promise.all([...Array.from({ length: 6 }, (_, k) => aioLane(k)), ...Array.from({ length: 6 }, (_, k) => fsLane(k)), suspendLane()]);
sender.kill();
console.log(JSON.stringify({ ops, got, wrong: wrong.slice(0, 5), wrongCount: wrong.length, waitErrors }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine}: aio.read, aio_suspend and syslet-aio/fs answer as without signals while handled signals and SIGCHLD keep arriving`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-signal-hail-'));
    try {
      writeFileSync(join(dir, 'big'), randomBytes(1 << 20));
      mkdirSync(join(dir, 'sub'));
      for (let k = 0; k < 6; k++) {
        writeFileSync(join(dir, 'sub', `t${k}`), randomBytes(100 + k * 5000));
        symlinkSync(join(dir, 'sub', `t${k}`), join(dir, `f${k}`));
        symlinkSync(`f${k}`, join(dir, `l${k}`));
      }
      const child = await runChild(source(dir), 30_000, { env: { SYSLET_AIO_ENGINE: engine } });
      assert.equal(child.timedOut, false, child.stderr);
      assert.equal(child.code, 0, child.stderr);
      const got = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as {
        ops: number; got: Record<string, number>; wrong: string[]; wrongCount: number; waitErrors: Record<string, number>;
      };
      assert.deepEqual(got.wrong, [], `${got.wrongCount} wrong answers`);
      assert.deepEqual(got.waitErrors, {});
      assert.ok(got.ops > 100, `only ${got.ops} calls ran`);
      // The run means something only if the signals did arrive during it.
      assert.ok((got.got.USR2 ?? 0) > 10 && (got.got.WINCH ?? 0) > 10 && (got.got.ALRM ?? 0) > 10, JSON.stringify(got.got));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
