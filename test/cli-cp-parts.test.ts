/**
 * The parts of `syslet-aio cp` that can be checked without a child process: sizes, the latency
 * histogram, the progress display (with a fake clock), the verifier, and the per-request
 * completion record (Aiocb.lastCompletion) the summary's inline/cachemiss split comes from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aiocb, type AioCompletion, aio_error, aio_read, aio_return, aio_suspend, aio_write, EINPROGRESS } from '../index.js';
import { copyFd } from '../cli/cp-copy.js';
import { LatencyHistogram } from '../cli/cp-stats.js';
import { formatBytes, formatEta, formatNs, parseSize } from '../cli/cp-units.js';
import { compareFiles } from '../cli/cp-verify.js';
import { Progress } from '../cli/progress.js';

const MIB = 1024 * 1024;

function completionOf(cb: Aiocb): AioCompletion {
  return cb.lastCompletion;
}

function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-cp-parts-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('parseSize reads binary suffixes and refuses what is not a whole byte count', () => {
  const cases: [string, number][] = [['4096', 4096], ['4k', 4096], ['128K', 131072], ['1m', MIB], ['1MiB', MIB], ['64MB', 64 * MIB], ['1.5g', 1.5 * 1024 ** 3], ['0', 0]];
  for (const [text, bytes] of cases) assert.equal(parseSize(text), bytes, text);
  for (const text of ['', 'k', '1.1k', '-4k', '4 kilobytes', '12q', '0x10']) assert.ok(Number.isNaN(parseSize(text)), text);
});

test('formatBytes, formatNs and formatEta pick readable units', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(4096), '4.00 KiB');
  assert.equal(formatBytes(64 * MIB), '64.0 MiB');
  assert.equal(formatBytes(256 * MIB), '256 MiB');
  assert.equal(formatNs(850), '850 ns');
  assert.equal(formatNs(12_345), '12.3 µs');
  assert.equal(formatNs(4_560_000), '4.56 ms');
  assert.equal(formatNs(NaN), '-');
  assert.equal(formatEta(65), '1:05');
  assert.equal(formatEta(3725), '1:02:05');
  assert.equal(formatEta(Infinity), '--:--');
});

test('LatencyHistogram percentiles stay within 1% of the exact ones', () => {
  const histogram = new LatencyHistogram();
  const samples: number[] = [];
  // Spread over six orders of magnitude, as inline (µs) and cachemiss (ms) requests are.
  for (let i = 1; i <= 10_000; i++) {
    const ns = Math.round(50 * 1.0013 ** i);
    samples.push(ns);
    histogram.record(ns);
  }
  histogram.record(NaN); // ignored: an inline request's engine latency is NaN
  histogram.record(-1);
  samples.sort((a, b) => a - b);
  assert.equal(histogram.count, samples.length);
  for (const p of [50, 90, 99, 99.9]) {
    const exact = samples[Math.ceil((p / 100) * samples.length) - 1] as number;
    const got = histogram.percentile(p);
    assert.ok(Math.abs(got - exact) / exact < 0.01, `p${p}: ${got} vs ${exact}`);
  }
  assert.equal(histogram.max, samples.at(-1));
  assert.ok(Number.isNaN(new LatencyHistogram().percentile(50)));
});

test('Progress draws at most 10 times a second on a terminal, once a second otherwise', () => {
  let now = 0;
  const tty: string[] = [];
  const plain: string[] = [];
  const bar = new Progress({ label: 'copy', total: 100 * MIB, tty: true, write: (t) => tty.push(t), columns: 100, now: () => now });
  const lines = new Progress({ label: 'copy', total: 100 * MIB, tty: false, write: (t) => plain.push(t), now: () => now });
  for (let ms = 0; ms <= 2000; ms += 10) {
    now = ms;
    bar.update(ms * 50 * 1024); // 50 KiB per ms = 48.8 MiB/s
    lines.update(ms * 50 * 1024);
  }
  // The first update draws at once (a long job shows it started), then at the interval.
  assert.ok(tty.length >= 20 && tty.length <= 21, `${tty.length} redraws`);
  assert.equal(plain.length, 3);
  for (const text of tty) {
    // Back to the line's start, the figures, then "erase to end of line" for a longer old draw.
    assert.ok(text.startsWith('\r') && text.endsWith('\x1b[K'), JSON.stringify(text));
    assert.match(text.slice(1, -3), /^copy +\d+% \[#*-*\] .* MiB\/s {2}ETA (\d+:\d\d|--:--)$/);
  }
  assert.equal(plain[0], 'copy: 0%, 0 B / 100 MiB  0.0 MiB/s  ETA --:--\n');
  assert.equal(plain[1], 'copy: 48%, 48.8 MiB / 100 MiB  48.8 MiB/s  ETA 0:02\n');
  bar.finish();
  lines.finish();
  assert.equal(tty.at(-1), '\r\x1b[K', 'the bar is cleared at the end');
  assert.equal(plain.length, 3, 'plain lines need no clearing');
});

test('compareFiles finds the first differing byte, or where the shorter file ends', async () => {
  const { dir, done } = scratch();
  try {
    const data = randomBytes(3 * MIB + 5);
    const changed = Buffer.from(data);
    changed[2 * MIB + 4097] = (changed[2 * MIB + 4097] as number) ^ 0xff;
    writeFileSync(join(dir, 'a'), data);
    writeFileSync(join(dir, 'same'), data);
    writeFileSync(join(dir, 'changed'), changed);
    writeFileSync(join(dir, 'short'), data.subarray(0, MIB + 3));
    assert.deepEqual(await compareFiles(join(dir, 'a'), join(dir, 'same')), { same: true });
    assert.deepEqual(await compareFiles(join(dir, 'a'), join(dir, 'changed')), { same: false, offset: 2 * MIB + 4097 });
    assert.deepEqual(await compareFiles(join(dir, 'a'), join(dir, 'short')), { same: false, offset: MIB + 3 });
  } finally {
    done();
  }
});

test('Aiocb.lastCompletion says how each request completed, without a new object per request', () => {
  const { dir, done } = scratch();
  const path = join(dir, 'f');
  writeFileSync(path, randomBytes(8192));
  const fd = openSync(path, 'r+');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: 0 });
    const view = cb.lastCompletion;
    assert.equal(view.mode, null, 'never submitted');
    // Just written, so cached: the read completes inside aio_read, and no clock was read for it.
    assert.equal(aio_read(cb), 0);
    assert.equal(aio_error(cb), 0);
    assert.equal(cb.lastCompletion.mode, 'inline');
    assert.ok(Number.isNaN(cb.lastCompletion.latencyNs));
    assert.equal(cb.lastCompletion, view, 'a live view, not a copy');

    // A buffered write is inline where RWF_NOWAIT writes work, cachemiss where they do not.
    assert.equal(aio_write(cb), 0);
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
    assert.equal(aio_return(cb), 4096);
    const { mode, latencyNs } = completionOf(cb); // not narrowed by the 'inline' assertion above
    assert.ok(mode === 'inline' || mode === 'cachemiss', String(mode));
    if (mode === 'cachemiss') assert.ok(latencyNs > 0 && latencyNs < 60e9, String(latencyNs));
    else assert.ok(Number.isNaN(latencyNs));
  } finally {
    closeSync(fd);
    done();
  }
});

test('copyFd copies through a ring of aiocbs and accounts for every request', async () => {
  const { dir, done } = scratch();
  const size = 300 * 1024 + 17;
  const data = randomBytes(size);
  writeFileSync(join(dir, 'src'), data);
  const src = openSync(join(dir, 'src'), 'r');
  const dst = openSync(join(dir, 'dst'), 'w');
  try {
    const ticks: number[] = [];
    const counters = await copyFd(src, dst, { qd: 3, bs: 8192, size, fsync: true, progress: (bytes) => ticks.push(bytes) });
    assert.equal(counters.bytes, size);
    assert.equal(counters.writes, Math.ceil(size / 8192));
    assert.ok(counters.reads >= counters.writes);
    assert.equal(counters.inline + counters.cachemiss, counters.reads + counters.writes);
    assert.equal(counters.latency.count, counters.reads + counters.writes);
    assert.ok(counters.fsyncSeconds >= 0 && counters.fsyncSeconds <= counters.seconds);
    for (let i = 1; i < ticks.length; i++) assert.ok((ticks[i] as number) >= (ticks[i - 1] as number), 'progress only grows');
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  try {
    assert.deepEqual(await compareFiles(join(dir, 'src'), join(dir, 'dst')), { same: true });
  } finally {
    done();
  }
});
