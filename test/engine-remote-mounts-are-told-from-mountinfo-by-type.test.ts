/**
 * engine/remote-mounts.ts tells the mounts whose calls may wait for a server from
 * /proc/self/mountinfo lines: by the type after the " - " separator (whatever number of optional
 * fields comes before it), with the st_dev of the mount's files from its "major:minor" field, in
 * the kernel's encoding (major << 20 | minor, as statx's stx_dev_major/minor give it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { remoteDevicesIn } from '../engine/remote-mounts.js';

const dev = (major: number, minor: number): number => major * 0x100000 + minor;

test('FUSE (every subtype), NFS, SMB, 9p and Ceph mounts are remote; ext4, tmpfs, proc and overlay are not', () => {
  const mountinfo = [
    '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda rw',
    '23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw',
    '24 22 0:22 / /tmp rw master:3 unbindable - tmpfs tmpfs rw',
    '30 22 0:40 / /mnt/sshfs rw,nosuid,nodev - fuse.sshfs host:/srv rw,user_id=0,group_id=0',
    '31 22 0:41 / /mnt/fuse rw - fuse fuse rw',
    '32 22 8:17 / /mnt/ntfs rw - fuseblk /dev/sdb1 rw',
    '33 22 0:43 /export /mnt/nfs rw,relatime shared:40 - nfs4 server:/export rw,vers=4.2',
    '34 22 0:44 / /mnt/smb rw - cifs //server/share rw',
    '35 22 0:45 / /mnt/9p rw - 9p hostshare rw,trans=virtio',
    '36 22 0:46 / /mnt/ceph rw - ceph 10.0.0.1:/ rw',
    '37 22 0:47 / /var/lib/docker/overlay rw - overlay overlay rw,lowerdir=/a',
    '38 22 0:48 / /mnt/odd - weird - -',
    '',
  ].join('\n');
  assert.deepEqual([...remoteDevicesIn(mountinfo)].sort((a, b) => a - b), [dev(0, 40), dev(0, 41), dev(0, 43), dev(0, 44), dev(0, 45), dev(0, 46), dev(8, 17)].sort((a, b) => a - b));
});

test("the major:minor field is the st_dev of the mount's files (this process's root)", () => {
  const root = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((line) => line.split(' ')[4] === '/');
  assert.ok(root !== undefined, 'a root mount');
  const [major, minor] = (root.split(' ')[2] ?? '').split(':').map(Number);
  const st = statSync('/');
  // Node's st_dev is glibc's encoding; compare the parts.
  const glibcMajor = ((st.dev >>> 8) & 0xfff) | Math.floor(st.dev / 2 ** 32) & ~0xfff;
  const glibcMinor = (st.dev & 0xff) | ((st.dev >>> 12) & ~0xff);
  assert.deepEqual([major, minor], [glibcMajor, glibcMinor]);
});
