/**
 * Cold start of uncached reads (issue 16 part 2): a fresh process per run, the page cache dropped
 * first, then the first 8,192 uncached 4 KiB reads of a 64 MiB file at QD64 through the public
 * POSIX API with the defaults (aio_read + aio_suspend over 64 Aiocbs, SIGEV_NONE), reported per
 * 1,024-op segment: wall and CPU (process.cpuUsage: every thread of the process, io_uring's
 * io-wq workers included) per op. The same loop for glibc's aio_read through koffi.
 *
 * Usage (root, for drop_caches; `npm run build` first to measure the compiled package, as a user
 * who installed it runs it — from sources, under tsx, the first cachemiss thread also waits for
 * a bundle of its modules):
 *   node --import tsx scripts/cold-start-reads.ts [--runs N] [--contenders io_uring,threads,glibc] [--sources]
 * One child per contender and run, interleaved (run 1 of each, then run 2...); the medians per
 * segment are printed. On a machine shared with other work, compare ratios within one run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as LibraryModule from '../index.js';
import type * as GlibcAioModule from '../engine/native/glibc-aio.js';
import type * as NativeIndexModule from '../engine/native/index.js';

const FILE = process.env.COLD_START_FILE ?? '/tmp/syslet-cold-start-64m.bin';
const BLOCK = 4096;
const BLOCKS = 16384; // 64 MiB
const OPS = 8192;
const QD = 64;
const SEGMENT = 1024;
/** The library as measured: the compiled package (dist/) unless COLD_START_FROM=sources. */
const FROM_SOURCES = process.env.COLD_START_FROM === 'sources';
const LIBRARY = FROM_SOURCES ? '../index.js' : '../dist/index.js';
const GLIBC_AIO = FROM_SOURCES ? '../engine/native/glibc-aio.js' : '../dist/engine/native/glibc-aio.js';
const NATIVE = FROM_SOURCES ? '../engine/native/index.js' : '../dist/engine/native/index.js';

type Library = typeof LibraryModule;
type GlibcModule = typeof GlibcAioModule;
type NativeModule = typeof NativeIndexModule;

/** The anchors' offsets: ((i·7919) mod 16384)·4096, so no block is read twice. */
function offsetOf(i: number): number {
  return ((i * 7919) % BLOCKS) * BLOCK;
}

interface Segments {
  wallUs: number[];
  cpuUs: number[];
}

/** Runs the QD64 loop with `submit`/`done` and records each segment's wall and CPU time per op. */
async function measure(run: (onDone: () => void) => Promise<void>): Promise<Segments> {
  const wallUs: number[] = [];
  const cpuUs: number[] = [];
  let completed = 0;
  let wall = performance.now();
  let cpu = process.cpuUsage();
  const onDone = (): void => {
    completed++;
    if (completed % SEGMENT === 0) {
      const nowWall = performance.now();
      const nowCpu = process.cpuUsage();
      wallUs.push(((nowWall - wall) * 1000) / SEGMENT);
      cpuUs.push((nowCpu.user - cpu.user + nowCpu.system - cpu.system) / SEGMENT);
      wall = nowWall;
      cpu = nowCpu;
    }
  };
  await run(onDone);
  return { wallUs, cpuUs };
}

async function childSyslet(): Promise<Segments> {
  // The package root only, with the defaults (SYSLET_AIO_ENGINE=threads forces threads).
  const { Aiocb, aio_read, aio_error, aio_return, aio_suspend, errno, EINPROGRESS, SIGEV_NONE } = (await import(LIBRARY)) as Library;
  const fd = openSync(FILE, 'r');
  const cbs = Array.from({ length: QD }, () => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(BLOCK), aio_nbytes: BLOCK, aio_offset: 0, aio_sigevent: { sigev_notify: SIGEV_NONE } }));
  const list: (InstanceType<typeof Aiocb> | null)[] = [...cbs];
  return measure(async (onDone) => {
    let issued = 0;
    for (const cb of cbs) {
      cb.aio_offset = offsetOf(issued++);
      if (aio_read(cb) === -1) throw new Error(`aio_read: errno ${errno()}`);
    }
    let done = 0;
    while (done < OPS) {
      aio_suspend(list, QD, null);
      for (let slot = 0; slot < QD; slot++) {
        const cb = list[slot];
        if (cb == null || aio_error(cb) === EINPROGRESS) continue;
        const r = aio_return(cb);
        if (r !== BLOCK) throw new Error(`short read ${r}`);
        done++;
        onDone();
        if (issued < OPS) {
          cb.aio_offset = offsetOf(issued++);
          if (aio_read(cb) === -1) throw new Error(`aio_read: errno ${errno()}`);
        } else list[slot] = null;
      }
    }
    await Promise.resolve();
  });
}

