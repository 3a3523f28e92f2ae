/**
 * Nodes as KVM guests of a few large hypervisor hosts, as production runs its
 * controllers (and as TripleO's quickstart "virthost" and OVB's nested labs do):
 * the guests boot the releases' own OS on virtio, which every EL6 and EL7 kernel
 * has, where a stock EL image before 7.4 has no network on a Nitro instance (ENA).
 *
 * Pure packing: which host offers, how many, which guests on each. The guests keep
 * the size, addresses and volumes the node plan gave them; a host's data volumes are
 * its guests' (attached to the host, handed to the guest as virtio disks), so the
 * Swift ring's device count and the database volumes are unchanged.
 */
import { byCodeUnits, type Offer, type PriceList } from '../targets/prices';
import { NETWORK_ROLES, type HostPlan, type NetworkRole, type NodePlan, type NodeSide, type PackingRules } from './types';

export type { HostPlan, PackingRules } from './types';

/** The packing a target config gets unless it says otherwise: 2 vCPU per host vCPU (the staging measures migrations, not CPU-bound work), no memory overcommit (a swapping database would distort every timing), 2 vCPU and 8 GiB for the host. */
export const DEFAULT_PACKING: PackingRules = { cpuOvercommit: 2, memoryOvercommit: 1, hostReserve: { vcpus: 2, memoryGiB: 8 } };

const HOST_OS_GIB = 30;

/** The stack of a side's hosts: destroying the new side's destroys its hosts, guests and volumes only. */
export const hostStackOf = (side: NodeSide): string => `hosts-${side}`;

/** The KVM a guest needs of its host: compute guests run the canary's VMs on KVM, so they need it in hardware. */
export const hostKvmFor = (node: NodePlan): HostPlan['kvm'] => (node.hypervisor ? 'hardware' : 'nested');

interface Room {
  vcpus: number;
  memoryGiB: number;
  volumes: number;
  /** Guests the host's interfaces still have an address for (each guest takes one on every network it joins). */
  addresses: number;
}

interface OpenHost {
  readonly offer: Offer;
  readonly room: Room;
  readonly guests: NodePlan[];
}

/** What one host of an offer can hold, after its reserve and with the overcommit. */
function capacity(offer: Offer, rules: PackingRules, maxVolumes: number): Room {
  return {
    vcpus: Math.floor((offer.vcpus - rules.hostReserve.vcpus) * rules.cpuOvercommit),
    memoryGiB: (offer.memoryGiB - rules.hostReserve.memoryGiB) * rules.memoryOvercommit,
    volumes: maxVolumes,
    // The host's own address is the first on each interface.
    addresses: offer.network ? offer.network.addressesPerInterface - 1 : Number.POSITIVE_INFINITY,
  };
}

const fits = (room: Room, guest: NodePlan): boolean =>
  guest.size.vcpus <= room.vcpus && guest.size.memoryGiB <= room.memoryGiB && guest.volumes.length <= room.volumes && room.addresses >= 1;

function take(host: OpenHost, guest: NodePlan): void {
  host.room.vcpus -= guest.size.vcpus;
  host.room.memoryGiB -= guest.size.memoryGiB;
  host.room.volumes -= guest.volumes.length;
  host.room.addresses -= 1;
  host.guests.push(guest);
}

/** Largest first (memory, then vCPUs, then volumes), by name on ties: first-fit decreasing, deterministic. */
const largestFirst = (a: NodePlan, b: NodePlan): number =>
  b.size.memoryGiB - a.size.memoryGiB || b.size.vcpus - a.size.vcpus || b.volumes.length - a.volumes.length || byCodeUnits(a.name, b.name);

/** Puts guests into the room hosts already have, largest first; returns those that did not fit. */
function fill(guests: readonly NodePlan[], hosts: OpenHost[]): NodePlan[] {
  const rest: NodePlan[] = [];
  for (const guest of [...guests].sort(largestFirst)) {
    const host = hosts.find((h) => fits(h.room, guest));
    if (host) take(host, guest);
    else rest.push(guest);
  }
  return rest;
}

