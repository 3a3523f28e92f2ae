/**
 * What a cloud must provide to realize a plan. Stacks hold the role logic and
 * call these; everything cloud-specific lives behind this interface, under
 * `targets/<cloud>/`.
 */
import type { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { DevicePath } from '../assets/devices';
import type { HostPlan, NetworkRole, NodePlan, StagingPlan } from '../plan/types';

/** Construct id of an uploaded asset, from its bucket key (the same rule on every cloud). */
export const assetObjectId = (key: string): string => `asset-${key.replace(/[^A-Za-z0-9-]+/g, '-')}`;

/** References produced by the foundation stack and consumed by the others. */
export interface Foundation {
  /** Subnet (or network) id of a network role in a zone. */
  subnet(network: NetworkRole, zone: string): string;
  /** Security group id of a group named by `groupOf`. */
  securityGroup(group: string): string;
  /** Bucket or container for DB dumps, backups and bootstrap assets. */
  readonly buckets: { readonly dumps: string; readonly backups: string; readonly assets: string };
}

/** What the stacks read back from a realized node. */
export interface NodeHandle {
  readonly name: string;
  /** Cloud id of the instance. */
  readonly id: string;
}

/** A cloud's realization, typed by what its foundation hands the other stacks (each cloud's own handles, never downcast). */
export interface CloudTarget<F extends Foundation = Foundation> {
  readonly cloud: StagingPlan['cloud'];
  /** Provider(s) and state backend of one stack. */
  configure(stack: TerraformStack, stackName: string): void;
  /** Networks, security groups and rules, buckets. */
  foundation(stack: TerraformStack): F;
  /**
   * The nodes of one stack: volumes, instances, extra interfaces. `userData(node)`
   * receives the path under which the node sees each planned volume (clouds name
   * attached disks differently, and the path may hold the volume id, known at deploy time).
   */
  nodes(scope: Construct, nodes: readonly NodePlan[], foundation: F, userData: (node: NodePlan) => UserDataFor): NodeHandle[];
  /**
   * The hypervisor hosts of one stack (plan/placement.ts): each with an interface per network
   * holding its own and its guests' addresses, its guests' volumes attached to it. `userData(host)`
   * receives the path under which the host sees each guest volume, and gives the host's files
   * in a bundle where the target delivers them itself.
   */
  hosts(scope: Construct, hosts: readonly HostPlan[], foundation: F, userData: (host: HostPlan) => HostUserDataFor): NodeHandle[];
  /** Puts a file in the assets bucket (or container), for nodes whose user data is over the cloud's limit. */
  upload(scope: Construct, foundation: F, key: string, content: string): void;
  /** The public entry: a listener per API, a target group or pool per side, forwarding to the active side. */
  edge(stack: TerraformStack, foundation: F, active: ActiveSide): EdgeHandle;
}

/**
 * The side the edge serves, as Terraform sees it: the edge stack's `active_side`
 * variable, so that a cut-over or a rollback is a plan of the same configuration
 * with another value, prepared ahead and applied at the switch.
 */
export interface ActiveSide {
  /** The side's name as an expression (`old` or `new`). */
  readonly name: string;
  /** An expression giving `old` while the old side serves and `neu` while the new one does. */
  choose(old: string, neu: string): string;
}

/** What the stacks read back from the edge. */
export interface EdgeHandle {
  /** Host name or address where operators and the canary workload reach the public APIs. */
  readonly endpoint: string;
}

/** What a hypervisor host boots with: its user data, and where the target must copy its files, their bundle. */
export interface HostBoot {
  readonly userData: string;
  /** The host's files as one script (assets/host-bundle.ts), for targets whose hosts cannot fetch them. */
  readonly bundle?: string;
}

/**
 * Renders a host's user data once it knows where it sees each guest volume, and the
 * operators' SSH public keys its guests take (expressions where the cloud holds them).
 */
export type HostUserDataFor = (hostDevicePath: DevicePath, publicKeys: readonly string[]) => HostBoot;

/** Renders a node's user data once its volumes' device paths are known. */
export type UserDataFor = (devicePaths: readonly string[]) => string;
