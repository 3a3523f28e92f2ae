/**
 * The staging plan: pure data computed once from a profile and a target config.
 * Stacks, assets, reports and tests all read it; none of them recompute it.
 */
import type { SecretName } from '../assets/secrets';
import type { NodeRole, Release } from '../profile/schema';
import type { CloudName } from '../targets/config';

/** The two sides of the blue/green upgrade. */
export type Side = 'old' | 'new';
export const SIDES: readonly Side[] = ['old', 'new'];
/** Compute nodes, the migration toolbox and monitoring serve both sides. */
export type NodeSide = Side | 'shared';

/** Network roles; every node has an address on each network it joins. */
export type NetworkRole = 'management' | 'api' | 'storage' | 'tenant';
export const NETWORK_ROLES: readonly NetworkRole[] = ['management', 'api', 'storage', 'tenant'];

export interface SubnetPlan {
  readonly zone: string;
  readonly cidr: string;
}

export interface NetworkPlan {
  readonly role: NetworkRole;
  readonly purpose: string;
  readonly subnets: readonly SubnetPlan[];
}

export interface VolumePlan {
  /** Device name inside the guest, e.g. `sdb` (Swift ring devices are `d1`, `d2`… under /srv/node). */
  readonly name: string;
  readonly sizeGiB: number;
  readonly purpose: 'swift-device' | 'database' | 'dumps' | 'instances';
}

export interface HypervisorPlan {
  readonly virtType: 'kvm';
  /** Hardware KVM on bare metal, or KVM nested inside a virtual machine. */
  readonly acceleration: 'hardware' | 'nested';
}

export interface NodePlan {
  /** Hostname, unique in the plan, e.g. `old-cell01-db-1`. */
  readonly name: string;
  readonly role: NodeRole;
  readonly side: NodeSide;
  /** Nova cell the node belongs to (cell services, cell DB and MQ, compute). */
  readonly cell?: string;
  /** OpenStack release the node runs at deploy time. */
  readonly release: Release;
  readonly os: string;
  /** Instance type (AWS) or flavor (OpenStack) and its size. */
  readonly size: { readonly offer: string; readonly vcpus: number; readonly memoryGiB: number; readonly pricePerHour: number };
  /** Availability zone. */
  readonly zone: string;
  /** Fixed address on every network the node joins. */
  readonly addresses: Readonly<Partial<Record<NetworkRole, string>>>;
  readonly rootVolumeGiB: number;
  readonly volumes: readonly VolumePlan[];
  /** Swift region and zone of a storage node. */
  readonly swiftZone?: { readonly region: number; readonly zone: number };
  readonly hypervisor?: HypervisorPlan;
}

/** How densely guests are packed on hypervisor hosts: stated in the target config, shown in the report. */
export interface PackingRules {
  /** Guest vCPUs per host vCPU. */
  readonly cpuOvercommit: number;
  /** Guest memory per host memory. */
  readonly memoryOvercommit: number;
  /** Kept for the host's own OS, libvirt and QEMU's overhead. */
  readonly hostReserve: { readonly vcpus: number; readonly memoryGiB: number };
}

/** A hypervisor host and the guests it runs (plan/placement.ts). */
export interface HostPlan {
  /** Hostname, unique in the plan, e.g. `hv-old-z1-1`. */
  readonly name: string;
  /** The side whose guests it runs: destroying a side destroys its hosts only. */
  readonly side: NodeSide;
  readonly zone: string;
  readonly size: { readonly offer: string; readonly vcpus: number; readonly memoryGiB: number; readonly pricePerHour: number };
  /** Hardware KVM (bare metal), which guests that run KVM themselves need; or nested, enough for the others. */
  readonly kvm: 'hardware' | 'nested';
  /** Node names of its guests, in placement order. */
  readonly guests: readonly string[];
  /** The host's own address on every network, where its interface carries its guests' (drawn after every node's, so the nodes keep theirs). */
  readonly addresses: Readonly<Record<NetworkRole, string>>;
  /** The host's own disk plus its guests' root disks (qcow2 overlays on the host). */
  readonly rootVolumeGiB: number;
}

