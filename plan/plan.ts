/**
 * profile + target config -> staging plan. The planner tries scales from one-to-one
 * down to the smallest clone that keeps every invariant, and keeps the largest
 * that fits the budget. When none fits, it says what the cheapest one costs.
 */
import { vaultBase } from '../assets/os-archives';
import { InputError } from '../profile/errors';
import type { Profile } from '../profile/schema';
import type { TargetConfig } from '../targets/config';
import { factsOf, priceList } from '../targets/facts';
import { imageDrivers } from '../targets/images';
import { instanceBootProblem } from '../targets/offers';
import type { PriceList } from '../targets/prices';
import { canaryPlan } from './canary';
import { costOf, costOfHosts } from './cost';
import { keystonePlan } from './directory';
import { fidelityTable } from './fidelity';
import { APIS, carveNetworks, flows } from './network';
import { NodeBuilder, scaled } from './nodes';
import { PlacementError, placeOnHosts } from './placement';
import { violations } from './rules';
import type { CellPlan, CostPlan, NetworkPlan, NodePlan, PlacementPlan, StagingPlan, SwiftPlan } from './types';
import { INSTALLABLE_RELEASES } from '../assets/puppet';

/** Scales tried by `scale: auto`, largest first; 0 is the smallest faithful clone. */
export const SCALE_LADDER: readonly number[] = [1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01, 0];

export function buildPlan(profile: Profile, target: TargetConfig): StagingPlan {
  // Every release of the path is installed somewhere (the toolbox carries them all): refuse now what would fail at render.
  for (const release of [profile.releases.from, ...profile.releases.via, profile.releases.to]) {
    if (!target.packageArchives[release]) {
      const path = [profile.releases.from, ...profile.releases.via, profile.releases.to].join(' -> ');
      throw new InputError(
        target.source,
        `packageArchives.${release}`,
        `is required: the release path ${path} (${profile.source}) installs ${release} packages; name the archive (or your mirror) of ${release}`,
      );
    }
  }
  // Both sides' nodes are built with their release's own Puppet modules, which the manifests are checked against.
  for (const key of ['from', 'to'] as const) {
    const release = profile.releases[key];
    if (!INSTALLABLE_RELEASES.includes(release)) {
      throw new InputError(
        profile.source,
        `releases.${key}`,
        `${release} nodes cannot be built: the role manifests are checked against the Puppet modules of ${INSTALLABLE_RELEASES.join(' and ')} only (assets/puppet.ts MODULE_SETS)`,
      );
    }
  }
  const prices = priceList(target);
  const networks = carveNetworks(target.networkCidr, target.availabilityZones, target.source);
  const choice = placementChoice(profile, target, prices, networks);
  const size = (factor: number) => sized(profile, target, prices, networks, choice, factor);
  if (target.scale !== 'auto') {
    const candidate = size(target.scale);
    if (candidate.cost.perHour > target.budgetPerHour) {
      throw new InputError(
        target.source,
        'budgetPerHour',
        `scale ${target.scale} costs ${money(candidate.cost)} per hour, above the budget of ${target.budgetPerHour}; ${describe(size(0))}`,
      );
    }
    return complete(profile, target, candidate, 'target');
  }
  // Only the nodes and their cost are computed for the scales that do not fit.
  for (const factor of SCALE_LADDER) {
    const candidate = size(factor);
    if (candidate.cost.perHour <= target.budgetPerHour) return complete(profile, target, candidate, 'budget');
    if (factor === 0) {
      throw new InputError(
        target.source,
        'budgetPerHour',
        `a budget of ${target.budgetPerHour} ${candidate.cost.currency} per hour cannot hold the invariants; ${describe(candidate)}`,
      );
    }
  }
  throw new Error('unreachable: the ladder ends with the smallest clone');
}

/**
 * What the same profile costs cloned one to one on the same catalog: the
 * report's comparison. Addresses do not change a price, so the nodes are
 * numbered in a network large enough for any production.
 */
export function oneToOneCost(profile: Profile, target: TargetConfig): CostPlan {
  const networks = carveNetworks('10.0.0.0/8', target.availabilityZones, target.source);
  const prices = priceList(target);
  return sized(profile, target, prices, networks, placementChoice(profile, target, prices, networks), 1).cost;
}

const money = (cost: CostPlan) => `${cost.perHour.toFixed(2)} ${cost.currency}`;

function describe(cheapest: Sized): string {
  const computes = cheapest.nodes.filter((n) => n.role === 'compute').length;
  return `the cheapest plan that keeps every invariant has ${cheapest.nodes.length} nodes (${computes} compute) and costs ${money(cheapest.cost)} per hour`;
}

