import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { DEFAULT_PACKING, hostKvmFor, PlacementError, placeOnHosts, type HostPlan, type PackingRules } from '../plan/placement';
import type { NodePlan } from '../plan/types';
import { priceList } from '../targets/facts';
import type { PriceList } from '../targets/prices';
import { target } from './support/shapes';

const profile = loadProfile();
/** Addresses play no part in the packing. */
const anyAddress = () => '192.0.2.10';

/** Every property a packing must have, checked host by host; returns what is wrong. */
function problems(hosts: readonly HostPlan[], nodes: readonly NodePlan[], prices: PriceList, rules: PackingRules): string[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const found: string[] = [];
  for (const host of hosts) {
    const guests = host.guests.map((g) => byName.get(g)!);
    const vcpus = guests.reduce((s, g) => s + g.size.vcpus, 0);
    const memory = guests.reduce((s, g) => s + g.size.memoryGiB, 0);
    const volumes = guests.reduce((s, g) => s + g.volumes.length, 0);
    if (vcpus > (host.size.vcpus - rules.hostReserve.vcpus) * rules.cpuOvercommit) found.push(`${host.name}: ${vcpus} vCPU`);
    if (memory > (host.size.memoryGiB - rules.hostReserve.memoryGiB) * rules.memoryOvercommit) found.push(`${host.name}: ${memory} GiB`);
    if (volumes > prices.maxVolumesPerNode) found.push(`${host.name}: ${volumes} volumes`);
    const limits = prices.offers.find((o) => o.name === host.size.offer)?.network;
    const networks = new Set(guests.flatMap((g) => Object.keys(g.addresses))).size;
    if (limits && guests.length + 1 > limits.addressesPerInterface)
      found.push(`${host.name}: ${guests.length + 1} addresses per interface`);
    if (limits && networks > (limits.interfaces ?? Infinity)) found.push(`${host.name}: ${networks} interfaces`);
    for (const g of guests) {
      if (g.side !== host.side) found.push(`${g.name} (${g.side}) on ${host.name}`);
      if (g.zone !== host.zone) found.push(`${g.name} (${g.zone}) on ${host.name} (${host.zone})`);
      if (hostKvmFor(g) === 'hardware' && host.kvm !== 'hardware') found.push(`${g.name} needs hardware KVM, ${host.name} is ${host.kvm}`);
    }
  }
  return found;
}