/**
 * Where the nodes run: each on an instance (flavor) of its own, or as KVM guests of a
 * few hypervisor hosts, with the reason the planner or the target config gave.
 */
export type PlacementPlan =
  | { readonly kind: 'instances'; readonly reason: string }
  | { readonly kind: 'hypervisors'; readonly reason: string; readonly packing: PackingRules; readonly hosts: readonly HostPlan[] };

export interface CellPlan {
  readonly name: string;
  /** `api` holds nova-api and no compute; `compute` cells hold every service but the API. */
  readonly type: 'api' | 'compute';
  readonly productionComputeHosts: number;
  readonly computeHosts: number;
  readonly dbSizeGiB: number;
  /** Database and broker nodes of the cell, per side. */
  readonly database: Readonly<Record<Side, readonly string[]>>;
  readonly rabbitmq: Readonly<Record<Side, readonly string[]>>;
}

export interface SwiftZonePlan {
  readonly id: number;
  readonly productionNodes: number;
  readonly nodes: number;
}

export interface SwiftPlan {
  readonly partPower: number;
  readonly replicas: number;
  readonly minPartHours: number;
  readonly ports: { readonly object: 6000; readonly container: 6001; readonly account: 6002 };
  readonly regions: readonly { readonly id: number; readonly zones: readonly SwiftZonePlan[] }[];
  readonly productionDevicesPerNode: number;
  readonly devicesPerNode: number;
  readonly productionDeviceSizeGiB: number;
  readonly deviceSizeGiB: number;
}

/** A public API behind the edge load balancer. */
export interface ApiPlan {
  readonly name: 'keystone' | 'nova' | 'glance' | 'neutron' | 'swift' | 'horizon';
  readonly port: number;
  readonly role: NodeRole;
  /** HTTP path the health check asks for. */
  readonly healthPath: string;
}

/** A network flow the security rules allow: nothing else is open. */
export interface FlowPlan {
  readonly from: NodeRole | 'admin' | 'edge';
  readonly to: NodeRole;
  readonly protocol: 'tcp' | 'udp';
  readonly ports: readonly [number, number];
  readonly purpose: string;
  /** Between nodes of the same side only (shared nodes reach both). */
  readonly sameSide: boolean;
}

export type Verdict = 'kept' | 'scaled' | 'emulated' | 'dropped';

export interface FidelityRow {
  readonly component: string;
  readonly production: string;
  readonly staging: string;
  readonly verdict: Verdict;
  readonly reason: string;
}

export interface CostLine {
  readonly item: string;
  readonly count: number;
  readonly unitPerHour: number;
  readonly perHour: number;
}

export interface CostPlan {
  readonly currency: string;
  readonly perHour: number;
  readonly budgetPerHour: number;
  readonly source: string;
  readonly lines: readonly CostLine[];
}

/** Tenant networking as production has it, and how the staging carries it. */
export interface NeutronPlan {
  readonly isolation: 'vlan' | 'vxlan' | 'gre' | 'flat';
  readonly physnets: readonly { readonly name: string; readonly vlanRanges: readonly string[] }[];
  readonly l3: boolean;
  /**
   * `overlay`: the cloud drops 802.1Q tags (AWS), so tenant frames, tags included, ride a
   * VXLAN mesh between the tenant-network nodes; `native`: the tenant NIC carries them.
   */
  readonly tenantTransport: 'overlay' | 'native';
}

