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
 * Runs before cloud-init formats disks: minimal CentOS images may lack mkfs.xfs,
 * and the base OS repositories carry it. Guarded, since bootcmd runs every boot.
 */
export const XFSPROGS_BOOTCMD = ['sh', '-c', 'rpm -q xfsprogs >/dev/null 2>&1 || yum -y install xfsprogs'] as const;
