/** The size the planner gives a node, from what the target cloud sells. */
import { InputError } from '../profile/errors';
import { DRIVER_LABEL, missingDrivers, type KernelDriver } from '../profile/kernels';
import type { NodeRole } from '../profile/schema';
import { byCodeUnits, type Offer, type PriceList } from './prices';

/** What one node asks of a size. */
export interface OfferRequest {
  readonly role: NodeRole;
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** The node (named in errors), its OS and the drivers its image has. */
  readonly node: string;
  readonly os: string;
  readonly drivers: ReadonlySet<KernelDriver>;
  /** Data volumes and network interfaces it attaches. */
  readonly volumes: number;
  readonly interfaces: number;
}

/** Compute nodes need KVM: what kind the target allows. */
function givesKvm(prices: PriceList, offer: Offer): boolean {
  return prices.computeKvm ? offer.kvm === prices.computeKvm : offer.kvm !== undefined;
}

/** The sizes a role may take at all, whatever the OS: KVM for compute, bare metal for nothing else. */
function ofRole(prices: PriceList, role: NodeRole): readonly Offer[] {
  return prices.offers.filter((o) => (role === 'compute' ? givesKvm(prices, o) : o.kvm !== 'hardware'));
}

const boots = (offer: Offer, drivers: ReadonlySet<KernelDriver>) => missingDrivers(offer.needs, drivers).length === 0;

/** The drivers every one of `offers` needs that the image lacks, joined for a message. */
function lacking(offers: readonly Offer[], drivers: ReadonlySet<KernelDriver>): string {
  const missing = new Set(offers.flatMap((o) => missingDrivers(o.needs, drivers)));
  return [...missing].map((d) => DRIVER_LABEL[d]).join(' and ');
}

/**
 * Why no size of the cloud boots a role's nodes on an OS as its own instance, if none does:
 * the planner's reason for KVM guests under `placement: auto`.
 */
export function instanceBootProblem(prices: PriceList, role: NodeRole, os: string, drivers: ReadonlySet<KernelDriver>): string | undefined {
  const candidates = ofRole(prices, role);
  if (candidates.length === 0 || candidates.some((o) => boots(o, drivers))) return undefined;
  const what = role === 'compute' ? 'every size with KVM' : 'every size';
  return `${what} needs ${lacking(candidates, drivers)} drivers, which the ${os} image lacks`;
}

/**
 * The cheapest size the node fits and boots on (current generations first); for compute, one
 * that gives KVM. An operator's override wins but must exist, boot the node, and give KVM for compute.
 */
export function pickOffer(prices: PriceList, req: OfferRequest, source: string, field: string): Offer {
  const { role, node, os, drivers } = req;
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
    const missing = missingDrivers(offer.needs, drivers);
    if (missing.length > 0) {
      throw new InputError(
        source,
        `${field}.${role}`,
        `'${pinned}' needs ${lacking([offer], drivers)} drivers, which node ${node}'s ${os} image lacks; pick a size it boots, or name in imageDrivers.${os} the drivers your image adds`,
      );
    }
    return offer;
  }
  const sized = ofRole(prices, role).filter(
    (o) =>
      o.vcpus >= req.vcpus &&
      o.memoryGiB >= req.memoryGiB &&
      req.volumes <= (o.maxVolumes ?? Infinity) &&
      req.interfaces <= (o.network?.interfaces ?? Infinity),
  );
  const fits = sized.filter((o) => boots(o, drivers));
  if (fits.length === 0) throw noSize(prices, req, sized, source, field);
  const current = fits.filter((o) => !o.previousGeneration);
  return [...(current.length > 0 ? current : fits)].sort((a, b) => a.pricePerHour - b.pricePerHour || byCodeUnits(a.name, b.name))[0];
}

/** The error when nothing fits: the OS's drivers where sizes fit but none boots, the size otherwise. */
function noSize(prices: PriceList, req: OfferRequest, sized: readonly Offer[], source: string, field: string): InputError {
  const { role, node, os, drivers } = req;
  const size = `${req.vcpus} vCPU and ${req.memoryGiB} GiB`;
  if (sized.length > 0) {
    if (role === 'compute') {
      return new InputError(
        source,
        'placement',
        `compute node ${node} runs ${os}: every size with KVM needs ${lacking(sized, drivers)} drivers, which its ${os} image lacks; set placement: hypervisors (the nodes as KVM guests on virtio, which every EL6 and EL7 kernel drives), or name in imageDrivers.${os} the drivers your image adds`,
      );
    }
    return new InputError(
      source,
      'placement',
      `node ${node} (${role}) runs ${os}: no size of ${size} with ${req.volumes} volumes and ${req.interfaces} interfaces boots it (each needs ${lacking(sized, drivers)} drivers); set placement: hypervisors, or name in imageDrivers.${os} the drivers your image adds`,
    );
  }
  const what = role === 'compute' ? ' with KVM (bare metal or nested virtualization)' : '';
  const bySize = ofRole(prices, role).filter((o) => o.vcpus >= req.vcpus && o.memoryGiB >= req.memoryGiB);
  const attachments = bySize.length > 0 ? ` with ${req.volumes} volumes and ${req.interfaces} network interfaces` : '';
  return new InputError(source, role === 'compute' ? 'computeKvm' : field, `no size${what} offers ${size}${attachments} for role ${role}`);
}
