/**
 * glibc's POSIX AIO called through koffi, as a Node user would bind it: the loop is the C anchor's
 * (/work/shared/anchors/glibc_aio_bench.c) line for line. Keep QD aiocbs in flight, block in
 * aio_suspend on the outstanding list, scan with aio_error, reap with aio_return, reuse the aiocb
 * for the next offset. aiocbs, the suspend list and the buffers are native memory from setup;
 * nothing is allocated per operation.
 *
 * aio_suspend blocks the JS thread. That is what the binding does; the event loop has no other
 * work during a measured run, so it costs this peer nothing here.
 */
import { AiocbArray, glibcAio, type GlibcAio } from '../../engine/native/glibc-aio.js';
import { allocNative, releaseNative, EAGAIN, EINPROGRESS, EINTR, type NativeBlock } from '../../engine/native/index.js';
import { checkTransfer, type LatencyContender, type LatencyJob, type ReadContender, type TransferJob, type WriteContender } from './types.js';


/** State shared by the QD loop and the QD1 latency loop. */
class GlibcPeer {
  #aio: GlibcAio | undefined;
  #cbs: AiocbArray | undefined;
  #buffers: NativeBlock | undefined;
  readonly unavailable: string | undefined;

  constructor(readonly name: string) {
    try {
      this.#aio = glibcAio();
    } catch (e) {
      this.unavailable = `glibc AIO not bound: ${(e as Error).message}`;
    }
  }

  setup(j: TransferJob): void {
    const qd = Math.max(1, j.qd);
    this.#cbs = new AiocbArray(qd);
    this.#buffers = allocNative(qd * j.blockSize, 4096);
    new Uint8Array(this.#buffers.buffer).fill(0x5a);
    for (let slot = 0; slot < qd; slot++) this.#cbs.prepare(slot, j.fd, this.#buffers.address + slot * j.blockSize, j.blockSize, 0);
  }

  /** Run every transfer with `j.qd` in flight (the C anchor's loop). */
  run(j: TransferJob, write: boolean): Promise<void> {
    const aio = this.#aio as GlibcAio;
    const cbs = this.#cbs as AiocbArray;
    const submit = write ? aio.write : aio.read;
    const ops = j.offsets.length;
    const qd = Math.min(j.qd, cbs.count);
    let issued = 0;
    let done = 0;
    for (let slot = 0; slot < qd && issued < ops; slot++, issued++) {
      cbs.setOffset(slot, (j.offsets[issued] as number) * j.blockSize);
      this.#check(submit(cbs.address(slot)));
      cbs.list(slot, true);
    }
    const inFlight = new Uint8Array(qd).fill(1); // once per run, not per op
    while (done < ops) {
      const s = aio.suspend(cbs.listAddress, qd, 0);
      if (s < 0 && s !== -EINTR && s !== -EAGAIN) throw new Error(`${this.name}: aio_suspend ${s}`);
      for (let slot = 0; slot < qd; slot++) {
        if (inFlight[slot] === 0) continue;
        const address = cbs.address(slot);
        if (aio.error(address) === EINPROGRESS) continue;
        const r = aio.return(address);
        if (r !== j.blockSize) checkTransfer(this.name, r, j.blockSize);
        done++;
        if (issued < ops) {
          cbs.setOffset(slot, (j.offsets[issued++] as number) * j.blockSize);
          this.#check(submit(address));
        } else {
          inFlight[slot] = 0;
          cbs.list(slot, false);
        }
      }
    }
    return Promise.resolve();
  }

  /** QD1: submit one read, aio_suspend on it, reap; time each from submit to aio_return. */
  latency(j: LatencyJob): Promise<void> {
    const aio = this.#aio as GlibcAio;
    const cbs = this.#cbs as AiocbArray;
    const address = cbs.address(0);
    cbs.list(0, true);
    for (let i = 0; i < j.offsets.length; i++) {
      cbs.setOffset(0, (j.offsets[i] as number) * j.blockSize);
      const t0 = performance.now();
      this.#check(aio.read(address));
      while (aio.error(address) === EINPROGRESS) aio.suspend(cbs.listAddress, 1, 0);
      const r = aio.return(address);
      j.samples[i] = (performance.now() - t0) * 1e6;
      if (r !== j.blockSize) checkTransfer(this.name, r, j.blockSize);
    }
    return Promise.resolve();
  }

  teardown(): void {
    this.#cbs?.release();
    if (this.#buffers) releaseNative(this.#buffers);
    this.#cbs = undefined;
    this.#buffers = undefined;
  }

  #check(result: number): void {
    if (result !== 0) throw new Error(`${this.name}: submission failed with ${result}`);
  }
}

/** glibc aio_read through koffi (any QD the workload asks for). */
export function glibcReadContenders(): ReadContender[] {
  const peer = new GlibcPeer('glibc aio_read');
  return [{ name: peer.name, family: 'glibc', unavailable: peer.unavailable, setup: (j) => peer.setup(j), runReads: (j) => peer.run(j, false), teardown: () => peer.teardown() }];
}

/** glibc aio_write through koffi. */
export function glibcWriteContenders(): WriteContender[] {
  const peer = new GlibcPeer('glibc aio_write');
  return [{ name: peer.name, family: 'glibc', unavailable: peer.unavailable, setup: (j) => peer.setup(j), runWrites: (j) => peer.run(j, true), teardown: () => peer.teardown() }];
}

/** glibc aio_read at QD1 for the latency workload. */
export function glibcLatencyContenders(): LatencyContender[] {
  const peer = new GlibcPeer('glibc aio_read');
  return [{ name: peer.name, family: 'glibc', unavailable: peer.unavailable, setup: (j) => peer.setup(j), runLatency: (j) => peer.latency(j), teardown: () => peer.teardown() }];
}
