/**
 * What the stock kernel of an OS of the profile drives: the drivers a machine size may need
 * of its guest to boot, reach its network and see its disks. A size is bootable for a node
 * when the node's image has every driver the size needs (targets/prices.ts, `Offer.needs`).
 */

/** A guest kernel driver (family) a machine size may need. */
export type KernelDriver =
  /** Amazon's Elastic Network Adapter: the only NIC of EC2's Nitro types. */
  | 'ena'
  /** NVMe block devices: how Nitro types show EBS volumes. */
  | 'nvme'
  /** Xen's paravirtual disk and NIC on HVM (xen-blkfront, xen-netfront): EC2's Xen types. */
  | 'xen-pv'
  /** virtio disk and NIC: KVM clouds, and the staging's own KVM guests. */
  | 'virtio';

export const KERNEL_DRIVERS = ['ena', 'nvme', 'xen-pv', 'virtio'] as const satisfies readonly KernelDriver[];

/** How messages name each driver. */
export const DRIVER_LABEL: Record<KernelDriver, string> = { ena: 'ENA', nvme: 'NVMe', 'xen-pv': 'Xen PV', virtio: 'virtio' };

/**
 * Drivers the stock kernel of an EL release has. Every EL6 and EL7 kernel has the Xen PV-on-HVM
 * and virtio drivers. ENA and the NVMe driver EBS needs come with EL 7.4 (AWS's "Enable enhanced
 * networking with ENA" and "Amazon EBS and NVMe" guides: RHEL 7.4 or later, CentOS 7.4.1708 or
 * later); EL6 has no ENA driver at all, so no Nitro type boots it whatever its NVMe support.
 */
export function stockDrivers(os: string): ReadonlySet<KernelDriver> {
  const el = /^(?:centos|rhel)-(\d+)\.(\d+)$/.exec(os);
  const drivers = new Set<KernelDriver>(['xen-pv', 'virtio']);
  if (el && Number(el[1]) === 7 && Number(el[2]) >= 4) {
    drivers.add('ena');
    drivers.add('nvme');
  }
  return drivers;
}

/** Drivers a size needs that an image lacks, in their declared order. */
export function missingDrivers(needs: readonly KernelDriver[] | undefined, has: ReadonlySet<KernelDriver>): KernelDriver[] {
  return (needs ?? []).filter((d) => !has.has(d));
}
