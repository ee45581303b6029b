/**
 * One call on a slow FUSE mount (fuse-slow.ts), made in a child under tsx while a 10 ms interval
 * ticks (event-loop-gap.ts): the longest gap between ticks says whether the call waited for the
 * server on the JavaScript thread (a gap as long as the server's delay, or several) or off it.
 * The child first walks the paths the calls use with node:fs (so that the dcache holds them,
 * and the syslet path's RESOLVE_CACHED probes succeed) and makes the call once, then starts the
 * ticker, makes the call again, and reports once it settled.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GAP_REPORT, GAP_TICKER } from './event-loop-gap.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Who makes the call: node:fs/promises, syslet-aio/fs, a builtin plugin helper, the POSIX shim. */
export type FuseCaller = 'node' | 'syslet' | 'plugin' | 'posix';

/** The calls per caller ({@link fuseGap}'s `call`). */
export const FUSE_CALLS: Readonly<Record<FuseCaller, readonly string[]>> = {
  node: [],
  syslet: [
    'readFile', 'writeFile', 'appendFile', 'stat', 'lstat', 'access', 'open', 'open(a)', 'fh.read', 'fh.stat', 'fh.close', 'readdir', 'readlink', 'realpath',
    'rename', 'unlink', 'mkdir', 'rm', 'truncate', 'copyFile', 'chmod', 'utimes', 'statfs', 'opendir', 'readFile(fd)',
  ],
  plugin: ['readFileSyslet', 'copyFileSyslet'],
  posix: ['aio_read', 'aio.read'],
};

/** What a child reported. */
export interface FuseGap {
  /** Longest gap between 10 ms ticks while the call ran (ms). */
  readonly maxGap: number;
  /** How long the call took (ms). */
  readonly ms: number;
  /** 'ok' or the error's code. */
  readonly outcome: string;
}

