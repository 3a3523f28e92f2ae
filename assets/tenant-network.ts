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

/** Nodes on the tenant network, all and compute only, in plan order: once per plan, not once per node. */
const tenantNodes = new WeakMap<StagingPlan, { all: NodePlan[]; compute: NodePlan[] }>();
function tenantNodesOf(plan: StagingPlan): { all: NodePlan[]; compute: NodePlan[] } {
  let nodes = tenantNodes.get(plan);
  if (!nodes) {
    const all = plan.nodes.filter((n) => n.addresses.tenant);
    nodes = { all, compute: all.filter((n) => n.role === 'compute') };
    tenantNodes.set(plan, nodes);
  }
  return nodes;
}

/** A bootcmd entry (runs every boot; the device does not survive a reboot) creating the overlay, or none. */
export function overlayBootcmd(plan: StagingPlan, node: NodePlan): string[] | undefined {
  if (plan.neutron.tenantTransport !== 'overlay' || !node.addresses.tenant) return undefined;
  const script = [
    `ip link show ${OVERLAY_DEVICE} >/dev/null 2>&1 && exit 0`,
    `ip link add ${OVERLAY_DEVICE} type vxlan id ${VNI} dstport 4789 local ${node.addresses.tenant}`,
    `for peer in ${overlayPeers(plan, node).join(' ')}; do bridge fdb append 00:00:00:00:00:00 dev ${OVERLAY_DEVICE} dst "$peer"; done`,
    `ip link set ${OVERLAY_DEVICE} mtu 1500 up`,
  ].join('; ');
  return ['sh', '-c', script];
}

/** Packstack's ML2 settings for VLAN tenant networks on the node's tenant interface. */
export function ml2Answers(plan: StagingPlan, node: NodePlan): [string, string][] {
  const iface = tenantInterface(plan, node);
  if (!iface || plan.neutron.isolation !== 'vlan' || plan.neutron.physnets.length === 0) return [];
  const ranges = plan.neutron.physnets.flatMap((p) => p.vlanRanges.map((r) => `${p.name}:${r}`)).join(',');
  // One tenant interface: the first physnet is bridged to it (production's other physnets keep their ranges).
  const physnet = plan.neutron.physnets[0].name;
  return [
    ['CONFIG_NEUTRON_L2_PLUGIN', 'ml2'],
    ['CONFIG_NEUTRON_ML2_TYPE_DRIVERS', 'vlan'],
    ['CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES', 'vlan'],
    ['CONFIG_NEUTRON_ML2_VLAN_RANGES', ranges],
    ['CONFIG_NEUTRON_L2_AGENT', 'openvswitch'],
    ['CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS', `${physnet}:${VLAN_BRIDGE}`],
    ['CONFIG_NEUTRON_OVS_BRIDGE_IFACES', `${VLAN_BRIDGE}:${iface}`],
  ];
}
