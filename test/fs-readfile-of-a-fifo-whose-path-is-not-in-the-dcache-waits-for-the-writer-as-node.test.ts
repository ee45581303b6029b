/**
 * readFile of a FIFO whose path is not in the dcache waits for a writer and reads its bytes, as
 * node:fs/promises does. The inline probe (openat2 RESOLVE_CACHED) answers EAGAIN for such a
 * path, and the open goes to the ring (io_uring engine) or a cachemiss thread. io_uring's own
 * first try of an OPENAT adds O_NONBLOCK, which would open a read-only FIFO with no writer at once
 * (and its read answer end-of-file); it adds LOOKUP_CACHED with it, so for an uncached path it
 * fails as the probe did and io-wq makes the blocking open. This pins that down (open-probe's
 * leftover, fusehang29). The dentries are dropped (`echo 2 > /proc/sys/vm/drop_caches`: unused
 * dentries and inodes only) after mkfifo; the test is skipped where that file is not writable.
 * The writer comes 800 ms after the call; both engines, and Node in the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { scratch } from './helpers/fs-implementations.js';
import { runChild } from './helpers/child.js';

const WRITER_AFTER_MS = 800;

function dropCachesRefused(): string | undefined {
  try {
    accessSync('/proc/sys/vm/drop_caches', constants.W_OK);
    return undefined;
  } catch {
    return '/proc/sys/vm/drop_caches is not writable here (the test drops the FIFO\'s dentry with it)';
  }
}

function childSource(dir: string, caller: 'node' | 'syslet'): string {
  return `
    import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
    import * as nodeFs from 'node:fs/promises';
    import { execFileSync, spawn } from 'node:child_process';
    import { writeFileSync } from 'node:fs';
    const fifo = ${JSON.stringify(join(dir, `${caller}.fifo`))};
    execFileSync('mkfifo', [fifo]);
    writeFileSync('/proc/sys/vm/drop_caches', '2');
    setTimeout(() => spawn('sh', ['-c', 'printf abc > "$0"', fifo]), ${WRITER_AFTER_MS});
    const started = performance.now();
    const text = (await ${caller === 'node' ? 'nodeFs' : 'sysletFs'}.readFile(fifo)).toString();
    console.log(JSON.stringify({ text, ms: Math.round(performance.now() - started) }));
    process.exit(0);
  `;
}

async function readFifo(dir: string, caller: 'node' | 'syslet', engine: 'io_uring' | 'threads'): Promise<{ text?: string; ms?: number }> {
  const child = await runChild(childSource(dir, caller), 30_000, { env: { SYSLET_AIO_ENGINE: engine } });
  const line = child.stdout.trim().split('\n').find((l) => l.includes('"text"'));
  assert.ok(line !== undefined, `the child reported: ${child.stdout} ${child.stderr.slice(0, 1500)}`);
  return JSON.parse(line) as { text?: string; ms?: number };
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`readFile of a FIFO whose path is not in the dcache waits for the writer, as Node (${engine} engine)`, { skip: dropCachesRefused(), timeout: 90_000 }, async (t) => {
    const dir = scratch(t, 'fifo-uncached');
    const node = await readFifo(dir, 'node', engine);
    const syslet = await readFifo(dir, 'syslet', engine);
    assert.equal(node.text, 'abc', 'Node waits for the writer');
    assert.equal(syslet.text, node.text, 'syslet-aio/fs reads what the writer wrote, as Node');
    assert.ok((syslet.ms ?? 0) >= WRITER_AFTER_MS * 0.9, `and only once it came (${syslet.ms} ms)`);
  });
}