function childSource(mount: string, scratchDir: string, caller: FuseCaller, call: string): string {
  const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  const q = JSON.stringify;
  const A = q(join(mount, 'a.txt'));
  const B = q(join(mount, 'b.txt'));
  const DIR = q(join(mount, 'dir'));
  const LINK = q(join(mount, 'link'));
  const COPY = q(join(scratchDir, `copy-${caller}-${call.replace(/\W/g, '')}`));
  const fsx = caller === 'node' ? 'nodeFs' : 'sysletFs';
  const calls: Record<string, string> = {
    readFile: `${fsx}.readFile(${A})`,
    'readFile(fd)': `${fsx}.readFile(handle)`,
    writeFile: `${fsx}.writeFile(${A}, 'x')`,
    appendFile: `${fsx}.appendFile(${A}, 'x')`,
    stat: `${fsx}.stat(${A})`,
    lstat: `${fsx}.lstat(${LINK})`,
    access: `${fsx}.access(${A})`,
    open: `${fsx}.open(${A}, 'r').then((h) => { opened.push(h); })`,
    'open(a)': `${fsx}.open(${A}, 'a').then((h) => { opened.push(h); })`,
    'fh.read': 'handle.read(Buffer.alloc(16), 0, 16, 0)',
    'fh.stat': 'handle.stat()',
    'fh.close': 'handle.close()',
    readdir: `${fsx}.readdir(${DIR})`,
    readlink: `${fsx}.readlink(${LINK})`,
    realpath: `${fsx}.realpath(${LINK})`,
    rename: `${fsx}.rename(${A}, ${q(join(mount, 'c.txt'))})`,
    unlink: `${fsx}.unlink(${A})`,
    mkdir: `${fsx}.mkdir(${q(join(mount, 'new'))})`,
    rm: `${fsx}.rm(${A})`,
    truncate: `${fsx}.truncate(${A}, 0)`,
    copyFile: `${fsx}.copyFile(${A}, ${COPY})`,
    chmod: `${fsx}.chmod(${A}, 0o600)`,
    utimes: `${fsx}.utimes(${A}, 1, 1)`,
    statfs: `${fsx}.statfs(${A})`,
    opendir: `${fsx}.opendir(${DIR}).then((d) => d.close())`,
    readFileSyslet: `root.readFileSyslet(new root.Engine(), ${A})`,
    copyFileSyslet: `root.copyFileSyslet(new root.Engine(), ${A}, ${COPY})`,
    aio_read: `new Promise((resolve, reject) => { const cb = new root.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: 0 }); if (root.aio_read(cb) === -1) return reject(new Error(root.errnoName(root.errno()))); const poll = () => root.aio_error(cb) === root.EINPROGRESS ? setTimeout(poll, 5) : resolve(root.aio_return(cb)); poll(); })`,
    'aio.read': 'root.aio.read(fd, Buffer.alloc(4096), 0)',
  };
  const expression = calls[call];
  if (expression === undefined) throw new Error(`no call ${call}`);
  const needsHandle = call.startsWith('fh.') || call === 'readFile(fd)';
  return `
    import * as sysletFs from ${url('../../fs.ts')};
    import * as nodeFs from 'node:fs/promises';
    import * as root from ${url('../../index.ts')};
    import { openSync } from 'node:fs';
    const opened = [];
    // Walk every path the calls use (node's threads wait for the server), so that the dcache holds them.
    await Promise.allSettled([nodeFs.lstat(${A}), nodeFs.lstat(${B}), nodeFs.lstat(${DIR}), nodeFs.lstat(${LINK})]);
    const handle = ${needsHandle ? `await ${fsx === 'nodeFs' ? 'nodeFs' : 'sysletFs'}.open(${A}, 'r')` : 'null'};
    const fd = ${caller === 'posix' ? `openSync(${B}, 'r')` : '-1'};
    // The same call once before the ticker: the engine's cachemiss threads (under tsx, a thread's
    // start compiles the engine's modules) are started, and what is measured is the call itself.
    ${call === 'fh.close' ? '' : `try { await ${expression}; } catch {}`}
    ${GAP_TICKER}
    const started = performance.now();
    let outcome = 'ok';
    try { await ${expression}; } catch (error) { outcome = error?.code ?? String(error); }
    const ms = Math.round(performance.now() - started);
    ${GAP_REPORT}
    console.log(JSON.stringify({ ms, outcome }));
    process.exit(0);
  `;
}

/**
 * How long a child on a slow FUSE mount may take before it is killed (here and in the tests that
 * run their own gap child on one). A child makes its call twice (once before the
 * ticker) after walking four paths, every server request taking the mount's delay: on an idle
 * machine readdir and readFileSyslet children took 28–29 s of the 30 s this once was, and under
 * load one was killed ("reported nothing", session 33). The tests' own timeouts are 120 s.
 */
export const SLOW_FUSE_CHILD_MS = 90_000;

/**
 * fuseGap - make `call` as `caller` in a child on `engine` against the FUSE mount `mount`, and
 * report the longest event-loop gap. The child is SIGKILLed after `limitMs` (a child waiting in
 * a request the daemon has read dies only once the daemon answers or ends).
 *
 * @param scratchDir - where the child's script (and a copy's destination) go.
 */
export async function fuseGap(mount: string, scratchDir: string, caller: FuseCaller, call: string, engine: 'io_uring' | 'threads', limitMs = SLOW_FUSE_CHILD_MS): Promise<FuseGap> {
  const script = join(scratchDir, `gap-${caller}-${call.replace(/\W/g, '')}-${engine}.mts`);
  writeFileSync(script, childSource(mount, scratchDir, caller, call));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = setTimeout(() => child.kill('SIGKILL'), limitMs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(kill);
  const lines = stdout.trim().split('\n');
  const gap = lines.find((line) => line.includes('"maxGap"'));
  const end = lines.find((line) => line.includes('"outcome"'));
  if (gap === undefined || end === undefined) throw new Error(`${caller} ${call} (${engine}) reported nothing: ${stdout} ${stderr.slice(0, 1500)}`);
  return { maxGap: (JSON.parse(gap) as { maxGap: number }).maxGap, ...(JSON.parse(end) as { ms: number; outcome: string }) };
}
