/**
 * copyFile of a procfs file — which fstat says has size 0 — answers as Node's: libuv's
 * uv_fs_copyfile copies st_size bytes, so dest ends empty (truncated, src's mode) and the call
 * succeeds. syslet-aio/fs copied to end of file instead: /proc/version's text came through
 * copy_file_range, and /proc/self/status (copy_file_range and then sendfile EINVAL) rejected
 * with EINVAL 'copyfile' and unlinked dest (hunt17, of 20 procfs/sysfs files and /dev/null: 11
 * procfs files and /dev/null rejected, 3 came out with content; Node gave all 15 empty).
 */
import { test } from 'node:test';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

const SOURCES = ['/proc/version', '/proc/self/status', '/proc/self/cmdline', '/proc/sys/kernel/hostname', '/dev/null'];

test('copyFile of a size-0 procfs file or device leaves dest empty, as Node', async (t) => {
  const dir = scratch(t);
  const dest = join(dir, 'copy');
  for (const src of SOURCES) {
    for (const before of ['absent', 'with old bytes']) {
      const reset = () => (before === 'absent' ? undefined : writeFileSync(dest, 'old bytes'));
      await sameOnBoth(async (fs) => {
        await fs.copyFile(src, dest);
        return [readFileSync(dest, 'latin1'), statSync(dest).mode];
      }, async () => {
        await import('node:fs/promises').then((nodeFs) => nodeFs.rm(dest, { force: true }));
        reset();
      }, `${src}, dest ${before}`);
    }
  }
});