/** First-fit decreasing onto fresh hosts of one offer; undefined when a guest is larger than one host. */
function pack(guests: readonly NodePlan[], offer: Offer, rules: PackingRules, maxVolumes: number): OpenHost[] | undefined {
  const hosts: OpenHost[] = [];
  for (const guest of [...guests].sort(largestFirst)) {
    const host = hosts.find((h) => fits(h.room, guest));
    if (host) {
      take(host, guest);
      continue;
    }
    const fresh: OpenHost = { offer, room: capacity(offer, rules, maxVolumes), guests: [] };
    if (!fits(fresh.room, guest)) return undefined;
    take(fresh, guest);
    hosts.push(fresh);
  }
  return hosts;
}

/** The cheapest packing of `guests` onto hosts of one offer of one KVM kind (fewer hosts on a tie, then the offer's name). */
function cheapest(guests: readonly NodePlan[], kvm: HostPlan['kvm'], prices: PriceList, rules: PackingRules): OpenHost[] | undefined {
  let best: { hosts: OpenHost[]; cost: number } | undefined;
  // A host joins every network (its guests' libvirt networks are bridges on all four), one interface each.
  const candidates = prices.offers.filter((o) => o.kvm === kvm && (o.network?.interfaces ?? Infinity) >= NETWORK_ROLES.length);
  for (const offer of [...candidates].sort((a, b) => byCodeUnits(a.name, b.name))) {
    const hosts = pack(guests, offer, rules, prices.maxVolumesPerNode);
    if (!hosts) continue;
    const cost = hosts.reduce((sum, h) => sum + h.offer.pricePerHour, 0);
    if (!best || cost < best.cost - 1e-9 || (Math.abs(cost - best.cost) <= 1e-9 && hosts.length < best.hosts.length))
      best = { hosts, cost };
  }
  return best?.hosts;
}

/** Why a group of guests cannot be placed: the message names the guest and what no host offers. */
export class PlacementError extends Error {}

/** Draws the next free address of a network in a zone (the plan's address book). */
export type AddressOf = (network: NetworkRole, zone: string) => string;

/**
 * Places every node on a host of its side and zone. Guests that need hardware KVM go
 * first onto bare-metal hosts; the others fill the room left there, then nested-virtualization
 * hosts (or metal ones where no nested type fits, or where metal is cheaper).
 */
export function placeOnHosts(
  nodes: readonly NodePlan[],
  prices: PriceList,
  address: AddressOf,
  rules: PackingRules = DEFAULT_PACKING,
): HostPlan[] {
  const groups = new Map<string, NodePlan[]>();
  for (const node of nodes) {
    const key = `${poolOf(node)}\u0000${node.zone}`;
    groups.set(key, [...(groups.get(key) ?? []), node]);
  }
  const zones = [...new Set(nodes.map((n) => n.zone))];
  const hosts: HostPlan[] = [];
  // Old side first, then new, then shared, then the toolbox; zones in the target's order.
  const order = (key: string) => {
    const [pool, zone] = key.split('\u0000');
    return POOLS.indexOf(pool as Pool) * 1000 + zones.indexOf(zone);
  };
  for (const [key, guests] of [...groups].sort(([a], [b]) => order(a) - order(b))) {
    const [pool, zone] = key.split('\u0000') as [Pool, string];
    const side = guests[0].side;
    const needHardware = guests.filter((g) => hostKvmFor(g) === 'hardware');
    const others = guests.filter((g) => hostKvmFor(g) === 'nested');
    const metal = needHardware.length > 0 ? cheapest(needHardware, 'hardware', prices, rules) : [];
    if (!metal) throw new PlacementError(unplaceable(needHardware, 'hardware', prices, rules));
    // Room left on the metal hosts is free; beyond it, whichever kind of host is cheaper for the rest.
    const rest = fill(others, metal);
    const more = rest.length > 0 ? cheaperOf(cheapest(rest, 'nested', prices, rules), cheapest(rest, 'hardware', prices, rules)) : [];
    if (!more) throw new PlacementError(unplaceable(rest, 'nested', prices, rules));
    const placed = [...metal, ...more].map((h) => rightSized(h, prices, rules));
    placed.forEach((h, i) => {
      hosts.push({
        name: `hv-${pool}-z${zones.indexOf(zone) + 1}-${i + 1}`,
        side,
        zone,
        size: { offer: h.offer.name, vcpus: h.offer.vcpus, memoryGiB: h.offer.memoryGiB, pricePerHour: h.offer.pricePerHour },
        kvm: h.offer.kvm!,
        guests: h.guests.map((g) => g.name),
        addresses: Object.fromEntries(NETWORK_ROLES.map((network) => [network, address(network, zone)])) as Record<NetworkRole, string>,
        rootVolumeGiB: HOST_OS_GIB + h.guests.reduce((sum, g) => sum + g.rootVolumeGiB, 0),
      });
    });
  }
  return hosts;
}