export interface StagingPlan {
  readonly rehearsalId: string;
  readonly profile: string;
  readonly cloud: CloudName;
  readonly region: string;
  /** The scale the planner chose (1 = one-to-one), and why. */
  readonly scale: { readonly factor: number; readonly chosenBy: 'budget' | 'target' };
  readonly releases: { readonly from: Release; readonly to: Release; readonly via: readonly Release[] };
  readonly sides: readonly { readonly name: Side; readonly release: Release; readonly os: Readonly<Record<string, string>> }[];
  readonly activeSide: Side;
  /** The production dumps and backups outlive the teardown (the target's `keepBackups`). */
  readonly keepBackups: boolean;
  readonly cells: readonly CellPlan[];
  readonly swift: SwiftPlan;
  readonly neutron: NeutronPlan;
  /** Keystone's company-wide identity backend and the directory stand-in built for it. */
  readonly keystone: KeystonePlan;
  readonly installer: { readonly kind: string; readonly packages: string; readonly localChanges: boolean };
  /** Where production's Glance keeps its images: the staging keeps them there too. */
  readonly glance: { readonly backend: 'swift' | 'file' | 'ceph' };
  /** Production's monitoring and the log lines it ignores (the list a new log format can break). */
  readonly monitoring: { readonly system: string; readonly logIgnorePatterns: readonly string[] };
  readonly networks: readonly NetworkPlan[];
  readonly apis: readonly ApiPlan[];
  readonly flows: readonly FlowPlan[];
  readonly nodes: readonly NodePlan[];
  /** Where the nodes run (plan/placement.ts). */
  readonly placement: PlacementPlan;
  readonly fidelity: readonly FidelityRow[];
  readonly cost: CostPlan;
  /** Workload created inside the staging cloud and checked after every step. */
  readonly canary: CanaryPlan;
}

/** The canary workload: what the rehearsal creates inside the staging cloud and checks after every switch (plan/canary.ts). */
export interface CanaryPlan {
  readonly projects: readonly string[];
  /** Production's flavors the servers boot from: restored with its databases, checked before the canary, never created. */
  readonly flavors: readonly { readonly name: string; readonly vcpus: number; readonly ramMiB: number; readonly diskGiB: number }[];
  /** Tenant networks: their type and VLAN are ML2's to allocate, as for any tenant. */
  readonly networks: readonly { readonly name: string; readonly project: string; readonly cidr: string }[];
  readonly image: { readonly name: string; readonly diskFormat: 'qcow2' | 'raw' };
  readonly servers: readonly {
    readonly name: string;
    readonly project: string;
    readonly cell: string;
    readonly flavor: string;
    readonly network: string;
  }[];
  readonly containers: readonly { readonly name: string; readonly project: string; readonly objects: readonly string[] }[];
  /** A shared network of the admin project, where Tempest's servers boot (the staging has no L3 for per-project ones). */
  readonly tempestNetwork: { readonly name: string; readonly cidr: string };
  /** One of each kind with a Japanese name (UTF-8, three bytes a character): upgrades have broken such names. */
  readonly multibyte: MultibyteCanary;
}

/** The canary's multibyte names: created once, then shown by name through the CLIs and Horizon after every switch. */
export interface MultibyteCanary {
  readonly project: string;
  readonly network: string;
  readonly cidr: string;
  readonly server: string;
  /** Child cell the server boots in. */
  readonly cell: string;
  readonly flavor: string;
  readonly image: string;
  readonly container: string;
  readonly object: string;
}

/** Keystone and the directory its default domain reads (plan/directory.ts). */
export interface DirectoryAccount {
  /** The LDAP uid: Keystone's user id and name both. */
  readonly uid: string;
  readonly groups: readonly string[];
  readonly purpose: string;
  /** The secret holding its password. */
  readonly secret: SecretName;
  /** The canary project it is a member of, for a project's test account. */
  readonly project?: string;
}

export interface DirectoryPlan {
  readonly server: 'openldap';
  /** Role of the node that runs it. */
  readonly role: 'monitoring';
  readonly port: 389;
  readonly suffix: string;
  readonly rootDn: string;
  readonly usersDn: string;
  readonly groupsDn: string;
  readonly servicesDn: string;
  /** Read-only account Keystone binds with. */
  readonly bindDn: string;
  readonly groups: readonly { readonly name: string; readonly description: string }[];
  readonly accounts: readonly DirectoryAccount[];
}

export interface KeystonePlan {
  /** Production's company-wide identity backend, if any. */
  readonly externalAuth?: { readonly kind: 'ldap' | 'saml' | 'kerberos' | 'other'; readonly description?: string };
  /** The stand-in the staging builds for it; none for kinds without one. */
  readonly directory?: DirectoryPlan;
}
