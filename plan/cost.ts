/** Hourly cost of a set of nodes on a target's price list. */
import { byCodeUnits, type PriceList } from '../targets/prices';
import type { CostLine, CostPlan, NodePlan } from './types';

const round = (n: number, digits = 4): number => Number(n.toFixed(digits));

export function costOf(nodes: readonly NodePlan[], prices: PriceList, budgetPerHour: number): CostPlan {
  const byOffer = new Map<string, { count: number; unit: number }>();
  let storageGiB = 0;
  for (const node of nodes) {
    const key = `${node.role} on ${node.size.offer}`;
    const entry = byOffer.get(key) ?? { count: 0, unit: node.size.pricePerHour };
    entry.count += 1;
    byOffer.set(key, entry);
    storageGiB += node.rootVolumeGiB + node.volumes.reduce((sum, v) => sum + v.sizeGiB, 0);
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
