/**
 * What a stock image of the era needs before anything is installed (assets/os-archives.ts,
 * assets/storage.ts): the image's dead repositories set aside and the archive's written,
 * and the volumes formatted and mounted by the node itself. Both bootcmd scripts run
 * here under POSIX sh (Debian's dash), rooted in a temporary folder, with stand-ins for
 * yum, rpm, blkid, mkfs.xfs and mount that record what they were asked.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewDevicePath } from '../assets/devices';
import { guestDevicePath } from '../assets/libvirt';
import { osRepos, osReposBootcmd, vaultBase } from '../assets/os-archives';
import { diskConfig, disksBootcmd } from '../assets/storage';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import type { NodePlan } from '../plan/types';
import { target } from './support/shapes';

const plan = buildPlan(loadProfile(), target('aws', { placement: 'instances' }));
const nodeOf = (role: string, side = 'old'): NodePlan => plan.nodes.find((n) => n.role === role && n.side === side)!;

test('the vault keeps each CentOS minor release in its own folder; EPEL in the Fedora archive', () => {
  expect([vaultBase('centos-6.7'), vaultBase('centos-7.1'), vaultBase('centos-7.2')]).toEqual([
    'https://vault.centos.org/6.7/',
    'https://vault.centos.org/7.1.1503/',
    'https://vault.centos.org/7.2.1511/',
  ]);
  expect([vaultBase('rhel-7.2'), vaultBase('centos-7.12')]).toEqual([undefined, undefined]);
  const swift = nodeOf('swift-storage');
  expect(swift.os).toBe('centos-6.7');
  expect(osRepos(swift, {}).map((r) => [r.id, r.baseurl, r.gpgkey])).toEqual([
    ['staging-os', 'https://vault.centos.org/6.7/os/x86_64/', 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6'],
    ['staging-updates', 'https://vault.centos.org/6.7/updates/x86_64/', 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6'],
    ['staging-extras', 'https://vault.centos.org/6.7/extras/x86_64/', 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6'],
    ['staging-epel', 'https://archives.fedoraproject.org/pub/archive/epel/6/x86_64/', undefined],
  ]);
  const own = osRepos(nodeOf('keystone', 'new'), {
    osArchives: { 'centos-7.2': 'http://mirror.example/c7.2' },
    epelArchives: { '7': 'http://mirror.example/epel7/' },
  });
  expect(own.map((r) => r.baseurl)).toEqual([
    'http://mirror.example/c7.2/os/x86_64/',
    'http://mirror.example/c7.2/updates/x86_64/',
    'http://mirror.example/c7.2/extras/x86_64/',
    'http://mirror.example/epel7/',
  ]);
});

/** A folder standing for /, and stand-in tools that log their arguments. */
function sandbox(tools: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'os-bootstrap-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> ${root}/calls\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const run = (script: string) =>
    execFileSync(
      'sh',
      [
        '-c',
        script
          .replaceAll('/etc/', `${root}/etc/`)
          .replaceAll('/var/lib/', `${root}/var/lib/`)
          .replaceAll('/srv/', `${root}/srv/`)
          .replaceAll('/proc/mounts', `${root}/mounts`)
          .replaceAll('/dev/disk/', `${root}/dev/disk/`),
      ],
      {
        env: { PATH: `${bin}:/usr/bin:/bin` },
        encoding: 'utf8',
      },
    );
  const calls = () => (existsSync(join(root, 'calls')) ? readFileSync(join(root, 'calls'), 'utf8').trim().split('\n') : []);
  return { root, run, calls };
}

