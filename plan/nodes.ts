/**
 * Nodes of the staging clone at a given scale: both sides of every non-compute
 * role, compute shared between the sides, the migration toolbox and monitoring.
 */
import { InputError } from '../profile/errors';
import type { Profile, NodeRole, VmSize, Release } from '../profile/schema';
import { CONTROLLER_ROLES } from '../profile/schema';
import type { TargetConfig } from '../targets/config';
import { factsOf } from '../targets/facts';
import { imageDrivers } from '../targets/images';
import { pickOffer, type OfferRequest } from '../targets/offers';
import type { Offer, PriceList } from '../targets/prices';
import { AddressBook, networksOf } from './network';
import type { HypervisorPlan, NetworkPlan, NetworkRole, NodePlan, NodeSide, Side, VolumePlan } from './types';
import { SIDES } from './types';

/** Staging size per role; `production` keeps production's VM size so migration timings carry over. */
const STAGING_SIZE: Record<NodeRole, { vcpus: number; memoryGiB: number } | 'production'> = {
  keystone: { vcpus: 2, memoryGiB: 4 },
  glance: { vcpus: 2, memoryGiB: 4 },
  'nova-api': { vcpus: 2, memoryGiB: 8 },
  'neutron-server': { vcpus: 2, memoryGiB: 4 },
  horizon: { vcpus: 2, memoryGiB: 4 },
  'swift-proxy': { vcpus: 2, memoryGiB: 4 },
  database: 'production',
  rabbitmq: { vcpus: 2, memoryGiB: 4 },
  'cell-services': { vcpus: 2, memoryGiB: 4 },
  'cell-database': 'production',
  'cell-rabbitmq': { vcpus: 2, memoryGiB: 4 },
  'swift-storage': { vcpus: 2, memoryGiB: 8 },
  compute: { vcpus: 4, memoryGiB: 16 },
  'migration-toolbox': { vcpus: 4, memoryGiB: 16 },
  monitoring: { vcpus: 2, memoryGiB: 8 },
};

const ROOT_VOLUME_GIB = 30;
/** The size name of a node that runs as a KVM guest: its price is its host's. */
export const GUEST_OFFER = 'kvm-guest';
/** Local instance storage per compute node (qcow2 on local disk, as in production). */
const INSTANCES_VOLUME_GIB = 100;

/** Count at a scale: at least one, never more than production. */
export function scaled(production: number, factor: number): number {
  return Math.min(production, Math.max(1, Math.ceil(production * factor)));
}

/** Room for a dump, its restore and the migration's growth. */
const dbVolume = (sizeGiB: number): VolumePlan => ({ name: 'sdb', sizeGiB: Math.max(20, Math.ceil(sizeGiB * 3)), purpose: 'database' });

interface NodeRequest {
  name: string;
  role: NodeRole;
  side: NodeSide;
  cell?: string;
  production?: VmSize;
  volumes?: VolumePlan[];
  swiftZone?: { region: number; zone: number };
  /** Index used to spread nodes of one group over the zones. */
  index: number;
}

export class NodeBuilder {
  readonly nodes: NodePlan[] = [];
  private readonly addresses: AddressBook;
  private readonly offers = new Map<string, Offer>();

  constructor(
    private readonly profile: Profile,
    private readonly target: TargetConfig,
    private readonly prices: PriceList,
    networks: readonly NetworkPlan[],
    /** The nodes run as KVM guests of hypervisor hosts: sized by role, not by what the cloud sells. */
    private readonly guests = false,
  ) {
    this.addresses = new AddressBook(networks, target.source);
  }

  /** The next free address of a network in a zone, after every node's: the hypervisor hosts take theirs here. */
  address(network: NetworkRole, zone: string): string {
    return this.addresses.assign(network, zone);
  }

  /** Builds every node at `factor` (1 = one-to-one). */
  build(factor: number): NodePlan[] {
    const p = this.profile;
    for (const side of SIDES) {
      for (const role of CONTROLLER_ROLES) {
        const production = p.controllers.roles[role]!;
        const volumes = role === 'database' ? [dbVolume(this.apiDatabasesGiB())] : [];
        for (let i = 1; i <= scaled(production.count, factor); i++) {
          this.add({
            name: `${side}-${role}-${i}`,
            role,
            side,
            production,
            volumes,
            index: i - 1,
            ...(role === 'nova-api' || role === 'database' || role === 'rabbitmq' ? { cell: p.nova.apiCell.name } : {}),
          });
        }
      }
      for (const cell of p.nova.cells) {
        this.group(side, cell.name, 'cell-services', 'services', cell.services, factor, []);
        this.group(side, cell.name, 'cell-database', 'db', cell.database, factor, [dbVolume(cell.dbSizeGiB)]);
        this.group(side, cell.name, 'cell-rabbitmq', 'mq', cell.rabbitmq, factor, []);
      }
      for (const region of p.swift.regions) {
        for (const zone of region.zones) {
          for (let i = 1; i <= scaled(zone.nodes, factor); i++) {
            this.add({
              name: `${side}-swift-r${region.id}z${zone.id}-${i}`,
              role: 'swift-storage',
              side,
              swiftZone: { region: region.id, zone: zone.id },
              volumes: this.swiftDevices(factor),
              index: zone.id - 1 + i - 1,
            });
          }
        }
      }
    }
    for (const cell of p.nova.cells) {
      for (let i = 1; i <= scaled(cell.computeHosts, factor); i++) {
        this.add({
          name: `compute-${cell.name}-${i}`,
          role: 'compute',
          side: 'shared',
          cell: cell.name,
          volumes: [{ name: 'sdb', sizeGiB: INSTANCES_VOLUME_GIB, purpose: 'instances' }],
          index: i - 1,
        });
      }
    }
    this.add({
      name: 'migration-toolbox',
      role: 'migration-toolbox',
      side: 'shared',
      volumes: [{ name: 'sdb', sizeGiB: Math.max(50, Math.ceil(this.allDatabasesGiB() * 2)), purpose: 'dumps' }],
      index: 0,
    });
    this.add({ name: 'monitoring', role: 'monitoring', side: 'shared', index: 0 });
    return this.nodes;
  }

