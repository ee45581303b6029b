/**
 * The parent's side of the contender hosts (bench/host.ts): start a host for a contender family
 * (and, for the library, an engine), ask it what it runs, and bind its contenders to jobs as
 * runner entries. Hosts run the same way the bench runs: plain `node` on the built files, or
 * `node --import tsx` on the sources (the smoke test), so the library is loaded as the bench is.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainSpec, ContenderInfo, EngineReport, HostDescription, HostFamily, HostMessage, HostReply, HostRequest, JobKind, MemoryResult, MemorySpec, RunFigures, TransferSpec } from './host-protocol.js';
import { rowName, type Entry } from './workloads/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** `.js` when the bench runs built (dist/bench), `.ts` under tsx. */
const extension = path.extname(fileURLToPath(import.meta.url));
const hostFile = path.join(here, `host${extension}`);

/** What the library's engine is forced to, or `default` (no SYSLET_AIO_ENGINE at all). */
export type EngineChoice = 'default' | 'threads';

/** How to start a host. */
export interface HostOptions {
  readonly family: HostFamily;
  /** The library's hosts only: `threads` sets SYSLET_AIO_ENGINE=threads. */
  readonly engine?: EngineChoice;
  /** Extra node flags (P6: --expose-gc). */
  readonly nodeFlags?: readonly string[];
}

/**
 * Host - one contender process with an IPC channel; requests are answered in order.
 */
export class Host {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;
  #exited: Error | undefined;

  constructor(readonly options: HostOptions) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.SYSLET_AIO_ENGINE;
    if (options.engine === 'threads') env.SYSLET_AIO_ENGINE = 'threads';
    const execArgv = [...(extension === '.ts' ? ['--import', 'tsx'] : []), ...(options.nodeFlags ?? [])];
    this.#child = fork(hostFile, [options.family], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: HostReply) => {
      const p = this.#pending.get(reply.id);
      if (!p) return;
      this.#pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error));
    });
    this.#child.on('exit', (code, signal) => {
      this.#exited = new Error(`${options.family} host exited (${signal ?? `code ${code ?? '?'}`})`);
      for (const p of this.#pending.values()) p.reject(this.#exited);
      this.#pending.clear();
    });
  }

  /** call - send one request; resolves with the host's result, rejects with its error. */
  call<T>(request: HostRequest): Promise<T> {
    if (this.#exited) return Promise.reject(this.#exited);
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ ...request, id } satisfies HostMessage);
    });
  }

  describe(): Promise<HostDescription> {
    return this.call<HostDescription>({ op: 'describe' });
  }

  /** The library's engine as the host's defaults picked it (null for peers). */
  engine(): Promise<EngineReport | null> {
    return this.call<EngineReport | null>({ op: 'engine' });
  }

  memory(name: string, spec: MemorySpec): Promise<MemoryResult> {
    return this.call<MemoryResult>({ op: 'memory', name, spec });
  }

  /** close - end the host and wait for it to exit. */
  close(): Promise<void> {
    if (this.#exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.#child.once('exit', () => resolve());
      this.#child.disconnect();
    });
  }
}

/** A long-lived host and the contenders it runs, with the label its rows carry. */
export interface HostedSet {
  readonly host: Host;
  readonly contenders: HostDescription['contenders'];
  /** Appended to the library's row names, e.g. `io_uring` or `threads`; empty for peers. */
  readonly label: string;
  readonly engine: EngineReport | null;
}

/** A contender of a hosted set, picked for a workload. */
export interface HostedPick {
  readonly set: HostedSet;
  readonly info: ContenderInfo;
  readonly qd: number;
  /** Run only this many operations (QD1 rows): per-op figures stay comparable. */
  readonly maxOps?: number;
}

/** labelled - a row name with the engine label of a library host. */
export function labelled(name: string, label: string): string {
  return label === '' ? name : `${name} (${label})`;
}

/**
 * hostedEntry - bind a hosted contender to a job as a runner entry: setup, warm-up, measure and
 * teardown happen in the host; the parent only waits (so its own CPU time is nobody's).
 *
 * @param spec - the job (its `ops` is capped by pick.maxOps).
 */
export function hostedEntry(pick: HostedPick, spec: TransferSpec | ChainSpec): Entry {
  const { set, info, qd } = pick;
  const job: TransferSpec | ChainSpec = spec.kind === 'chain' ? { ...spec, qd } : { ...spec, qd, ops: Math.min(spec.ops, pick.maxOps ?? Infinity) };
  return {
    name: labelled(rowName(info.name, info.sync, qd), set.label),
    family: info.family,
    qd,
    unavailable: info.unavailable,
    setup: () => set.host.call<null>({ op: 'setup', name: info.name, spec: job }).then(() => undefined),
    warmup: () => set.host.call<null>({ op: 'warmup' }).then(() => undefined),
    measure: async () => {
      const f = await set.host.call<RunFigures>({ op: 'measure' });
      return { value: f.value, cpu: f.cpu, ...(f.p99 === undefined ? {} : { p99: f.p99 }) };
    },
    teardown: () => set.host.call<null>({ op: 'teardown' }).then(() => undefined),
  };
}

/** picks - every contender of `kind` in the sets, async ones at `qd`, synchronous ones at QD1. */
export function picks(sets: readonly HostedSet[], kind: JobKind, qd: number, filter: (c: ContenderInfo) => boolean = () => true): HostedPick[] {
  return sets.flatMap((set) => set.contenders[kind].filter(filter).map((info) => ({ set, info, qd: info.sync ? 1 : qd })));
}

/**
 * startHosts - the long-lived hosts: the library on its default engine and forced to threads,
 * then glibc, Node and the FFI floors.
 *
 * @returns the sets, each described and (for the library) with its engine report.
 */
export async function startHosts(): Promise<HostedSet[]> {
  const wanted: HostOptions[] = [
    { family: 'syslet', engine: 'default' },
    { family: 'syslet', engine: 'threads' },
    { family: 'glibc' },
    { family: 'node' },
    { family: 'ffi' },
  ];
  const sets: HostedSet[] = [];
  for (const options of wanted) {
    const host = new Host(options);
    const description = await host.describe();
    const engine = await host.engine();
    sets.push({ host, contenders: description.contenders, label: engineLabel(options, engine), engine });
  }
  return sets;
}

/**
 * engineLabel - the label of a library host's rows: the engine it runs on; the default host says
 * `default=threads` when its defaults picked threads too, so the two rows never share a name.
 */
export function engineLabel(options: HostOptions, engine: EngineReport | null): string {
  if (options.family !== 'syslet') return '';
  if (options.engine === 'threads') return 'threads';
  return engine?.kind === 'threads' ? 'default=threads' : (engine?.kind ?? 'default');
}
