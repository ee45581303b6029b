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