describe.each(['aws', 'openstack'] as const)('hypervisor placement on %s', (cloud) => {
  const config = target(cloud);
  const plan = buildPlan(profile, config);
  const prices = priceList(config);
  const hosts = placeOnHosts(plan.nodes, prices, anyAddress);

  test('places every node exactly once, on a host of its own side and zone, within each host capacity', () => {
    const placed = hosts.flatMap((h) => h.guests);
    expect([...placed].sort()).toEqual(plan.nodes.map((n) => n.name).sort());
    expect(new Set(placed).size).toBe(placed.length);
    expect(problems(hosts, plan.nodes, prices, DEFAULT_PACKING)).toEqual([]);
  });

  test('compute guests land on bare-metal hosts only, the others share them or take nested-virtualization hosts', () => {
    const computeHosts = hosts.filter((h) => h.guests.some((g) => plan.nodes.find((n) => n.name === g)!.hypervisor));
    expect(computeHosts.length).toBeGreaterThan(0);
    for (const h of computeHosts) expect(h.kvm).toBe('hardware');
    for (const h of hosts) expect(prices.offers.find((o) => o.name === h.size.offer)?.kvm).toBe(h.kvm);
  });

  test('the two sides never share a host, so destroying the new side destroys only its hosts', () => {
    for (const side of ['old', 'new'] as const) {
      const ofSide = hosts.filter((h) => h.side === side);
      expect(ofSide.length).toBeGreaterThan(0);
      expect(ofSide.every((h) => h.name.startsWith(`hv-${side}-`))).toBe(true);
    }
    expect(new Set(hosts.map((h) => h.name)).size).toBe(hosts.length);
  });

  test('a host disk holds its own OS and the qcow2 overlays of its guests', () => {
    for (const h of hosts) {
      const roots = h.guests.reduce((s, g) => s + plan.nodes.find((n) => n.name === g)!.rootVolumeGiB, 0);
      expect(h.rootVolumeGiB).toBe(30 + roots);
    }
  });

  test('no host could be a cheaper size of its kind and still hold its guests', () => {
    for (const h of hosts) {
      const cheaper = prices.offers.filter((o) => o.kvm === h.kvm && o.pricePerHour < h.size.pricePerHour);
      for (const offer of cheaper) {
        const resized = {
          ...h,
          size: { offer: offer.name, vcpus: offer.vcpus, memoryGiB: offer.memoryGiB, pricePerHour: offer.pricePerHour },
        };
        const interfaces = offer.network?.interfaces ?? Infinity;
        if (interfaces >= 4)
          expect([h.name, offer.name, problems([resized], plan.nodes, prices, DEFAULT_PACKING).length > 0]).toEqual([
            h.name,
            offer.name,
            true,
          ]);
      }
    }
  });

  test('is deterministic, whatever order the nodes come in', () => {
    expect(placeOnHosts([...plan.nodes].reverse(), prices, anyAddress)).toEqual(hosts);
  });

  test('less overcommit costs at least as much, and still respects every capacity', () => {
    const strict: PackingRules = { ...DEFAULT_PACKING, cpuOvercommit: 1 };
    const strictHosts = placeOnHosts(plan.nodes, prices, anyAddress, strict);
    const perHour = (hs: readonly HostPlan[]) => hs.reduce((sum, h) => sum + h.size.pricePerHour, 0);
    expect(perHour(strictHosts)).toBeGreaterThanOrEqual(perHour(hosts));
    expect(problems(strictHosts, plan.nodes, prices, strict)).toEqual([]);
    // The checker itself can fail: the default packing breaks the strict rules somewhere.
    expect(problems(hosts, plan.nodes, prices, { ...strict, cpuOvercommit: 0.5 })).not.toEqual([]);
  });
});

test("a host's interfaces bound its guests: one address per guest on each, the host's own first", () => {
  const config = target('aws');
  const plan = buildPlan(profile, config);
  const prices = priceList(config);
  const tight: PriceList = {
    ...prices,
    offers: prices.offers.map((o) => (o.network ? { ...o, network: { ...o.network, addressesPerInterface: 3 } } : o)),
  };
  const hosts = placeOnHosts(plan.nodes, tight, anyAddress);
  expect(Math.max(...hosts.map((h) => h.guests.length))).toBe(2);
  expect(problems(hosts, plan.nodes, tight, DEFAULT_PACKING)).toEqual([]);
  // And the reference packing would break that limit: the check can fail.
  expect(problems(placeOnHosts(plan.nodes, prices, anyAddress), plan.nodes, tight, DEFAULT_PACKING)).not.toEqual([]);
  // Sizes with fewer interfaces than the guests' networks never host them (AWS's *.large take 3).
  expect(hosts.some((h) => h.size.offer.endsWith('.large'))).toBe(false);
});

describe('placement that cannot be made', () => {
  const config = target('aws');
  const plan = buildPlan(profile, config);
  const prices = priceList(config);

  test('without a bare-metal size, names the compute guest that needs hardware KVM', () => {
    const noMetal: PriceList = { ...prices, offers: prices.offers.filter((o) => o.kvm !== 'hardware') };
    const compute = plan.nodes.filter((n) => n.hypervisor).map((n) => n.name);
    expect(() => placeOnHosts(plan.nodes, noMetal, anyAddress)).toThrow(PlacementError);
    expect(() => placeOnHosts(plan.nodes, noMetal, anyAddress)).toThrow(
      new RegExp(`no bare-metal size is on offer to host (${compute.join('|')})`),
    );
  });

  test('a guest larger than every host is named with its size and the host reserve', () => {
    const giant = { ...plan.nodes.find((n) => n.role === 'cell-database')!, name: 'giant-db' };
    const big: NodePlan = { ...giant, size: { ...giant.size, memoryGiB: 4096 } };
    expect(() => placeOnHosts([big], prices, anyAddress)).toThrow(
      /no nested-virtualization or bare-metal size holds giant-db \(\d+ vCPU, 4096 GiB, \d+ volumes\) after the host's reserve of 2 vCPU and 8 GiB/,
    );
  });
});
