/**
 * The environment of the threads the library starts (cachemiss threads, the waker of a worker's
 * fd watcher): the process's, without the loaders the main thread was started with. Node 20 gives
 * a worker the parent's NODE_OPTIONS again, so under `node --import tsx` every thread would load
 * tsx first (about a second of CPU each). Threads are started with `execArgv: []` as well.
 */
let environment: NodeJS.ProcessEnv | null = null;

/**
 * workerEnv - the environment a thread the library starts gets: the process's, with the loader options
 * (`--import`, `--require`/`-r`, `--loader`, `--experimental-loader`) taken out of NODE_OPTIONS.
 */
export function workerEnv(): NodeJS.ProcessEnv {
  if (environment !== null) return environment;
  const options = process.env.NODE_OPTIONS;
  environment = options === undefined ? { ...process.env } : { ...process.env, NODE_OPTIONS: withoutLoaders(options) };
  return environment;
}

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** withoutLoaders - NODE_OPTIONS minus loader flags and their values (`--import x` and `--import=x`). */
export function withoutLoaders(options: string): string {
  const words = options.split(/\s+/).filter((word) => word !== '');
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const name = word.includes('=') ? word.slice(0, word.indexOf('=')) : word;
    if (!LOADER_FLAGS.has(name)) kept.push(word);
    else if (!word.includes('=')) i++;
  }
  return kept.join(' ');
}

/**
 * The resource limits of the threads the library starts (cachemiss threads, the fd waker): a
 * small code range. A Worker with Node's defaults reserves a full isolate's address space
 * (V8's 128 MB code range and more: 650–780 MB of VmSize each), so under an address-space limit
 * (`ulimit -v`, a container's RLIMIT_AS) of 2 GiB the first blocking call aborted the process with
 * V8's fatal "Failed to reserve virtual memory for CodeRange" (hunt19), where node:fs runs. These
 * threads run one small bundle: 16 MB of code range is ample. The heap limits stay Node's: a
 * thread with many chains in flight needs its heap, and a worker past its heap limit is ended.
 */
export const THREAD_RESOURCE_LIMITS = Object.freeze({ codeRangeSizeMb: 16 });

/**
 * koffi's call memory in the threads the library starts, set (koffi.config) before their first
 * library load. koffi (3.3.4) never frees an isolate's synchronous-call stack and heap when the
 * isolate ends (its instance data is made with `new` and never deleted), so every such thread that
 * ended left its defaults — 2 MiB of stack between guard pages and 1 MiB of heap — mapped for good:
 * 6 MB of address space per worker that used the library, 12 on the threads engine, and under
 * `ulimit -v 2000000` the process aborted between the 25th and the 50th worker (hunt27). These
 * threads make small calls only (syscalls, poll), and nothing they pass goes through koffi's heap
 * but a few words, so 128 KiB of stack and 64 KiB of heap leave ~200 KiB each. (The three mappings
 * stay: only koffi can give them back.)
 */
export const OWN_THREAD_KOFFI_CONFIG = Object.freeze({ sync_stack_size: 128 * 1024, sync_heap_size: 64 * 1024 });