test("the image's repository files are set aside and the archive's written, once", () => {
  const node = nodeOf('swift-storage');
  const box = sandbox({ yum: 'exit 0' });
  mkdirSync(join(box.root, 'etc/yum.repos.d'), { recursive: true });
  for (const f of ['CentOS-Base.repo', 'CentOS-Vault.repo', 'openstack-icehouse.repo'])
    writeFileSync(join(box.root, 'etc/yum.repos.d', f), `[${f}]\n`);
  const script = osReposBootcmd(node, {})[2];
  box.run(script);
  expect(readdirSync(join(box.root, 'etc/yum.repos.d')).sort()).toEqual([
    'CentOS-Base.repo.image-disabled',
    'CentOS-Vault.repo.image-disabled',
    'openstack-icehouse.repo',
    'staging-os.repo',
  ]);
  const repo = readFileSync(join(box.root, 'etc/yum.repos.d/staging-os.repo'), 'utf8');
  expect(repo.match(/^\[[a-z-]+\]$/gm)).toEqual(['[staging-os]', '[staging-updates]', '[staging-extras]', '[staging-epel]']);
  // (The sandbox roots /etc/, the key's path included.)
  expect(repo).toContain(
    `baseurl=https://vault.centos.org/6.7/os/x86_64/\nenabled=1\ngpgcheck=1\ngpgkey=file://${box.root}/etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-6\n`,
  );
  // A later boot leaves what packages installed since (an epel.repo, say) alone.
  writeFileSync(join(box.root, 'etc/yum.repos.d/epel.repo'), '[epel]\n');
  box.run(script);
  expect(readdirSync(join(box.root, 'etc/yum.repos.d'))).toContain('epel.repo');
});

/** The sandbox of the disk script: blkid and mkfs.xfs stand-ins over device files, mount into a mount table of its own. */
function diskSandbox() {
  const box = sandbox({
    rpm: 'exit 1',
    yum: 'exit 0',
    // A device holds a filesystem (its UUID in DEVICE.fs) once mkfs.xfs has run on it.
    blkid: 'if [ "$1" = -s ]; then cat "$5.fs" 2>/dev/null; else [ -f "$1.fs" ]; fi',
    'mkfs.xfs': 'for a; do last=$a; done; echo "uuid-${last##*/}" > "$last.fs"',
  });
  // mount MOUNTPOINT: what /proc/mounts then lists.
  writeFileSync(
    join(box.root, 'bin/mount'),
    `#!/bin/sh\necho "mount $*" >> ${box.root}/calls\necho "dev $1 xfs rw 0 0" >> ${box.root}/mounts\n`,
  );
  chmodSync(join(box.root, 'bin/mount'), 0o755);
  mkdirSync(join(box.root, 'etc'), { recursive: true });
  writeFileSync(join(box.root, 'etc/fstab'), '');
  // The sandbox's devices are files: test for existence where the node tests for a block device.
  const prepare = (script: string) =>
    script.replaceAll('[ -b ', '[ -e ').replaceAll('/sys/block/', `${box.root}/sys/block/`).replaceAll('"/dev/$k"', `"${box.root}/dev/$k"`);
  return { ...box, prepare };
}

test('the volumes are formatted once, added to fstab once by UUID and mounted, found by their stable paths', () => {
  const node = nodeOf('swift-storage');
  const box = diskSandbox();
  const paths = node.volumes.map((v, i) => `/dev/disk/by-id/test-${i}-${v.name}`);
  mkdirSync(join(box.root, 'dev/disk/by-id'), { recursive: true });
  for (const p of paths) writeFileSync(join(box.root, p.slice(1)), '');
  const script = box.prepare(disksBootcmd(diskConfig(node, (_n, _v, i) => paths[i])!)[2]);
  box.run(script);
  box.run(script);
  const calls = box.calls();
  expect(calls.filter((c) => c.startsWith('mkfs.xfs'))).toEqual(
    node.volumes.map((v, i) => `mkfs.xfs -L ${v.name} -i size=512 ${box.root}/dev/disk/by-id/test-${i}-${v.name}`),
  );
  expect(calls.filter((c) => c.startsWith('yum'))).toEqual(['yum -y install xfsprogs', 'yum -y install xfsprogs']);
  const fstab = readFileSync(join(box.root, 'etc/fstab'), 'utf8').trim().split('\n');
  expect(fstab).toEqual(
    node.volumes.map((v, i) => `UUID=uuid-test-${i}-${v.name} ${box.root}/srv/node/${v.name} xfs noatime,nodiratime,logbufs=8,nofail 0 2`),
  );
  // Mounted at the first boot only: the second finds them in the mount table.
  expect(calls.filter((c) => c.startsWith('mount'))).toEqual(node.volumes.map((v) => `mount ${box.root}/srv/node/${v.name}`));
});

