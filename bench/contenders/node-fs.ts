/**
 * Node's own fs: what a user would pick instead of this library. fs.read/fs.write with callbacks
 * (libuv's thread pool, QD requests kept in flight), fs.promises FileHandle.read/write (the same
 * pool behind promises), the synchronous fs.readSync/writeSync, and fs.promises.readFile /
 * fs.readFileSync for the small-file chain. Buffers and callbacks are made once per slot in setup,
 * so the measured loops allocate nothing of their own (Node's request objects are its own cost).
 */
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { checkTransfer, type ChainContender, type LatencyContender, type LatencyJob, type ReadContender, type TransferJob, type WriteContender } from './types.js';

type Op = 'read' | 'write';

/** The three steps of a transfer peer, as plain functions (they close over their own state). */
interface Transfers {
  readonly setup: (job: TransferJob) => Promise<void> | void;
  readonly run: (job: TransferJob) => Promise<void>;
  readonly teardown: () => Promise<void> | void;
}

/**
 * Callback-style fs.read / fs.write keeping `qd` requests in flight: each completion callback
 * (one per slot, made in setup) checks its result and issues the slot's next request.
 */
function callbackTransfers(op: Op): Transfers {
  const name = op === 'read' ? 'fs.read cb' : 'fs.write cb';
  let buffers: Buffer[] = [];
  let callbacks: ((err: NodeJS.ErrnoException | null, n: number) => void)[] = [];
  let job: TransferJob | undefined;
  let next = 0;
  let done = 0;
  let finish: ((err?: Error) => void) | undefined;
  let failed: Error | undefined;
  const issue = (slot: number): void => {
    const j = job as TransferJob;
    const i = next++;
    const buffer = buffers[slot] as Buffer;
    const position = (j.offsets[i] as number) * j.blockSize;
    if (op === 'read') fs.read(j.fd, buffer, 0, j.blockSize, position, callbacks[slot] as never);
    else fs.write(j.fd, buffer, 0, j.blockSize, position, callbacks[slot] as never);
  };
  return {
    setup(j) {
      buffers = Array.from({ length: j.qd }, () => Buffer.alloc(j.blockSize, 0x5a));
      callbacks = buffers.map((_, slot) => (err: NodeJS.ErrnoException | null, n: number) => {
        const j2 = job as TransferJob;
        try {
          if (err) throw err;
          checkTransfer(name, n, j2.blockSize);
        } catch (e) {
          failed ??= e as Error;
        }
        if (++done === j2.offsets.length) finish?.(failed);
        else if (next < j2.offsets.length && failed === undefined) issue(slot);
        else if (failed !== undefined && done === next) finish?.(failed);
      });
    },
    run(j) {
      job = j;
      next = 0;
      done = 0;
      failed = undefined;
      return new Promise<void>((resolve, reject) => {
        finish = (err) => (err ? reject(err) : resolve());
        if (j.offsets.length === 0) return resolve();
        for (let slot = 0; slot < j.qd && next < j.offsets.length; slot++) issue(slot);
      });
    },
    teardown() {
      buffers = [];
      callbacks = [];
      job = undefined;
    },
  };
}

/** fs.promises FileHandle.read/write with `qd` async loops sharing one cursor. */
function fileHandleTransfers(op: Op): Transfers {
  const name = op === 'read' ? 'FileHandle.read' : 'FileHandle.write';
  let handle: FileHandle | undefined;
  let buffers: Buffer[] = [];
  return {
    async setup(j) {
      handle = await fs.promises.open(j.path, op === 'read' ? 'r' : 'r+');
      buffers = Array.from({ length: j.qd }, () => Buffer.alloc(j.blockSize, 0x5a));
    },
    async run(j) {
      const fh = handle as FileHandle;
      let next = 0;
      const lane = async (buffer: Buffer): Promise<void> => {
        while (next < j.offsets.length) {
          const position = (j.offsets[next++] as number) * j.blockSize;
          const r = op === 'read' ? await fh.read(buffer, 0, j.blockSize, position) : await fh.write(buffer, 0, j.blockSize, position);
          checkTransfer(name, op === 'read' ? (r as { bytesRead: number }).bytesRead : (r as { bytesWritten: number }).bytesWritten, j.blockSize);
        }
      };
      await Promise.all(buffers.map(lane));
    },
    async teardown() {
      await handle?.close();
      handle = undefined;
      buffers = [];
    },
  };
}

