/**
 * Where a planned volume appears inside the guest, and where it is mounted.
 * Clouds name attached disks differently (EBS on Nitro shows up as NVMe in
 * attachment order, which is not stable), so the mapping is an input: each
 * target passes the stable path it knows, usually one holding the volume id.
 */
import type { CloudName } from '../targets/config';
import { factsOf } from '../targets/facts';
import type { NodePlan, VolumePlan } from '../plan/types';

/** Stable device path of `volume` (the `index`-th of `node.volumes`) inside the guest. */
export type DevicePath = (node: NodePlan, volume: VolumePlan, index: number) => string;

/** The mapping a stack builds from the paths its target computed, in `node.volumes` order. */
export function devicePathsFrom(paths: readonly string[]): DevicePath {
  return (node, volume, index) => {
    const path = paths[index];
    if (path === undefined)
      throw new Error(
        `${node.name}: no device path for volume ${volume.name} (got ${paths.length} paths for ${node.volumes.length} volumes)`,
      );
    return path;
  };
}

/**
 * Paths for reviewing assets before deploy, when volume ids do not exist yet: the
 * target's device of the node's size with a stand-in id at least as long as a real
 * one, so that size checks stay an upper bound.
 */
export function reviewDevicePath(cloud: CloudName): DevicePath {
  const facts = factsOf(cloud);
  return (node, volume, index) => facts.volumeDevice(node.size.offer, index, `ID-OF-${node.name}-${volume.name}`);
}

/** Mount point per volume purpose; Swift devices go under /srv/node/<device> as the ring names them. */
/** Where the migration toolbox keeps the database dumps (its `dumps` volume). */
export const DUMPS_DIR = '/srv/dumps';

export function mountPointOf(volume: VolumePlan): string {
  switch (volume.purpose) {
    case 'swift-device':
      return `/srv/node/${volume.name}`;
    case 'database':
      return '/var/lib/mysql';
    case 'instances':
      return '/var/lib/nova/instances';
    case 'dumps':
      return DUMPS_DIR;
  }
}

/** Mount options: Swift's recommended XFS options for ring devices; `nofail` so a missing disk does not stop the boot. */
export function mountOptionsOf(volume: VolumePlan): string {
  return volume.purpose === 'swift-device' ? 'noatime,nodiratime,logbufs=8,nofail' : 'noatime,nofail';
}
