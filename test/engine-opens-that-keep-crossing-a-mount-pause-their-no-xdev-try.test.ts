/**
 * With a remote mount present, an inline open is first tried with RESOLVE_NO_XDEV from a local
 * start (engine/remote-mounts.ts openat2OffRemote). A file on another local mount than "/" (a
 * tmpfs /tmp, a /home mount) fails that try, and its open then pays the full check as well: a
 * statx and a failed openat2 more than before (+2 µs). After four such opens in a row the next
 * 64 go to the full check at once: 20 opens of a file across a mount make 4 tries, not 20.
 *
 * The child runs in a private mount namespace (unshare -m, as root) with a tmpfs mounted on a
 * scratch directory and a slow FUSE mount present (helpers/fuse-slow.ts: the remote mount that
 * makes the checks run); strace counts the main thread's openat2 calls with RESOLVE_NO_XDEV.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const OPENS = 20;

function childSource(file: string): string {
  const index = JSON.stringify(new URL('../index.ts', import.meta.url).href);
  return `
    import { writeFileSync } from 'node:fs';
    import { Engine, definePlugin, AT_FDCWD, O_RDONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from ${index};
    writeFileSync(${JSON.stringify(file)}, 'across a mount\\n');
    const chain = definePlugin({
      name: 'test.open-across-a-mount',
      params: { path: 'path' },
      atoms: [
        { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
        { id: 'close', call: 'close', args: [{ result: 'open' }] },
      ],
    });
    const engine = new Engine();
    const params = { path: ${JSON.stringify(file)} };
    // Once first: the dcache holds the path.
    await chain.run(engine, params);
    let inline = 0;
    for (let i = 0; i < ${OPENS}; i++) {
      const done = await chain.run(engine, params);
      if (done.mode === 'inline' && Number(done.byId.open.result) >= 0) inline++;
    }
    console.log(JSON.stringify({ pid: process.pid, inline }));
    await engine.close();
  `;
}

function unavailable(): string | undefined {
  const fuse = fuseSkipReason();
  if (fuse !== undefined) return fuse;
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'strace', '-qq', '-e', 'trace=close', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return `unshare -m and strace are needed (${probe.error?.message ?? probe.stderr.trim()})`;
  return undefined;
}

const skip = unavailable();

test('opens that keep crossing a mount pause their RESOLVE_NO_XDEV try', { skip, timeout: 120_000 }, async (t) => {
  const mounted = await slowFuseForTest(t, 10);
  if (mounted === undefined) return;
  const { dir } = mounted;
  const across = join(dir, 'tmpfs');
  mkdirSync(across);
  const script = join(dir, 'child.mts');
  const trace = join(dir, 'trace');
  writeFileSync(script, childSource(join(across, 'file')));
  // The tmpfs lives in the child's namespace only, and goes with it.
  const child = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none "$1" && exec strace -f -qq -e trace=openat2 -o "$2" "$3" --import tsx "$4"', 'sh', across, trace, process.execPath, script], {
    cwd: new URL('..', import.meta.url),
    encoding: 'utf8',
    timeout: 90_000,
  });
  assert.equal(child.status, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as { pid: number; inline: number };
  assert.equal(report.inline, OPENS, 'every open was answered inline');
  const tries = readFileSync(trace, 'utf8').split('\n').filter((line) => line.startsWith(`${report.pid} `) && line.includes('/tmpfs/file') && line.includes('RESOLVE_NO_XDEV'));
  assert.ok(tries.every((line) => line.includes('= -1 EAGAIN')), `each try crossed the mount:\n${tries.join('\n')}`);
  // The first run's and the next three: four in a row, then 64 opens without.
  assert.equal(tries.length, 4, `${tries.length} opens tried RESOLVE_NO_XDEV:\n${tries.join('\n')}`);
});
