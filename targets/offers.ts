/**
 * What a target cloud sells: machine sizes with their price, storage and load
 * balancer prices. The planner reads only this, whatever the cloud.
 */
import { InputError } from '../profile/errors';
import type { NodeRole } from '../profile/schema';
import { AWS_INSTANCE_TYPES, AWS_PRICES } from './aws/catalog';
import type { TargetConfig } from './config';

/** A machine size on offer: an EC2 instance type or an OpenStack flavor. */
/** Plain string order: the names are ASCII, and a locale-aware compare first loads ICU's collator (milliseconds). */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface Offer {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly pricePerHour: number;
  /** How KVM reaches a guest of this size: hardware (bare metal) or nested; absent when it cannot. */
  readonly kvm?: 'hardware' | 'nested';
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
}

export function priceList(target: TargetConfig): PriceList {
  if (target.cloud === 'aws') {
    return {
      currency: AWS_PRICES.currency,
      source: `AWS on-demand list prices, ${AWS_PRICES.region}, ${AWS_PRICES.date}`,
      offers: AWS_INSTANCE_TYPES,
      volumePerGiBHour: AWS_PRICES.volumePerGiBHour,
      loadBalancerPerHour: AWS_PRICES.loadBalancerPerHour,
      overrides: target.instanceTypes,
      computeKvm: target.computeKvm === 'metal' ? 'hardware' : 'nested',
      // EBS device names /dev/sdf to /dev/sdy; Nitro types share about 28 attachments with the interfaces.
      maxVolumesPerNode: 20,
    };
  }
  return {
    currency: target.currency,
    source: `flavor prices of target cloud '${target.cloudName}'`,
    offers: target.flavors.map((f) => ({
      name: f.name,
      vcpus: f.vcpus,
      memoryGiB: f.memoryGiB,
      pricePerHour: f.pricePerHour,
      ...(f.baremetal ? { kvm: 'hardware' as const } : f.nestedVirtualization ? { kvm: 'nested' as const } : {}),
    })),
    volumePerGiBHour: target.volumePricePerGiBHour,
    loadBalancerPerHour: target.loadBalancerPricePerHour,
    overrides: target.roleFlavors,
    // virtio disks vdb to vdz.
    maxVolumesPerNode: 25,
  };
}

/** Field of the target config that pins sizes per role, for error messages. */
export function overrideField(target: TargetConfig): string {
  return target.cloud === 'aws' ? 'instanceTypes' : 'roleFlavors';
}

/**
 * The cheapest offer with at least the given size; for compute, one that gives KVM.
 * An operator's override wins but must exist (and give KVM for compute).
 */
export function pickOffer(
  prices: PriceList,
  role: NodeRole,
  need: { vcpus: number; memoryGiB: number },
  source: string,
  field: string,
): Offer {
  const pinned = prices.overrides[role];
  if (pinned) {
    const offer = prices.offers.find((o) => o.name === pinned);
    if (!offer) {
      throw new InputError(
        source,
        `${field}.${role}`,
        `'${pinned}' is not in the catalog (${prices.offers.map((o) => o.name).join(', ')})`,
      );
    }
    if (role === 'compute' && !offer.kvm) {
      throw new InputError(
        source,
        `${field}.${role}`,
        `'${pinned}' gives no KVM: Nova would fall back to virt_type=qemu; pick a bare-metal or nested-virtualization size`,
      );
    }
    return offer;
  }
  const fits = prices.offers.filter((o) => {
    if (o.vcpus < need.vcpus || o.memoryGiB < need.memoryGiB) return false;
    if (role !== 'compute') return o.kvm !== 'hardware'; // metal only where KVM needs it
    return prices.computeKvm ? o.kvm === prices.computeKvm : o.kvm !== undefined;
  });
  if (fits.length === 0) {
    const what = role === 'compute' ? ' with KVM (bare metal or nested virtualization)' : '';
    throw new InputError(
      source,
      role === 'compute' ? 'computeKvm' : field,
      `no size${what} offers ${need.vcpus} vCPU and ${need.memoryGiB} GiB for role ${role}`,
    );
  }
  return [...fits].sort((a, b) => a.pricePerHour - b.pricePerHour || byCodeUnits(a.name, b.name))[0];
}