test("on a Xen type each volume is the disk of its attachment's Xen device number, whatever the kernel named it", () => {
  const node = nodeOf('swift-storage');
  const box = diskSandbox();
  // EL6's blkfront names the sd-style disks of /dev/sdf and /dev/sdg xvdj and xvdk; the root disk is xvde.
  // Their sysfs devices are the xenbus devices vbd-<number> (sd-style numbers: 8:80, 8:96; root 8:0).
  const disks = { xvde: 2048, xvdj: 2128, xvdk: 2144 };
  mkdirSync(join(box.root, 'dev'), { recursive: true });
  for (const [name, vbd] of Object.entries(disks)) {
    mkdirSync(join(box.root, `sys/devices/vbd-${vbd}`), { recursive: true });
    mkdirSync(join(box.root, 'sys/block', name), { recursive: true });
    symlinkSync(`../../devices/vbd-${vbd}`, join(box.root, 'sys/block', name, 'device'));
    writeFileSync(join(box.root, 'dev', name), '');
  }
  const config = diskConfig(node, reviewDevicePath('aws'))!;
  expect(config.mounts.map(([device]) => device)).toEqual(['xen:vbd-2128:vbd-51792', 'xen:vbd-2144:vbd-51808']);
  box.run(box.prepare(disksBootcmd(config)[2]));
  expect(box.calls().filter((c) => c.startsWith('mkfs.xfs'))).toEqual([
    `mkfs.xfs -L d1 -i size=512 ${box.root}/dev/xvdj`,
    `mkfs.xfs -L d2 -i size=512 ${box.root}/dev/xvdk`,
  ]);
  expect(readFileSync(join(box.root, 'etc/fstab'), 'utf8')).toBe(
    ['d1', 'd2'].map((d, i) => `UUID=uuid-xvd${'jk'[i]} ${box.root}/srv/node/${d} xfs noatime,nodiratime,logbufs=8,nofail 0 2\n`).join(''),
  );
});

describe("a KVM guest's volumes: udev's link of each serial, or the disk's place where udev links no virtio serial", () => {
  const node = nodeOf('swift-storage');
  const config = diskConfig(node, guestDevicePath)!;
  /** What mkfs.xfs formatted on a guest with the disks vda (root), vdb and vdc and the by-id links given, paths from its /. */
  function formatted(links: readonly string[]): string[] {
    const box = diskSandbox();
    writeFileSync(join(box.root, 'bin/sleep'), '#!/bin/sh\n');
    chmodSync(join(box.root, 'bin/sleep'), 0o755);
    mkdirSync(join(box.root, 'dev/disk/by-id'), { recursive: true });
    for (const disk of ['vda', 'vdb', 'vdc']) writeFileSync(join(box.root, 'dev', disk), '');
    for (const link of links) writeFileSync(join(box.root, 'dev/disk/by-id', link), '');
    box.run(box.prepare(disksBootcmd(config)[2]));
    return box
      .calls()
      .filter((c) => c.startsWith('mkfs.xfs'))
      .map((c) => c.replace(` -i size=512 ${box.root}`, ' '));
  }

  test('the links where the kernel shows serials', () => {
    expect(config.mounts.map(([device]) => device)).toEqual(['virtio:d1:vdb', 'virtio:d2:vdc']);
    expect(formatted(['virtio-d1', 'virtio-d2'])).toEqual([
      'mkfs.xfs -L d1 /dev/disk/by-id/virtio-d1',
      'mkfs.xfs -L d2 /dev/disk/by-id/virtio-d2',
    ]);
  });

  test('vdb and vdc, after waiting, on a kernel that shows no serial', () => {
    expect(formatted([])).toEqual(['mkfs.xfs -L d1 /dev/vdb', 'mkfs.xfs -L d2 /dev/vdc']);
  });

  test('never by place where udev links serials but not this one', () => {
    expect(formatted(['virtio-d1'])).toEqual(['mkfs.xfs -L d1 /dev/disk/by-id/virtio-d1']);
  });
});