async function childGlibc(): Promise<Segments> {
  const { AiocbArray, glibcAio } = (await import(GLIBC_AIO)) as GlibcModule;
  const { allocNative, EINPROGRESS } = (await import(NATIVE)) as NativeModule;
  const aio = glibcAio();
  const fd = openSync(FILE, 'r');
  const cbs = new AiocbArray(QD);
  const buffers = allocNative(QD * BLOCK, 4096);
  for (let slot = 0; slot < QD; slot++) cbs.prepare(slot, fd, buffers.address + slot * BLOCK, BLOCK, 0);
  return measure(async (onDone) => {
    let issued = 0;
    for (let slot = 0; slot < QD; slot++) {
      cbs.setOffset(slot, offsetOf(issued++));
      if (aio.read(cbs.address(slot)) !== 0) throw new Error('aio_read failed');
      cbs.list(slot, true);
    }
    const inFlight = new Uint8Array(QD).fill(1);
    let done = 0;
    while (done < OPS) {
      aio.suspend(cbs.listAddress, QD, 0);
      for (let slot = 0; slot < QD; slot++) {
        if (inFlight[slot] === 0) continue;
        const address = cbs.address(slot);
        if (aio.error(address) === EINPROGRESS) continue;
        const r = aio.return(address);
        if (r !== BLOCK) throw new Error(`short read ${r}`);
        done++;
        onDone();
        if (issued < OPS) {
          cbs.setOffset(slot, offsetOf(issued++));
          if (aio.read(address) !== 0) throw new Error('aio_read failed');
        } else {
          inFlight[slot] = 0;
          cbs.list(slot, false);
        }
      }
    }
    await Promise.resolve();
  });
}

function ensureFile(): void {
  if (existsSync(FILE) && statSync(FILE).size === BLOCKS * BLOCK) return;
  const fd = openSync(FILE, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < (BLOCKS * BLOCK) / chunk.length; i++) {
    for (let j = 0; j < chunk.length; j += 8) chunk.writeUInt32LE((i * 131 + j) >>> 0, j);
    writeSync(fd, chunk);
  }
  closeSync(fd);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which === '--child') {
    const contender = process.argv[3];
    const result = contender === 'glibc' ? await childGlibc() : await childSyslet();
    let engine = contender;
    if (contender !== 'glibc') engine = ((await import(LIBRARY)) as Library).aioEngine().asyncEngine.kind;
    process.stdout.write(JSON.stringify({ ...result, engine }) + '\n');
    process.exit(0);
  }
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf('--runs') + 1] ?? 3) || 3;
  if (argv.includes('--sources')) process.env.COLD_START_FROM = 'sources';
  else if (!existsSync(fileURLToPath(new URL(LIBRARY, import.meta.url)))) throw new Error('dist/ is missing: npm run build first (or --sources)');
  const contenders = (argv.includes('--contenders') ? (argv[argv.indexOf('--contenders') + 1] as string) : 'io_uring,threads,glibc').split(',');
  ensureFile();
  const results = new Map<string, Segments[]>();
  const self = fileURLToPath(import.meta.url);
  for (let run = 0; run < runs; run++) {
    for (const contender of contenders) {
      execFileSync('sh', ['-c', 'sync; echo 1 > /proc/sys/vm/drop_caches']);
      const env = { ...process.env, SYSLET_AIO_ENGINE: contender === 'threads' ? 'threads' : '' };
      const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', contender], { env, encoding: 'utf8', timeout: 600_000 });
      if (child.status !== 0) throw new Error(`${contender}: exit ${child.status}\n${child.stderr}`);
      const parsed = JSON.parse(child.stdout.trim().split('\n').pop() as string) as Segments & { engine: string };
      if (contender !== 'glibc' && parsed.engine !== contender) throw new Error(`${contender}: the library used ${parsed.engine}`);
      results.set(contender, [...(results.get(contender) ?? []), parsed]);
      console.error(`run ${run + 1} ${contender}: ${parsed.wallUs.map((v) => v.toFixed(0)).join(' ')}`);
    }
  }
  console.log(`first ${OPS} uncached 4 KiB reads at QD${QD}, fresh process, ${process.env.COLD_START_FROM === 'sources' ? 'sources under tsx' : 'dist/'}, median of ${runs}; µs/op per ${SEGMENT}-op segment (wall / CPU)`);
  for (const contender of contenders) {
    const all = results.get(contender) ?? [];
    const row: string[] = [];
    let wallSum = 0;
    let cpuSum = 0;
    for (let s = 0; s < OPS / SEGMENT; s++) {
      const wall = median(all.map((r) => r.wallUs[s] as number));
      const cpu = median(all.map((r) => r.cpuUs[s] as number));
      wallSum += wall;
      cpuSum += cpu;
      row.push(`${wall.toFixed(0)}/${cpu.toFixed(0)}`);
    }
    const segments = OPS / SEGMENT;
    console.log(`${contender.padEnd(9)} ${row.join('  ')}   all: ${(wallSum / segments).toFixed(1)}/${(cpuSum / segments).toFixed(1)}`);
  }
}

await main();
