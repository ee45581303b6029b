/**
 * A slow (or hung) FUSE file system for tests: test/fixtures/fuse-slow-server.c, compiled with
 * gcc and mounted under a test-owned temporary directory, answering every request after
 * `delayMs` (or never, for the `hung` opcodes). What a path call on a network or userspace file
 * system whose server is slow meets in the kernel (request_wait_answer).
 *
 * A process waiting in a FUSE request the daemon has read cannot be killed, even by SIGKILL,
 * until the daemon answers or its /dev/fuse fd closes: {@link SlowFuse.stop} therefore ends the
 * daemon (its own pid, SIGTERM, then SIGKILL) and detaches the mount (the daemon's umount2
 * MNT_DETACH, or `umount -l` when it did not get to it), which releases every waiter with
 * ENOTCONN. The daemon also ends by itself after its lifetime (120 s). Tests call stop from
 * `t.after`, so a failed assertion unmounts too.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

const SOURCE = fileURLToPath(new URL('../fixtures/fuse-slow-server.c', import.meta.url));

/** <linux/fuse.h> opcodes a test may leave unanswered. */
export const FUSE_OP = { LOOKUP: 1, GETATTR: 3, READLINK: 5, OPEN: 14, READ: 15, STATFS: 17, FLUSH: 25, OPENDIR: 27, READDIR: 28, ACCESS: 34 } as const;

/** A mounted slow FUSE file system. */
export interface SlowFuse {
  /** Its mount point: /dir (inner.txt), /a.txt ("hello fuse\n"), /b.txt (64 KiB of 'b'), /link -> a.txt. */
  readonly mount: string;
  /** The daemon's pid. */
  readonly pid: number;
  /** End the daemon and detach the mount (every waiter is released); idempotent. */
  stop(): Promise<void>;
}

let built: string | null = null;

function gccMissing(): boolean {
  return spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status !== 0;
}

/**
 * fuseSkipReason - why this machine cannot run the slow FUSE server (no gcc, no /dev/fuse),
 * or undefined when it can try (mount(2) may still be refused: {@link startSlowFuse} says so).
 */
export function fuseSkipReason(): string | undefined {
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse on this machine';
  if (gccMissing()) return 'gcc is missing (the FUSE server is compiled by the test)';
  return undefined;
}

function binary(): string {
  if (built !== null) return built;
  const dir = mkdtempSync(join(tmpdir(), 'fuse-slow-bin-'));
  const out = join(dir, 'fuse-slow-server');
  execFileSync('gcc', ['-O1', '-Wall', '-o', out, SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  built = out;
  return out;
}

/**
 * startSlowFuse - compile (once per process) and start the server, mounted on a new directory
 * under `parent` (a test's scratch directory).
 *
 * @param delayMs - how long each request waits for its answer.
 * @param hung - opcodes never answered ({@link FUSE_OP}).
 * @returns the mount, or a string saying why it could not be made (skip the test with it).
 */
export async function startSlowFuse(parent: string, delayMs: number, hung: readonly number[] = []): Promise<SlowFuse | string> {
  const reason = fuseSkipReason();
  if (reason !== undefined) return reason;
  const mount = join(parent, `fuse-${process.pid}-${Date.now()}`);
  mkdirSync(mount);
  const daemon = spawn(binary(), [mount, String(delayMs), hung.length === 0 ? '-' : hung.join(','), '120'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  daemon.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    daemon.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    daemon.on('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const fuse = { mount, pid: daemon.pid ?? -1, stop: stopper(daemon, mount) };
  if (!ready) {
    await fuse.stop();
    return `mount(2) of type fuse refused or the server did not start: ${stderr.trim() || 'no answer in 5 s'}`;
  }
  return fuse;
}

function stopper(daemon: ChildProcess, mount: string): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () => {
    stopping ??= (async () => {
      const exited = new Promise<void>((resolve) => {
        if (daemon.exitCode !== null || daemon.signalCode !== null) resolve();
        else daemon.once('exit', () => resolve());
      });
      daemon.kill('SIGTERM');
      const killer = setTimeout(() => daemon.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(killer);
      // The daemon detaches the mount before it exits; after a SIGKILL it did not.
      if (isMounted(mount)) spawnSync('umount', ['-l', mount], { stdio: 'ignore', timeout: 5000 });
      try {
        rmdirSync(mount);
      } catch {
        // still busy (a detached mount's last user): the scratch directory's cleanup takes it
      }
    })();
    return stopping;
  };
}

function isMounted(path: string): boolean {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  return text.split('\n').some((line) => line.split(' ')[4] === path);
}

/** fuseScratch - a new temporary directory for a mount (and a gap child's scripts). */
export function fuseScratch(): string {
  return mkdtempSync(join(tmpdir(), 'syslet-fuse-slow-'));
}

/**
 * removeFuseScratch - remove a {@link fuseScratch} directory, after {@link SlowFuse.stop}: never
 * while a mount is still under it (the removal would walk into the FUSE file system, and wait
 * for its server).
 */
export function removeFuseScratch(dir: string): void {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '');
  if (mounts.some((mount) => mount === dir || mount.startsWith(`${dir}/`))) return;
  rmSync(dir, { recursive: true, force: true });
}

/** What {@link slowFuseForTest} mounted: its scratch directory and the mount in it. */
export interface SlowFuseScratch {
  /** The scratch directory ({@link fuseScratch}), for the test's own files and scripts. */
  readonly dir: string;
  /** The slow FUSE file system mounted under it. */
  readonly fuse: SlowFuse;
}

/**
 * slowFuseForTest - a scratch directory with a slow FUSE file system mounted under it, for one
 * test: `t.after` ends the daemon, detaches the mount and then removes the directory, also when
 * an assertion failed.
 *
 * @param t - the test (its `after` and `skip`).
 * @param delayMs - how long the server waits before each answer.
 * @param hung - opcodes it never answers ({@link FUSE_OP}).
 * @returns the directory and the mount; undefined when mount(2) was refused, after `t.skip` said why.
 */
export async function slowFuseForTest(t: TestContext, delayMs: number, hung: readonly number[] = []): Promise<SlowFuseScratch | undefined> {
  const dir = fuseScratch();
  const fuse = await startSlowFuse(dir, delayMs, hung);
  t.after(async () => {
    if (typeof fuse !== 'string') await fuse.stop();
    removeFuseScratch(dir);
  });
  if (typeof fuse !== 'string') return { dir, fuse };
  t.skip(fuse);
  return undefined;
}
