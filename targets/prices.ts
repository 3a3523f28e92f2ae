/** What a target cloud sells, as the planner sees it: machine sizes with their price, storage and load balancer prices. */
import type { KernelDriver } from '../profile/kernels';
import type { NodeRole } from '../profile/schema';

/** Plain string order: the names are ASCII, and a locale-aware compare first loads ICU's collator (milliseconds). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A machine size on offer: an EC2 instance type or an OpenStack flavor. */
export interface Offer {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly pricePerHour: number;
  /** How KVM reaches a guest of this size: hardware (bare metal) or nested; absent when it cannot. */
  readonly kvm?: 'hardware' | 'nested';
  /**
   * Network interfaces a machine of this size takes, and addresses per interface: a hypervisor
   * host needs one interface per network of its guests, and one address on each for every guest.
   * Absent (or the interfaces absent) where the cloud states no limit.
   */
  readonly network?: { readonly interfaces?: number; readonly addressesPerInterface: number };
  /** Drivers the guest kernel must have to boot on this size, see its disks and reach its network. @default none */
  readonly needs?: readonly KernelDriver[];
  /** Data volumes a machine of this size takes, where it takes fewer than the cloud's `maxVolumesPerNode`. */
  readonly maxVolumes?: number;
  /** A previous-generation size: picked only for a node that boots on no current one. */
  readonly previousGeneration?: boolean;
}

export interface PriceList {
  readonly currency: string;
  /** Where the prices come from (region and date, or the target file). */
  readonly source: string;
  readonly offers: readonly Offer[];
  readonly volumePerGiBHour: number;
  readonly loadBalancerPerHour: number;
  /** Sizes the operator pinned per role. */
  readonly overrides: Partial<Record<NodeRole, string>>;
  /** The KVM acceleration compute nodes must get, when the target pins it. */
  readonly computeKvm?: Offer['kvm'];
  /** Data volumes one node can take besides its root disk. */
  readonly maxVolumesPerNode: number;
  /** Data transfer prices per GiB: between zones of the region, out of the cloud, through the NAT gateway. */
  readonly transfer: { readonly interZonePerGiB: number; readonly egressPerGiB: number; readonly natPerGiB: number };
  /** What the staging's network costs whatever its size: gateways, public addresses. */
  readonly fixed: readonly { readonly item: string; readonly count: number; readonly unitPerHour: number }[];
}