/**
 * Which hosts a guest may share: those of its side; the migration toolbox, which alone
 * may write the production dumps, gets hosts of its own, so that no other guest reads
 * the metadata service with its host's rights.
 */
type Pool = NodeSide | 'toolbox';
const POOLS: readonly Pool[] = ['old', 'new', 'shared', 'toolbox'];
const poolOf = (node: NodePlan): Pool => (node.role === 'migration-toolbox' ? 'toolbox' : node.side);

/**
 * The cheapest offer of the host's KVM kind that still holds its guests: the packing
 * uses one offer per group, so its last host is often mostly empty.
 */
function rightSized(host: OpenHost, prices: PriceList, rules: PackingRules): OpenHost {
  const fitsAll = (offer: Offer) => {
    const room = capacity(offer, rules, prices.maxVolumesPerNode);
    const need = host.guests.reduce(
      (n, g) => ({ vcpus: n.vcpus + g.size.vcpus, memoryGiB: n.memoryGiB + g.size.memoryGiB, volumes: n.volumes + g.volumes.length }),
      { vcpus: 0, memoryGiB: 0, volumes: 0 },
    );
    return (
      need.vcpus <= room.vcpus &&
      need.memoryGiB <= room.memoryGiB &&
      need.volumes <= room.volumes &&
      host.guests.length <= room.addresses &&
      (offer.network?.interfaces ?? Infinity) >= NETWORK_ROLES.length
    );
  };
  const better = prices.offers
    .filter((o) => o.kvm === host.offer.kvm && o.pricePerHour < host.offer.pricePerHour - 1e-9 && fitsAll(o))
    .sort((a, b) => a.pricePerHour - b.pricePerHour || byCodeUnits(a.name, b.name))[0];
  return better ? { ...host, offer: better } : host;
}

function cheaperOf(a: OpenHost[] | undefined, b: OpenHost[] | undefined): OpenHost[] | undefined {
  const cost = (hosts: OpenHost[]) => hosts.reduce((sum, h) => sum + h.offer.pricePerHour, 0);
  if (!a) return b;
  if (!b) return a;
  return cost(b) < cost(a) - 1e-9 ? b : a;
}

function unplaceable(guests: readonly NodePlan[], kvm: HostPlan['kvm'], prices: PriceList, rules: PackingRules): string {
  const offers = prices.offers.filter((o) => (kvm === 'hardware' ? o.kvm === 'hardware' : o.kvm !== undefined));
  const biggest = [...guests].sort(largestFirst).find((g) => !offers.some((o) => fits(capacity(o, rules, prices.maxVolumesPerNode), g)));
  const what = kvm === 'hardware' ? 'bare-metal' : 'nested-virtualization or bare-metal';
  if (offers.length === 0) return `no ${what} size is on offer to host ${guests[0]?.name ?? 'the guests'}`;
  return `no ${what} size holds ${biggest?.name ?? guests[0]?.name} (${biggest?.size.vcpus} vCPU, ${biggest?.size.memoryGiB} GiB, ${biggest?.volumes.length} volumes) after the host's reserve of ${rules.hostReserve.vcpus} vCPU and ${rules.hostReserve.memoryGiB} GiB`;
}
