/** Hourly cost of a set of nodes, or of the hypervisor hosts they run on, on a target's price list. */
import { byCodeUnits, type PriceList } from '../targets/prices';
import type { CostLine, CostPlan, HostPlan, NodePlan } from './types';

const round = (n: number, digits = 4): number => Number(n.toFixed(digits));

/** What the nodes cost: one line per role and size, their volumes, and what the cloud charges whatever the size. */
export function costOf(nodes: readonly NodePlan[], prices: PriceList, budgetPerHour: number): CostPlan {
  return costOfMachines(
    nodes.map((node) => ({ item: `${node.role} on ${node.size.offer}`, pricePerHour: node.size.pricePerHour })),
    nodes.reduce((sum, node) => sum + node.rootVolumeGiB + dataGiB(node), 0),
    prices,
    budgetPerHour,
  );
}

/** What a hypervisor placement costs: the hosts (their disks hold the guests' root overlays) and the guests' data volumes. */
export function costOfHosts(hosts: readonly HostPlan[], nodes: readonly NodePlan[], prices: PriceList, budgetPerHour: number): CostPlan {
  return costOfMachines(
    hosts.map((host) => ({ item: `hypervisor host (${host.kvm} KVM) on ${host.size.offer}`, pricePerHour: host.size.pricePerHour })),
    hosts.reduce((sum, host) => sum + host.rootVolumeGiB, 0) + nodes.reduce((sum, node) => sum + dataGiB(node), 0),
    prices,
    budgetPerHour,
  );
}

const dataGiB = (node: NodePlan): number => node.volumes.reduce((sum, v) => sum + v.sizeGiB, 0);

function costOfMachines(
  machines: readonly { readonly item: string; readonly pricePerHour: number }[],
  storageGiB: number,
  prices: PriceList,
  budgetPerHour: number,
): CostPlan {
  const byOffer = new Map<string, { count: number; unit: number }>();
  for (const machine of machines) {
    const entry = byOffer.get(machine.item) ?? { count: 0, unit: machine.pricePerHour };
    entry.count += 1;
    byOffer.set(machine.item, entry);
  }
  const lines: CostLine[] = [...byOffer.entries()]
    .sort(([a], [b]) => byCodeUnits(a, b))
    .map(([item, { count, unit }]) => ({ item, count, unitPerHour: unit, perHour: round(count * unit) }));
  lines.push({
    item: 'block storage (GiB)',
    count: storageGiB,
    unitPerHour: round(prices.volumePerGiBHour, 8),
    perHour: round(storageGiB * prices.volumePerGiBHour),
  });
  lines.push({ item: 'edge load balancer', count: 1, unitPerHour: prices.loadBalancerPerHour, perHour: prices.loadBalancerPerHour });
  for (const fixed of prices.fixed) lines.push({ ...fixed, perHour: round(fixed.count * fixed.unitPerHour) });
  const perHour = round(
    lines.reduce((sum, l) => sum + l.perHour, 0),
    2,
  );
  return { currency: prices.currency, perHour, budgetPerHour, source: prices.source, lines };
}
