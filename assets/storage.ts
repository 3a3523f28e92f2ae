/**
 * A node's planned volumes as cloud-init disk settings: each volume formatted
 * XFS as a whole device (no partition table, as Swift's deployment guide does
 * for ring devices) and mounted where its role expects it. Devices are named by
 * the stable path the target gives (`DevicePath`), never by attachment order.
 */
import type { NodePlan } from '../plan/types';
import { mountOptionsOf, mountPointOf, type DevicePath } from './devices';

export interface FsSetup {
  readonly label: string;
  readonly filesystem: 'xfs';
  readonly device: string;
  readonly partition: 'none';
  readonly overwrite: false;
  readonly extra_opts?: readonly string[];
}

/** cloud-init `mounts` entry: device, mount point, type, options, dump, pass. */
export type MountEntry = readonly [string, string, string, string, string, string];

export interface DiskConfig {
  readonly fs_setup: readonly FsSetup[];
  readonly mounts: readonly MountEntry[];
  /** Mount points the hand-off checks before configuring anything. */
  readonly mountPoints: readonly string[];
}

/** Swift's recommended inode size keeps object metadata (xattrs) in the inode. */
const XFS_OPTIONS: Record<string, readonly string[]> = { 'swift-device': ['-i', 'size=512'] };

export function diskConfig(node: NodePlan, devicePath: DevicePath): DiskConfig | undefined {
  if (node.volumes.length === 0) return undefined;
  const devices = node.volumes.map((volume, index) => ({
    volume,
    device: devicePath(node, volume, index),
    mountPoint: mountPointOf(volume),
  }));
  return {
    fs_setup: devices.map(({ volume, device }) => ({
      label: volume.name,
      filesystem: 'xfs',
      device,
      partition: 'none',
      // Never reformat: a rebooted node keeps its data.
      overwrite: false,
      ...(XFS_OPTIONS[volume.purpose] ? { extra_opts: XFS_OPTIONS[volume.purpose] } : {}),
    })),
    mounts: devices.map(({ volume, device, mountPoint }) => [device, mountPoint, 'xfs', mountOptionsOf(volume), '0', '2'] as const),
    mountPoints: devices.map((d) => d.mountPoint),
  };
}

/**
 * bootcmd entry formatting and mounting the node's volumes itself: EL's cloud-init
 * 0.7.5 does not run `disk_setup` (not in the distribution's module lists), so
 * `fs_setup` would be ignored. Installs xfsprogs first from the OS archive (minimal
 * images lack mkfs.xfs); waits for each device (volumes may attach after boot);
 * formats only a device without a filesystem, so a reboot keeps the data; mounts by
 * the filesystem's UUID, `nofail`. POSIX sh, every boot.
 *
 * A device is a stable path, or a `xen:` locator (targets/aws/disks.ts): a Xen
 * virtual disk found by its virtual-device numbers, since the name the kernel gives
 * it differs between kernels (EL6's blkfront shifts sd-style disks four letters).
 */
export function disksBootcmd(disks: DiskConfig): readonly string[] {
  // One function, one call per volume: each (long, by-id) device path is written once.
  const lines = [
    'rpm -q xfsprogs >/dev/null 2>&1 || yum -y install xfsprogs || exit 1',
    ...deviceFinder(disks.mounts.map(([device]) => device)),
    '# vol DEVICE LABEL MOUNT-POINT MOUNT-OPTIONS MKFS-OPTIONS',
    'vol() {',
    '  i=0; while ! d=$(dev "$1" $i) && [ $i -lt 90 ]; do sleep 2; i=$((i+1)); done',
    '  [ -n "$d" ] || { echo "$1 did not appear" >&2; return 0; }',
    '  blkid "$d" >/dev/null 2>&1 || mkfs.xfs -L "$2" $5 "$d"',
    '  u=$(blkid -s UUID -o value "$d")',
    '  [ -n "$u" ] || { echo "$d holds no filesystem" >&2; return 0; }',
    '  mkdir -p "$3"',
    '  grep -qs " $3 " /etc/fstab || echo "UUID=$u $3 xfs $4 0 2" >> /etc/fstab',
    '  grep -qs " $3 " /proc/mounts || mount "$3"',
    '}',
    ...disks.fs_setup.map((fs, i) => {
      const [device, mountPoint, , options] = disks.mounts[i];
      return `vol ${device} ${fs.label} ${mountPoint} ${options} '${(fs.extra_opts ?? []).join(' ')}'`;
    }),
  ];
  return ['sh', '-c', lines.join('\n')];
}

/**
 * `dev LOCATOR TRIES`: the block device a locator names, or failure (the caller waits and
 * asks again). Only the kinds the node uses are written. No `${…}` expansions: Terraform
 * would read them as its own interpolations in the user data.
 */
function deviceFinder(devices: readonly string[]): string[] {
  const xen = devices.some((d) => d.startsWith('xen:'));
  const virtio = devices.some((d) => d.startsWith('virtio:'));
  if (!xen && !virtio) return ['dev() { [ -b "$1" ] && echo "$1"; }'];
  return [
    '# dev LOCATOR TRIES - a path; xen:vbd-N:vbd-M, the disk of that Xen device (xenbus name);',
    "# virtio:SERIAL:vdX, udev's link of that serial, or vdX where udev links no virtio disk by serial",
    'dev() {',
    '  case $1 in',
    ...(xen
      ? [
          '  xen:*)',
          '    for b in /sys/block/*; do',
          '      v=$(readlink -f "$b/device" 2>/dev/null) || continue',
          '      n=$(basename "$v"); k=$(basename "$b")',
          '      case ":$1:" in *":$n:"*) [ -b "/dev/$k" ] && echo "/dev/$k" && return 0 ;; esac',
          '    done',
          '    return 1 ;;',
        ]
      : []),
    ...(virtio
      ? [
          '  virtio:*)',
          '    s=$(echo "$1" | cut -d: -f2); k=$(echo "$1" | cut -d: -f3)',
          '    [ -b "/dev/disk/by-id/virtio-$s" ] && echo "/dev/disk/by-id/virtio-$s" && return 0',
          // A kernel without virtio-blk's serial attribute gets no such links: after 30 s with none at all, the disk by its place.
          '    [ "$2" -ge 15 ] || return 1',
          '    ls /dev/disk/by-id/virtio-* >/dev/null 2>&1 && return 1',
          '    [ -b "/dev/$k" ] && echo "/dev/$k" ;;',
        ]
      : []),
    '  *) [ -b "$1" ] && echo "$1" ;;',
    '  esac',
    '}',
  ];
}