/** The nodes of a clone at one scale and what they cost: enough to choose a scale. */
interface Sized {
  readonly factor: number;
  readonly builder: NodeBuilder;
  readonly nodes: readonly NodePlan[];
  readonly networks: readonly NetworkPlan[];
  readonly placement: PlacementPlan;
  readonly cost: CostPlan;
}

function sized(
  profile: Profile,
  target: TargetConfig,
  prices: PriceList,
  networks: readonly NetworkPlan[],
  choice: PlacementChoice,
  factor: number,
): Sized {
  const builder = new NodeBuilder(profile, target, prices, networks, choice.kind === 'hypervisors');
  const nodes = builder.build(factor);
  const placement = placementOf(target, choice, prices, builder, nodes);
  const cost =
    placement.kind === 'hypervisors'
      ? costOfHosts(placement.hosts, nodes, prices, target.budgetPerHour)
      : costOf(nodes, prices, target.budgetPerHour);
  return { factor, builder, nodes, networks, placement, cost };
}

interface PlacementChoice {
  readonly kind: PlacementPlan['kind'];
  /** Why the cloud's own sizes cannot boot some nodes, one line per role and OS. */
  readonly problems: readonly string[];
}

/**
 * Where the nodes run and why: as the target config says, or for `auto`, by whether some size
 * of the cloud boots each role's nodes on their OS (the smallest clone has every role and OS).
 */
function placementChoice(profile: Profile, target: TargetConfig, prices: PriceList, networks: readonly NetworkPlan[]): PlacementChoice {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const { role, os } of new NodeBuilder(profile, target, prices, networks, true).build(0)) {
    if (seen.has(`${role}/${os}`)) continue;
    seen.add(`${role}/${os}`);
    const problem = instanceBootProblem(prices, role, os, imageDrivers(target, os));
    if (problem) problems.push(`${role} on ${os}: ${problem}`);
  }
  const kind = target.placement === 'auto' ? (problems.length > 0 ? 'hypervisors' : 'instances') : target.placement;
  return { kind, problems };
}

/** The placement of the nodes; the hosts take their addresses after every node's. */
function placementOf(
  target: TargetConfig,
  { kind, problems }: PlacementChoice,
  prices: PriceList,
  builder: NodeBuilder,
  nodes: readonly NodePlan[],
): PlacementPlan {
  if (kind === 'instances') {
    if (target.placement === 'auto')
      return { kind, reason: "each node on an instance of its own: the cloud's instances boot every OS of the plan" };
    const images = problems.length > 0 ? `; the images must carry what the stock ones lack (${problems.join('; ')})` : '';
    return { kind, reason: `each node on an instance of its own (the target config's placement)${images}` };
  }
  const pinned = Object.keys(prices.overrides);
  if (pinned.length > 0) {
    throw new InputError(
      target.source,
      factsOf(target.cloud).sizeOverrideField,
      `pins sizes of ${pinned.join(', ')}, but the nodes run as KVM guests sized by role (${problems.join('; ') || "the target config's placement"}); set placement: instances, or drop the pins`,
    );
  }
  if (target.hypervisors.hostImage === undefined) {
    throw new InputError(
      target.source,
      'hypervisors.hostImage',
      `is required: the nodes run as KVM guests (${problems.join('; ') || 'placement: hypervisors'}); name the Debian 12 image their hosts boot`,
    );
  }
  const { cpuOvercommit, memoryOvercommit, hostReserve } = target.hypervisors;
  const packing = { cpuOvercommit, memoryOvercommit, hostReserve };
  // A target that pins compute to bare metal (no nested-virtualization option where it deploys) gets metal hosts only.
  const offers = prices.computeKvm === 'hardware' ? { ...prices, offers: prices.offers.filter((o) => o.kvm === 'hardware') } : prices;
  try {
    const hosts = placeOnHosts(nodes, offers, (network, zone) => builder.address(network, zone), packing);
    const why = target.placement === 'auto' ? problems.join('; ') : "the target config's placement";
    return {
      kind: 'hypervisors',
      reason: `KVM guests of hypervisor hosts (${why}): virtio disks and NICs, which every EL6 and EL7 kernel drives, as production runs its controllers`,
      packing,
      hosts,
    };
  } catch (e) {
    if (e instanceof PlacementError) throw new InputError(target.source, 'placement', e.message);
    throw e;
  }
}

