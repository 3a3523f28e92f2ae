/**
 * The data a rehearsal moves and what moving it costs on the target's price
 * list: the nodes' package downloads, production's dumps (dumped over the
 * network to the toolbox and restored from it, in each upgrade round), and the
 * Swift copy of each round, each priced by the path it takes — across zones,
 * out of the cloud, or through the NAT gateway. Sizes are estimates, stated.
 */
import type { Profile } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';
import type { DumpsStore } from '../targets/cloud-facts';
import { factsOf } from '../targets/facts';
import type { PriceList } from '../targets/prices';
import { databaseTargets } from '../runbook/databases';
import { swiftPairs } from '../runbook/swift';
import { ASSUMED, databaseGiB } from './estimates';

export interface TransferLine {
  readonly item: string;
  readonly gib: number;
  readonly perGiB: number;
  readonly cost: number;
}

/** Packages a node downloads at its first boot (OS updates, RDO, the release's Puppet modules). */
export const PACKAGES_GIB_PER_NODE = 1;

/** The dumps' way to their store per round, beyond the toolbox: out of the cloud and back when the operator carries them. */
const DUMPS_LEAVE_CLOUD: Record<DumpsStore, boolean> = { 's3-bucket': false, 'object-container-by-operator': true };

const money = (n: number): number => Number(n.toFixed(2));
const line = (item: string, gib: number, perGiB: number): TransferLine => ({
  item,
  gib: Math.round(gib),
  perGiB,
  cost: money(gib * perGiB),
});

export function transferLines(plan: StagingPlan, profile: Profile, prices: PriceList): TransferLine[] {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const byAddress = new Map(plan.nodes.map((n) => [n.addresses.management, n]));
  const toolbox = plan.nodes.find((n) => n.role === 'migration-toolbox');
  const crosses = (a?: NodePlan, b?: NodePlan): boolean => a !== undefined && b !== undefined && a.zone !== b.zone;
  const sizes: Record<string, number> = {
    keystone: profile.databases.keystoneSizeGiB,
    glance: profile.glance.dbSizeGiB,
    neutron: profile.databases.neutronSizeGiB,
    ...Object.fromEntries(plan.cells.map((c) => [`nova-${c.name}`, c.dbSizeGiB])),
  };
  let dumpsAcross = 0;
  let restoreAcross = 0;
  for (const db of databaseTargets(plan)) {
    const size = sizes[db.key] ?? 0;
    // Deploy: production's dump restored into the old side; each round: old side -> toolbox -> new side.
    if (crosses(toolbox, byAddress.get(db.address.old))) restoreAcross += size;
    if (crosses(byAddress.get(db.address.old), toolbox)) dumpsAcross += 2 * size;
    if (crosses(toolbox, byAddress.get(db.address.new))) dumpsAcross += 2 * size;
  }
  const nodeData = plan.swift.devicesPerNode * plan.swift.deviceSizeGiB * ASSUMED.swiftFill;
  const swiftAcross = 2 * nodeData * swiftPairs(plan).filter(([from, to]) => crosses(byName.get(from.name), byName.get(to.name))).length;
  const built = plan.nodes.length + plan.nodes.filter((n) => n.side === 'new').length;
  const db = databaseGiB(plan, profile);
  return [
    line(
      `package downloads from the archives: ${built} node builds x ${PACKAGES_GIB_PER_NODE} GiB (the new side twice)`,
      built * PACKAGES_GIB_PER_NODE,
      prices.transfer.natPerGiB,
    ),
    line("production's dumps restored into the old side across zones", restoreAcross, prices.transfer.interZonePerGiB),
    line('dumps and restores of two upgrade rounds across zones', dumpsAcross, prices.transfer.interZonePerGiB),
    line('Swift copies of two upgrade rounds across zones', swiftAcross, prices.transfer.interZonePerGiB),
    ...(DUMPS_LEAVE_CLOUD[factsOf(plan.cloud).dumpsStore]
      ? [line("dumps of two rounds carried out through the operator's machine", 2 * db, prices.transfer.egressPerGiB)]
      : []),
  ];
}
