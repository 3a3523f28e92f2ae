/**
 * The tenant network on the nodes that join it (compute, neutron-server): the
 * interface Neutron's VLAN bridge uses. Where the cloud drops 802.1Q tags (AWS),
 * a VXLAN device replicates tenant frames, tags included, to every other
 * tenant-network node; a Linux VXLAN device never floods what it received back
 * into the mesh, so a full mesh makes no loop.
 */
import { networksOf } from '../plan/network';
import type { NodePlan, StagingPlan } from '../plan/types';

export const OVERLAY_DEVICE = 'vxlan-tenant';
export const VLAN_BRIDGE = 'br-vlan';
/** VXLAN network id of the overlay; one overlay per rehearsal, so any fixed id does. */
const VNI = 4242;

/** Interface the VLAN bridge takes on `node`, or none when the node is not on the tenant network. */
export function tenantInterface(plan: StagingPlan, node: NodePlan): string | undefined {
  if (!node.addresses.tenant) return undefined;
  if (plan.neutron.tenantTransport === 'overlay') return OVERLAY_DEVICE;
  // Cloud images name NICs in attachment order, which follows the planned networks.
  return `eth${networksOf(node.role).indexOf('tenant')}`;
}

/** Tenant addresses a node replicates to: compute nodes reach every tenant node, the others only compute nodes. */
export function overlayPeers(plan: StagingPlan, node: NodePlan): string[] {
  const { all, compute } = tenantNodesOf(plan);
  return (node.role === 'compute' ? all : compute).filter((n) => n !== node).map((n) => n.addresses.tenant!);
}

/** The same peers as address ranges (see addressRanges). */
export function overlayPeerRanges(plan: StagingPlan, node: NodePlan): string[] {
  const { allNumbers, computeNumbers } = tenantNodesOf(plan);
  const self = toNumber(node.addresses.tenant!);
  return rangesOf((node.role === 'compute' ? allNumbers : computeNumbers).filter((n) => n !== self));
}

/** Nodes on the tenant network, all and compute only: once per plan, not once per node. */
interface TenantNodes {
  readonly all: readonly NodePlan[];
  readonly compute: readonly NodePlan[];
  /** Their tenant addresses as numbers, sorted. */
  readonly allNumbers: readonly number[];
  readonly computeNumbers: readonly number[];
}
const tenantNodes = new WeakMap<StagingPlan, TenantNodes>();
function tenantNodesOf(plan: StagingPlan): TenantNodes {
  let nodes = tenantNodes.get(plan);
  if (!nodes) {
    const all = plan.nodes.filter((n) => n.addresses.tenant);
    const compute = all.filter((n) => n.role === 'compute');
    const numbers = (list: readonly NodePlan[]) => list.map((n) => toNumber(n.addresses.tenant!)).sort((a, b) => a - b);
    nodes = { all, compute, allNumbers: numbers(all), computeNumbers: numbers(compute) };
    tenantNodes.set(plan, nodes);
  }
  return nodes;
}

const toNumber = (address: string): number => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const toAddress = (n: number): string => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * Addresses as runs of consecutive ones ("first-last", or one address alone), in
 * address order. The plan gives a cell's nodes consecutive addresses, so a
 * one-to-one clone's 360 peers take a few ranges instead of 5 KiB of user data
 * (AWS allows 16 KiB in all).
 */
export function addressRanges(addresses: readonly string[]): string[] {
  return rangesOf([...new Set(addresses.map(toNumber))].sort((a, b) => a - b));
}

/** Runs of consecutive numbers among sorted, distinct ones, as address ranges. */
function rangesOf(numbers: readonly number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < numbers.length; i++) {
    const first = numbers[i];
    while (numbers[i + 1] === numbers[i] + 1) i++;
    ranges.push(numbers[i] === first ? toAddress(first) : `${toAddress(first)}-${toAddress(numbers[i])}`);
  }
  return ranges;
}

/**
 * A shell command printing every address of the ranges, one per line (awk: on every
 * CentOS image; octets are printed one by one so 32-bit integer limits never matter).
 */
export function expandRanges(ranges: readonly string[]): string {
  const program = [
    'BEGIN { n = split(ranges, r, " ");',
    'for (i = 1; i <= n; i++) { if (split(r[i], ends, "-") == 1) ends[2] = ends[1];',
    'split(ends[1], a, "."); split(ends[2], b, ".");',
    'first = ((a[1] * 256 + a[2]) * 256 + a[3]) * 256 + a[4]; last = ((b[1] * 256 + b[2]) * 256 + b[3]) * 256 + b[4];',
    'for (x = first; x <= last; x++) printf "%d.%d.%d.%d\\n", int(x / 16777216), int(x / 65536) % 256, int(x / 256) % 256, x % 256 } }',
  ].join(' ');
  return `awk -v ranges='${ranges.join(' ')}' '${program}'`;
}

/** A bootcmd entry (runs every boot; the device does not survive a reboot) creating the overlay, or none. */
export function overlayBootcmd(plan: StagingPlan, node: NodePlan): string[] | undefined {
  if (plan.neutron.tenantTransport !== 'overlay' || !node.addresses.tenant) return undefined;
  const script = [
    `ip link show ${OVERLAY_DEVICE} >/dev/null 2>&1 && exit 0`,
    `ip link add ${OVERLAY_DEVICE} type vxlan id ${VNI} dstport 4789 local ${node.addresses.tenant}`,
    `${expandRanges(overlayPeerRanges(plan, node))} | while read -r peer; do bridge fdb append 00:00:00:00:00:00 dev ${OVERLAY_DEVICE} dst "$peer"; done`,
    `ip link set ${OVERLAY_DEVICE} mtu 1500 up`,
  ].join('; ');
  return ['sh', '-c', script];
}
