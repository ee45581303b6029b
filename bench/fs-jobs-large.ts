/**
 * The large-I/O jobs of `npm run bench:fs`: FileHandle.read of 4 KiB at QD64 from a big cached
 * file (issue 18), and large writes one at a time (QD1), as a program copying, logging or saving
 * big buffers makes them: FileHandle.write of 256 KiB and writeFile of 1 MiB.
 */
import crypto from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { warmFile } from './dataset.js';
import type { Files, Job, Sizes } from './fs-jobs-types.js';

const QUEUE_DEPTH = 64;
const BLOCK = 4096;
/** The large-write row's buffer: above a request's slot, so the engine uses the caller's buffer in place. */
const LARGE_WRITE = 256 << 10;
/** The large writeFile row's buffer. */
const LARGE_FILE = 1 << 20;
/**
 * The bytes the large-write row writes over and over (its positions wrap): the page cache's
 * pages of one file overwritten, so that the row times the writes, not the dirty-page throttling
 * of a file growing by gigabytes a run.
 */
const LARGE_WRITE_SPAN = 64 << 20;
/**
 * Untimed runs before the large rows' rounds: 10,000 writes or so, after which V8 has compiled
 * the library's path (docs/performance.md, session 29: 216 functions optimized during the first
 * thousands of writes; 3,000 writes after 200 cost 150 µs each against 42–47 µs of CPU after
 * 10,000). Node's path is C++ and needs none; both get the same warm-up.
 */
const LARGE_WARM_RUNS = 5;

/** largeJobs - the FileHandle.read row and the large-write rows on `files`. */
export function largeJobs(files: Files, sizes: Sizes): Job[] {
  const positions = Array.from({ length: sizes.reads }, (_, i) => ((i * 2654435761) % Math.floor(sizes.bigFileBytes / BLOCK)) * BLOCK);
  const largeBuffer = crypto.randomBytes(LARGE_WRITE);
  const fileBuffer = crypto.randomBytes(LARGE_FILE);
  const writeTarget = path.join(files.writeDir, 'large-writes.bin');
  const fileTarget = path.join(files.writeDir, 'large-file.bin');
  const span = Math.min(LARGE_WRITE_SPAN, sizes.bigFileBytes);
  const warmRuns = sizes.largeWrites >= 1000 ? LARGE_WARM_RUNS : 1;
  return [
    {
      name: `FileHandle.read 4 KiB at QD${QUEUE_DEPTH}, ${sizes.reads} reads, warm`,
      before: () => warmFile(files.big),
      run: async (fs) => {
        const handle = await fs.open(files.big, 'r');
        try {
          let next = 0;
          const lane = async (): Promise<void> => {
            const buffer = Buffer.alloc(BLOCK);
            while (next < positions.length) {
              const position = positions[next++] as number;
              const { bytesRead } = await handle.read(buffer, 0, BLOCK, position);
              if (bytesRead !== BLOCK) throw new Error(`short read at ${position}: ${bytesRead}`);
            }
          };
          await Promise.all(Array.from({ length: QUEUE_DEPTH }, lane));
        } finally {
          await handle.close();
        }
      },
    },
    {
      name: `FileHandle.write 256 KiB at QD1, ${sizes.largeWrites} writes`,
      warmRuns,
      // The file exists before the first run and is never truncated: each run overwrites the
      // same span in the page cache (ext4 starts writeback at the close of a file truncated to 0
      // and rewritten, auto_da_alloc, which would time the disk).
      before: () => closeSync(openSync(writeTarget, 'a')),
      run: async (fs) => {
        const handle = await fs.open(writeTarget, 'r+');
        try {
          for (let i = 0; i < sizes.largeWrites; i++) {
            const { bytesWritten } = await handle.write(largeBuffer, 0, LARGE_WRITE, (i * LARGE_WRITE) % span);
            if (bytesWritten !== LARGE_WRITE) throw new Error(`short write: ${bytesWritten}`);
          }
        } finally {
          await handle.close();
        }
      },
    },
    {
      // The same file rewritten each time (open with O_TRUNC, write, close), as a program saving
      // its state or a cache entry makes it; on ext4 each close starts the file's writeback
      // (auto_da_alloc), for both implementations alike.
      name: `writeFile 1 MiB at QD1, ${sizes.largeWriteFiles} times`,
      warmRuns,
      before: () => undefined,
      run: async (fs) => {
        for (let i = 0; i < sizes.largeWriteFiles; i++) await fs.writeFile(fileTarget, fileBuffer);
      },
    },
  ];
}