/** The whole plan at the chosen scale: invariants checked, fidelity and canaries attached. */
function complete(
  profile: Profile,
  target: TargetConfig,
  { factor, builder, nodes, networks, placement, cost }: Sized,
  chosenBy: 'budget' | 'target',
): StagingPlan {
  const keystone = keystonePlan(profile);
  const draft: Omit<StagingPlan, 'fidelity' | 'cost' | 'canary'> = {
    rehearsalId: `${profile.name}-${target.cloud}`,
    profile: profile.name,
    cloud: target.cloud,
    region: target.region,
    scale: { factor, chosenBy },
    releases: { from: profile.releases.from, to: profile.releases.to, via: profile.releases.via },
    sides: [
      { name: 'old', release: profile.releases.from, os: profile.os.old },
      { name: 'new', release: profile.releases.to, os: profile.os.new },
    ],
    activeSide: target.activeSide,
    keepBackups: target.keepBackups,
    cells: cellsOf(profile, nodes),
    swift: swiftOf(profile, builder, factor),
    // KVM guests' tenant NICs are on their hosts' trunk, which carries 802.1Q tags between hosts (assets/host-network.ts).
    neutron: { ...profile.neutron, tenantTransport: placement.kind === 'hypervisors' ? 'native' : factsOf(target.cloud).tenantTransport },
    keystone,
    installer: profile.installer,
    glance: { backend: profile.glance.backend },
    monitoring: { system: profile.monitoring.system, logIgnorePatterns: profile.logIgnorePatterns },
    networks,
    apis: APIS,
    flows: flows({ directory: keystone.directory !== undefined }),
    nodes,
    placement,
  };
  checkImages(nodes, target, placement);
  const broken = violations(draft, profile);
  if (broken.length > 0) {
    const v = broken[0];
    throw new InputError(profile.source, v.field, `breaks invariant ${v.rule}: ${v.reason}`);
  }
  return { ...draft, fidelity: fidelityTable(draft, profile, target.cloud), cost, canary: canaryPlan(draft, profile) };
}

/** Every OS the plan uses needs a base image in the target config, and an archive of its packages. */
function checkImages(nodes: readonly NodePlan[], target: TargetConfig, placement: PlacementPlan): void {
  for (const os of new Set(nodes.map((n) => n.os))) {
    if (!target.osArchives[os] && !vaultBase(os)) {
      throw new InputError(
        target.source,
        `osArchives.${os}`,
        `is required: the plan runs ${os}, which the CentOS vault does not keep; name the archive (or your mirror) of its base, updates and extras repositories`,
      );
    }
    if (placement.kind === 'hypervisors') {
      if (!target.hypervisors.guestImages[os]) {
        throw new InputError(
          target.source,
          `hypervisors.guestImages.${os}`,
          `is required: the plan runs ${os} guests and the target config names no qcow2 base image for it`,
        );
      }
    } else if (!target.imageByOs[os]) {
      throw new InputError(
        target.source,
        `imageByOs.${os}`,
        `is required: the plan runs ${os} and the target config names no image for it`,
      );
    }
  }
}

function cellsOf(profile: Profile, nodes: readonly NodePlan[]): CellPlan[] {
  const names = (side: string, role: string, cell: string) =>
    nodes.filter((n) => n.side === side && n.role === role && n.cell === cell).map((n) => n.name);
  const api = profile.nova.apiCell.name;
  return [
    {
      name: api,
      type: 'api',
      productionComputeHosts: 0,
      computeHosts: 0,
      dbSizeGiB: profile.nova.apiCell.dbSizeGiB,
      database: { old: names('old', 'database', api), new: names('new', 'database', api) },
      rabbitmq: { old: names('old', 'rabbitmq', api), new: names('new', 'rabbitmq', api) },
    },
    ...profile.nova.cells.map((cell) => ({
      name: cell.name,
      type: 'compute' as const,
      productionComputeHosts: cell.computeHosts,
      computeHosts: nodes.filter((n) => n.role === 'compute' && n.cell === cell.name).length,
      dbSizeGiB: cell.dbSizeGiB,
      database: { old: names('old', 'cell-database', cell.name), new: names('new', 'cell-database', cell.name) },
      rabbitmq: { old: names('old', 'cell-rabbitmq', cell.name), new: names('new', 'cell-rabbitmq', cell.name) },
    })),
  ];
}

function swiftOf(profile: Profile, builder: NodeBuilder, factor: number): SwiftPlan {
  const s = profile.swift;
  const devices = builder.swiftDevices(factor);
  return {
    partPower: s.partPower,
    replicas: s.replicas,
    minPartHours: s.minPartHours,
    ports: { object: 6000, container: 6001, account: 6002 },
    regions: s.regions.map((r) => ({
      id: r.id,
      zones: r.zones.map((z) => ({ id: z.id, productionNodes: z.nodes, nodes: scaled(z.nodes, factor) })),
    })),
    productionDevicesPerNode: s.devicesPerNode,
    devicesPerNode: devices.length,
    productionDeviceSizeGiB: s.deviceSizeGiB,
    deviceSizeGiB: devices[0].sizeGiB,
  };
}
