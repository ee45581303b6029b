/**
 * For the user porting C code that uses POSIX AIO: the classic glibc loop (keep QD aio_reads in
 * flight, aio_suspend until one completes, aio_error/aio_return it, resubmit at the next offset)
 * ported line by line. Each C line is in the comment above its TypeScript twin, so the two can be
 * read side by side; what changes is only spelling: `struct aiocb` is `new Aiocb({...})`, `errno`
 * is `errno()`, `NULL` is `null`, a `struct timespec` is `{ tv_sec, tv_nsec }`.
 *
 * Then the same read once more with the Promise twin (`aio.read`), which does not block the event
 * loop and rejects with a typed error instead of returning -1.
 *
 * Run: node --import tsx examples/posix-aio-port.ts [file]
 * (without a file, it writes a 5.03-block file of known bytes to a temporary directory and reads that.)
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Aiocb, aio, aio_error, aio_read, aio_return, aio_suspend, AioError, errno, errnoMessage, errnoName, EINPROGRESS, EINTR, SIGEV_NONE,
} from '../index.js';

// #define QD 8
// #define BS 4096
const QD = 8;
const BS = 4096;

/** The C program's main(), returning the byte total it prints. */
function readWholeFile(path: string): number {
  // int fd = open(argv[1], O_RDONLY);
  const fd = openSync(path, 'r');
  try {
    // struct aiocb cbs[QD]; const struct aiocb *list[QD]; off_t next = 0, total = 0; int active = 0;
    const cbs: Aiocb[] = [];
    const list: (Aiocb | null)[] = [];
    let next = 0;
    let total = 0;
    let active = 0;

    // for (int i = 0; i < QD; i++) {
    for (let i = 0; i < QD; i++) {
      // memset(&cbs[i], 0, ...); cbs[i].aio_fildes = fd; .aio_buf = bufs[i]; .aio_nbytes = BS;
      // .aio_offset = next; .aio_sigevent.sigev_notify = SIGEV_NONE;
      // The Aiocb is zeroed native memory in glibc's x86-64 layout; aio_buf keeps the Buffer alive.
      const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(BS), aio_nbytes: BS, aio_offset: next, aio_sigevent: { sigev_notify: SIGEV_NONE } });
      next += BS;
      // if (aio_read(&cbs[i]) == -1) { perror("aio_read"); return 1; }
      if (aio_read(cb) === -1) throw new Error(`aio_read: ${errnoName(errno())}`);
      // list[i] = &cbs[i]; active++;
      cbs.push(cb);
      list.push(cb);
      active++;
    }

    // while (active > 0) {
    while (active > 0) {
      // struct timespec timeout = { 5, 0 };
      // if (aio_suspend(list, QD, &timeout) == -1 && errno != EINTR) { perror("aio_suspend"); return 1; }
      // Like C, this blocks the JS thread; the cachemiss threads keep working meanwhile.
      if (aio_suspend(list, QD, { tv_sec: 5, tv_nsec: 0 }) === -1 && errno() !== EINTR) throw new Error(`aio_suspend: ${errnoName(errno())}`);
      // for (int i = 0; i < QD; i++) {
      for (let i = 0; i < QD; i++) {
        const cb = list[i];
        // if (list[i] == NULL || aio_error(list[i]) == EINPROGRESS) continue;
        if (cb == null || aio_error(cb) === EINPROGRESS) continue;
        // int err = aio_error(list[i]); ssize_t n = aio_return(&cbs[i]);
        const err = aio_error(cb);
        const n = aio_return(cb);
        // if (err != 0) { fprintf(stderr, "read: %s\n", strerror(err)); return 1; }
        if (err !== 0) throw new Error(`read: ${errnoMessage(err)}`);
        // total += n;
        total += n;
        // if (n < BS) { list[i] = NULL; active--; continue; }   /* end of file */
        if (n < BS) {
          list[i] = null;
          active--;
          continue;
        }
        // cbs[i].aio_offset = next; next += BS;
        cb.aio_offset = next;
        next += BS;
        // if (aio_read(&cbs[i]) == -1) { perror("aio_read"); return 1; }
        if (aio_read(cb) === -1) throw new Error(`aio_read: ${errnoName(errno())}`);
      }
    }
    return total;
  } finally {
    // close(fd) — every request has completed (active == 0), so no chain still reads from it.
    closeSync(fd);
  }
}

async function main(): Promise<void> {
  const dir = process.argv[2] === undefined ? mkdtempSync(join(tmpdir(), 'syslet-aio-port-')) : null;
  try {
    let path = process.argv[2];
    if (path === undefined) {
      // Five whole blocks and a partial sixth, so the loop sees full reads, a short read and EOF.
      path = join(dir as string, 'data.bin');
      writeFileSync(path, Buffer.alloc(5 * BS + 123, 0x61));
    }
    // printf("%lld bytes\n", (long long)total);
    console.log(`${readWholeFile(path)} bytes`);

    // The same first block with the Promise twin: awaited, not polled, and the event loop stays free.
    const fd = openSync(path, 'r');
    const n = await aio.read(fd, Buffer.alloc(BS), 0);
    closeSync(fd);
    console.log(`aio.read: ${n} bytes`);

    // Failures reject with a typed error carrying the errno, where C would return -1 and set errno.
    try {
      await aio.read(fd, Buffer.alloc(BS), 0); // fd is closed now
    } catch (error) {
      if (!(error instanceof AioError)) throw error;
      console.log(`aio.read on a closed fd: ${error.code} (errno ${error.errnum})`);
    }
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
