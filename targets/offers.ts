/** The size the planner gives a role, from what the target cloud sells. */
import { InputError } from '../profile/errors';
import type { NodeRole } from '../profile/schema';
import { byCodeUnits, type Offer, type PriceList } from './prices';

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