  /** Swift ring devices of one storage node: d1..dn, one volume each. */
  swiftDevices(factor: number): VolumePlan[] {
    // Two devices at least (where production has them) so mounts and weights are rehearsed per device.
    const count = Math.max(Math.min(2, this.profile.swift.devicesPerNode), scaled(this.profile.swift.devicesPerNode, factor));
    if (count > this.prices.maxVolumesPerNode) {
      // Only Swift nodes carry more than one data volume: one per ring device.
      throw new InputError(
        this.profile.source,
        'swift.devicesPerNode',
        `${count} ring devices per storage node at scale ${factor}; the ${this.target.cloud} target attaches at most ${this.prices.maxVolumesPerNode} volumes per node`,
      );
    }
    const size = factor >= 1 ? this.profile.swift.deviceSizeGiB : this.target.swiftDeviceSizeGiB;
    return Array.from({ length: count }, (_, i) => ({ name: `d${i + 1}`, sizeGiB: size, purpose: 'swift-device' as const }));
  }

  private apiDatabasesGiB(): number {
    const p = this.profile;
    return p.databases.keystoneSizeGiB + p.databases.neutronSizeGiB + p.glance.dbSizeGiB + p.nova.apiCell.dbSizeGiB;
  }

  private allDatabasesGiB(): number {
    return this.apiDatabasesGiB() + this.profile.nova.cells.reduce((sum, c) => sum + c.dbSizeGiB, 0);
  }

  private group(side: Side, cell: string, role: NodeRole, suffix: string, production: VmSize, factor: number, volumes: VolumePlan[]): void {
    for (let i = 1; i <= scaled(production.count, factor); i++) {
      this.add({ name: `${side}-${cell}-${suffix}-${i}`, role, side, cell, production, volumes, index: i - 1 });
    }
  }

  private add(req: NodeRequest): void {
    const zones = this.target.availabilityZones;
    const zone = zones[req.index % zones.length];
    const wanted = STAGING_SIZE[req.role];
    const need = wanted === 'production' ? { vcpus: req.production!.vcpus, memoryGiB: req.production!.memoryGiB } : wanted;
    const os = this.osOf(req.role, req.side);
    const networks = networksOf(req.role);
    // A KVM guest is given what its role needs; its host is what the cloud sells (plan/placement.ts).
    const offer: Offer = this.guests
      ? { name: GUEST_OFFER, ...need, pricePerHour: 0, kvm: 'nested' }
      : this.offerFor({ role: req.role, ...need, node: req.name, os, volumes: req.volumes?.length ?? 0, interfaces: networks.length });
    const addresses = Object.fromEntries(networks.map((net) => [net, this.addresses.assign(net, zone)]));
    const hypervisor: HypervisorPlan | undefined =
      req.role === 'compute' && offer.kvm ? { virtType: 'kvm', acceleration: offer.kvm } : undefined;
    this.nodes.push({
      name: req.name,
      role: req.role,
      side: req.side,
      ...(req.cell ? { cell: req.cell } : {}),
      release: this.releaseOf(req.side),
      os,
      size: { offer: offer.name, vcpus: offer.vcpus, memoryGiB: offer.memoryGiB, pricePerHour: offer.pricePerHour },
      zone,
      addresses,
      rootVolumeGiB: ROOT_VOLUME_GIB,
      volumes: req.volumes ?? [],
      ...(req.swiftZone ? { swiftZone: req.swiftZone } : {}),
      ...(hypervisor ? { hypervisor } : {}),
    });
  }

  /** The offer of a role at a size on an OS, picked once per builder (the catalog is searched and sorted for each pick). */
  private offerFor(req: Omit<OfferRequest, 'drivers'>): Offer {
    const key = `${req.role}/${req.vcpus}/${req.memoryGiB}/${req.os}/${req.volumes}`;
    let offer = this.offers.get(key);
    if (!offer) {
      const drivers = imageDrivers(this.target, req.os);
      offer = pickOffer(this.prices, { ...req, drivers }, this.target.source, factsOf(this.target.cloud).sizeOverrideField);
      this.offers.set(key, offer);
    }
    return offer;
  }

  /** Shared nodes start on the old release: compute is upgraded in place, the toolbox carries every release's tools. */
  private releaseOf(side: NodeSide): Release {
    return side === 'new' ? this.profile.releases.to : this.profile.releases.from;
  }

  private osOf(role: NodeRole, side: NodeSide): string {
    const map = this.profile.os[side === 'new' ? 'new' : 'old'];
    return map[role] ?? map.default;
  }
}
