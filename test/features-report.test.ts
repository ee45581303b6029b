/**
 * probeFeatures on this machine: every field has its documented type, probes that the kernel
 * supports behave as documented, and a probe that is missing here makes its test skip with the
 * kernel's reason (liburing's T_EXIT_SKIP) instead of passing silently.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFeatures, type FeatureProbe } from '../engine/features.js';
import { SYSCALL_TABLE, isDenied } from '../engine/syscalls/table.js';

const report = probeFeatures();

function assertProbeShape(probe: FeatureProbe, name: string): void {
  assert.equal(typeof probe.supported, 'boolean', name);
  assert.ok(typeof probe.detail === 'string' && probe.detail.length > 0, `${name}.detail`);
  if (probe.supported) assert.equal(probe.errno, null, `${name}.errno is null when supported`);
  else assert.ok(probe.errno === null || /^E[A-Z0-9]+$/.test(probe.errno), `${name}.errno is an errno name: ${probe.errno}`);
}

/** Skips the calling test, with the probe's own explanation, when the feature is missing here. */
function requireFeature(t: TestContext, probe: FeatureProbe, name: string): boolean {
  if (probe.supported) return true;
  t.skip(`${name} not available on ${release()}: ${probe.errno ?? '?'}: ${probe.detail}`);
  return false;
}

test('every field of the report has its documented type', () => {
  assert.equal(report.kernel.release, release());
  assert.equal(report.kernel.machine, 'x86_64');
  assert.equal(report.probeDir, tmpdir());
  assert.ok(report.fileSystem.length > 0);
  const probes = {
    rwfNowaitRead: report.rwfNowaitRead,
    rwfNowaitBufferedWrite: report.rwfNowaitBufferedWrite,
    resolveCached: report.resolveCached,
    map32bit: report.map32bit,
    ioUring: report.ioUring,
    signalfd: report.signalfd,
    eventfd: report.eventfd,
  };
  for (const [name, probe] of Object.entries(probes)) assertProbeShape(probe, name);
  assert.ok(report.map32bit.address === null || Number.isSafeInteger(report.map32bit.address));
  assert.ok(report.ioUring.disabledSysctl === null || [0, 1, 2].includes(report.ioUring.disabledSysctl));
  assert.ok(report.ioUring.features === null || Number.isInteger(report.ioUring.features));
});

test('RWF_NOWAIT reads of a cached page work (the inline read probe)', (t) => {
  if (!requireFeature(t, report.rwfNowaitRead, 'preadv2(RWF_NOWAIT)')) return;
  // The page was just written, so the whole page comes back, not merely "flag understood" (EAGAIN).
  assert.match(report.rwfNowaitRead.detail, /^preadv2\(RWF_NOWAIT\) moved 4096 cached bytes/);
});

test('the buffered-write probe gives a definite answer for the probe file system', () => {
  const probe = report.rwfNowaitBufferedWrite;
  // Supported, or refused in one of the two ways the kernel refuses a flag it cannot honour here.
  if (!probe.supported) assert.ok(probe.errno === 'EOPNOTSUPP' || probe.errno === 'EINVAL', `${probe.errno}: ${probe.detail}`);
  if (report.fileSystem === 'ext2/ext3/ext4' && !probe.supported) {
    // ext4's buffered write path refuses IOCB_NOWAIT outright, and the executor's
    // unprobeableWrite handling keys on exactly EOPNOTSUPP.
    assert.equal(probe.errno, 'EOPNOTSUPP', probe.detail);
  }
});

test('RESOLVE_CACHED opens of a just-walked path work (the inline open probe)', (t) => {
  if (!requireFeature(t, report.resolveCached, 'openat2(RESOLVE_CACHED)')) return;
  // The probe walked the path an instant before, so the dcache has it: a real open, not EAGAIN.
  assert.match(report.resolveCached.detail, /resolved a cached path/);
});

test('MAP_32BIT mappings land below 2 GiB', (t) => {
  if (!requireFeature(t, report.map32bit, 'mmap(MAP_32BIT)')) return;
  const address = report.map32bit.address;
  assert.ok(address !== null && address > 0 && address + 4096 <= 0x8000_0000, `0x${address?.toString(16)}`);
});

test('io_uring is either available or refused with the reason reported', (t) => {
  const probe = report.ioUring;
  if (!probe.supported) {
    assert.ok(probe.errno === 'ENOSYS' || probe.errno === 'EPERM' || probe.errno === 'EACCES', `${probe.errno}`);
    assert.equal(probe.features, null);
    t.skip(`io_uring refused here: ${probe.detail}`);
    return;
  }
  assert.equal(typeof probe.features, 'number');
  // IORING_FEAT_SINGLE_MMAP (bit 0) exists since 5.4, the oldest kernel with every other probe.
  assert.equal((probe.features ?? 0) & 1, 1);
});

test('eventfd works: the engine cannot wake the event loop without it', () => {
  // Not a skip: eventfd2 dates from 2.6.27, and an engine without it cannot complete anything.
  assert.equal(report.eventfd.supported, true, `${report.eventfd.errno ?? '?'}: ${report.eventfd.detail}`);
});

test('signalfd descriptors can be created (SIGEV_SIGNAL on the event loop)', (t) => {
  if (!requireFeature(t, report.signalfd, 'signalfd4')) return;
  assert.match(report.signalfd.detail, /^signalfd4 created a descriptor/);
});

test('the policy summary is the table: allowed calls plus the hard deny-list with reasons', () => {
  const { policy } = report;
  const deniedRows = SYSCALL_TABLE.filter(isDenied);
  assert.equal(policy.allowedCount, policy.allowed.length);
  assert.equal(policy.allowedCount + deniedRows.length, SYSCALL_TABLE.length, 'every row is either allowed or denied');
  assert.deepEqual(policy.denied, deniedRows.map((spec) => ({ name: spec.name, x86_64: spec.x86_64, reason: spec.policy.deny })));
  assert.ok(policy.denied.some((entry) => entry.name === 'io_uring_setup'));
  assert.equal(policy.disabledByEnv, process.env.SYSLET_AIO_DISABLED === '1');
});

test('an unusable probe directory is reported, not thrown', (t) => {
  if (process.getuid?.() === 0) {
    // root ignores directory permissions; a missing directory exercises the same path.
    const missing = probeFeatures({ dir: join(tmpdir(), 'syslet-aio-missing', 'nowhere') });
    for (const probe of [missing.rwfNowaitRead, missing.rwfNowaitBufferedWrite, missing.resolveCached]) {
      assert.equal(probe.supported, false);
      assert.equal(probe.errno, 'ENOENT');
      assert.match(probe.detail, /could not create a probe file/);
    }
    assert.equal(missing.eventfd.supported, report.eventfd.supported, 'fd probes do not depend on the directory');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-readonly-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o500);
  const readonly = probeFeatures({ dir });
  assert.equal(readonly.rwfNowaitRead.supported, false);
  assert.equal(readonly.rwfNowaitRead.errno, 'EACCES');
});
