/**
 * A FileHandle opened 'a' (O_WRONLY|O_APPEND) on a regular file: write, write(string), writev,
 * appendFile and writeFile at the file position (position null, a log appender's calls) are made
 * as positional writes (pwrite64 at offset 0; fs.appendFd for the last two),
 * which Linux appends whatever the offset (pwrite(2), BUGS) and which the io_uring engine sends
 * to the ring when the RWF_NOWAIT probe cannot answer (ext4's buffered writes: EOPNOTSUPP). A
 * write at the file position on a regular file is refused by the ring (it would race the file
 * position), so each one was handed to a cachemiss thread: three futex wake-ups, a failed probe
 * and an lseek per write. apps21 measured (2 cores, load 8.6, 4,000 writes of 101 bytes): Node
 * 27 µs of CPU a write, syslet-aio/fs 72 µs at position null against 36 µs positional; 8 writers
 * at once 19.3 against 8.7 µs. The file position of a write-only handle is not observable
 * through Node's API (no read is allowed), so nothing else changes.
 *
 * Checked right after each call returns: a chain handed to a cachemiss thread is in flight and
 * not in the ring (`engine.inflight > engine.ringInFlight`). Skipped without the io_uring engine,
 * or where the scratch directory's file system is not one fs/open.ts trusts to append at any offset.
 * The bytes must land at the end, in order, after another writer's append.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

/** ext2/3/4, XFS, Btrfs, tmpfs, F2FS, overlayfs: fs/open.ts's list. */
const APPENDING_FILE_SYSTEMS = [0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010, 0x794c7630];

test('write, write(string), writev, appendFile and writeFile at the file position of an "a" handle go to the ring or complete inline, and append', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  if (engine.asyncEngine.kind !== 'io_uring') {
    t.skip(`no io_uring engine here: ${engine.asyncEngine.reason}`);
    return;
  }
  const fs = createFs(engine);
  const dir = scratch(t, 'fs-append-ring');
  // fs/open.ts keeps write(2) on file systems not known to append at any offset (procfs, sysfs...).
  const type = statfsSync(dir).type;
  if (!APPENDING_FILE_SYSTEMS.includes(type)) {
    t.skip(`the scratch directory's file system (0x${type.toString(16)}) is not one fs/open.ts lists`);
    return;
  }
  const file = join(dir, 'app.log');
  writeFileSync(file, 'head\n');
  const handle = await fs.open(file, 'a');
  const handedOff: string[] = [];
  const check = async (name: string, call: Promise<unknown>): Promise<void> => {
    // Read before the call settles: a chain a cachemiss thread took is in flight outside the ring.
    if (engine.inflight > engine.ringInFlight) handedOff.push(name);
    await call;
  };
  try {
    await check('write(buffer)', handle.write(Buffer.from('one\n')));
    appendFileSync(file, 'other\n');
    await check('write(string)', handle.write('two\n'));
    await check('write(buffer, 0, 6, null)', handle.write(Buffer.from('three\n'), 0, 6, null));
    await check('writev', handle.writev([Buffer.from('fo'), Buffer.from('ur\n')]));
    await check('appendFile', handle.appendFile('five\n'));
    await check('writeFile', handle.writeFile(Buffer.from('six\n')));
  } finally {
    await handle.close();
  }
  assert.equal(readFileSync(file, 'utf8'), 'head\none\nother\ntwo\nthree\nfour\nfive\nsix\n');
  assert.deepEqual(handedOff, []);
});