/** fs.readSync / fs.writeSync in a loop: Node's synchronous path, QD1 by nature. */
function syncTransfers(op: Op): Transfers {
  const name = op === 'read' ? 'fs.readSync' : 'fs.writeSync';
  let buffer = Buffer.alloc(0);
  return {
    setup(j) {
      buffer = Buffer.alloc(j.blockSize, 0x5a);
    },
    run(j) {
      const n = j.offsets.length;
      for (let i = 0; i < n; i++) {
        const position = (j.offsets[i] as number) * j.blockSize;
        const r = op === 'read' ? fs.readSync(j.fd, buffer, 0, j.blockSize, position) : fs.writeSync(j.fd, buffer, 0, j.blockSize, position);
        if (r !== j.blockSize) checkTransfer(name, r, j.blockSize);
      }
      return Promise.resolve();
    },
    teardown() {
      buffer = Buffer.alloc(0);
    },
  };
}

/** Node peers for random reads. */
export function nodeReadContenders(): ReadContender[] {
  const cb = callbackTransfers('read');
  const fh = fileHandleTransfers('read');
  const sync = syncTransfers('read');
  return [
    { name: 'fs.read cb', family: 'node', setup: cb.setup, runReads: cb.run, teardown: cb.teardown },
    { name: 'FileHandle.read', family: 'node', setup: fh.setup, runReads: fh.run, teardown: fh.teardown },
    { name: 'fs.readSync', family: 'node', sync: true, setup: sync.setup, runReads: sync.run, teardown: sync.teardown },
  ];
}

/** Node peers for random writes. */
export function nodeWriteContenders(): WriteContender[] {
  const cb = callbackTransfers('write');
  const fh = fileHandleTransfers('write');
  const sync = syncTransfers('write');
  return [
    { name: 'fs.write cb', family: 'node', setup: cb.setup, runWrites: cb.run, teardown: cb.teardown },
    { name: 'FileHandle.write', family: 'node', setup: fh.setup, runWrites: fh.run, teardown: fh.teardown },
    { name: 'fs.writeSync', family: 'node', sync: true, setup: sync.setup, runWrites: sync.run, teardown: sync.teardown },
  ];
}

/**
 * One QD1 latency peer: each read is timed from submission to completion. The callback and
 * FileHandle variants need a Promise per read to wait on; that allocation is part of what a Node
 * user pays for those APIs, so it stays inside the timed region.
 */
class NodeLatency implements LatencyContender {
  readonly family = 'node';
  readonly sync: boolean;
  #buffer = Buffer.alloc(0);
  #handle: FileHandle | undefined;

  constructor(
    readonly name: string,
    private readonly kind: 'sync' | 'cb' | 'fh',
  ) {
    this.sync = kind === 'sync';
  }

  async setup(j: LatencyJob): Promise<void> {
    this.#buffer = Buffer.alloc(j.blockSize);
    if (this.kind === 'fh') this.#handle = await fs.promises.open(j.path, 'r');
  }

  async runLatency(j: LatencyJob): Promise<void> {
    const buffer = this.#buffer;
    const size = j.blockSize;
    for (let i = 0; i < j.offsets.length; i++) {
      const position = (j.offsets[i] as number) * size;
      const t0 = performance.now();
      let n: number;
      if (this.kind === 'sync') n = fs.readSync(j.fd, buffer, 0, size, position);
      else if (this.kind === 'cb') n = await new Promise<number>((resolve, reject) => fs.read(j.fd, buffer, 0, size, position, (err, r) => (err ? reject(err) : resolve(r))));
      else n = (await (this.#handle as FileHandle).read(buffer, 0, size, position)).bytesRead;
      j.samples[i] = (performance.now() - t0) * 1e6;
      if (n !== size) checkTransfer(this.name, n, size);
    }
  }

  async teardown(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

/** Node peers for QD1 latency: readSync, one fs.read callback at a time, one FileHandle.read at a time. */
export function nodeLatencyContenders(): LatencyContender[] {
  return [new NodeLatency('fs.readSync', 'sync'), new NodeLatency('fs.read cb', 'cb'), new NodeLatency('FileHandle.read', 'fh')];
}

/** Node peers for whole small files: fs.promises.readFile with `qd` in flight, and fs.readFileSync. */
export function nodeChainContenders(): ChainContender[] {
  return [
    {
      name: 'fs.promises.readFile',
      family: 'node',
      setup() {},
      async runChain(j) {
        let next = 0;
        let bytes = 0;
        const lane = async (): Promise<void> => {
          while (next < j.paths.length) {
            // Await first, then add: `bytes += await ...` would read `bytes` before the await.
            const data = await fs.promises.readFile(j.paths[next++] as string);
            bytes += data.length;
          }
        };
        await Promise.all(Array.from({ length: j.qd }, lane));
        return bytes;
      },
      teardown() {},
    },
    {
      name: 'fs.readFileSync',
      family: 'node',
      sync: true,
      setup() {},
      runChain(j) {
        let bytes = 0;
        for (const path of j.paths) bytes += fs.readFileSync(path).length;
        return Promise.resolve(bytes);
      },
      teardown() {},
    },
  ];
}
