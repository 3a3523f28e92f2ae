/**
 * The network of a hypervisor host (plan/placement.ts): how its guests keep the
 * addresses the plan gave them, in the cloud's own subnets.
 *
 * Routed, not bridged onto the cloud: a cloud network delivers only to the
 * addresses it assigned to an interface (AWS's source/destination check, Neutron's
 * port security), and it floods no unknown MAC. So each guest address is also a
 * secondary address of the host's interface on that network (the stacks assign it),
 * the cloud delivers it to the host, and the host routes it to the guest over a
 * bridge of its own: a /32 route per guest, proxy ARP on both sides so that the
 * guests reach their subnet's gateway and the guests of other hosts as if on-link,
 * and other hosts reach them as if they were the host. Load-balancer targets, security
 * rules and every address in the assets stay what they are with one instance per node.
 *
 * The tenant network is different: its frames carry Neutron's 802.1Q tags, which no
 * cloud network forwards. The host's tenant bridge is a plain Linux bridge (no VLAN
 * filtering: tagged frames pass as they are) with a VXLAN port replicating to every
 * other host, so the guests' VLANs reach each other, tags kept, across hosts.
 */
import type { NetworkRole } from '../plan/types';
import { BRIDGE_OF } from './libvirt';
import { shQuote } from './shell';

/** Networks whose guest addresses the host routes (every planned network but the tenant trunk). */
export const ROUTED_ROLES = ['management', 'api', 'storage'] as const satisfies readonly NetworkRole[];
export type RoutedRole = (typeof ROUTED_ROLES)[number];

/** The VXLAN port of the tenant bridge. */
export const TENANT_TRUNK_PORT = 'vx-tenant';
/** VXLAN network id of the hosts' tenant trunk: one trunk per rehearsal, so any fixed id does. */
const TRUNK_VNI = 4243;

export interface HostNetwork {
  /** The host's own address on each network: its interface there is the one holding it. */
  readonly addresses: Readonly<Record<NetworkRole, string>>;
  /** The cloud's gateway of the host's subnet on each routed network, where a guest's traffic beyond its subnet leaves. */
  readonly gateways: Readonly<Record<RoutedRole, string>>;
  /** The planned addresses of the host's guests. */
  readonly guests: readonly { readonly name: string; readonly addresses: Readonly<Partial<Record<NetworkRole, string>>> }[];
  /** The other hosts' tenant addresses, where the trunk replicates tenant frames. */
  readonly tenantPeers: readonly string[];
  /** The nftables file keeping each guest's security group (assets/host-firewall.ts), loaded before any bridge exists. */
  readonly firewallFile?: string;
}

/**
 * A bash script (run at every boot: none of it survives a reboot) building the
 * host's bridges, routes and trunk. Idempotent, so a rerun changes nothing.
 */
export function hostNetworkScript(net: HostNetwork): string {
  const lines = [
    '#!/bin/bash',
    '# The hypervisor host network: guest addresses routed from the cloud interfaces, tenant VLANs trunked over VXLAN.',
    'set -euo pipefail',
    '',
    '# The interface holding an address (cloud images name interfaces differently: ens5, eth1, …).',
    'uplink() {',
    // awk reads to the end (no early exit): under pipefail, ip writing into a closed pipe would fail the lookup.
    '  ip -o -4 addr show | awk -v a="$1" \'{ split($4, p, "/"); if (p[1] == a && !found) { print $2; found = 1 } }\'',
    '}',
    // cloud-init (22.4, DataSourceEc2 convert_ec2_metadata_network_config) puts every secondary address of an
    // interface on it, the guests' included: the host would answer for them itself instead of routing them on.
    'drop_local() {',
    '  local cidr',
    '  cidr=$(ip -o -4 addr show dev "$1" | awk -v a="$2" \'{ split($4, p, "/"); if (p[1] == a) print $4 }\')',
    '  [ -z "$cidr" ] || ip addr del "$cidr" dev "$1"',
    '}',
    'bridge_up() {',
    '  ip link show "$1" >/dev/null 2>&1 || ip link add "$1" type bridge',
    '  ip link set "$1" up',
    '}',
    '',
    ...(net.firewallFile
      ? ["# The guests' security groups first: no guest is reachable before its rules are in place.", `nft -f ${shQuote(net.firewallFile)}`]
      : []),
    'sysctl -qw net.ipv4.ip_forward=1',
  ];
  ROUTED_ROLES.forEach((role, index) => {
    const bridge = BRIDGE_OF[role];
    const own = net.addresses[role];
    const table = 101 + index;
    const pref = 1000 + 2 * index;
    lines.push(
      '',
      `# ${role}: guests on ${bridge}, the cloud's subnet on the interface holding ${own}.`,
      `dev=$(uplink ${shQuote(own)})`,
      `[ -n "$dev" ] || { echo "no interface holds the host's ${role} address ${own}" >&2; exit 1; }`,
      `bridge_up ${bridge}`,
      // The guests' ports are isolated (libvirt's <port isolated='yes'/>): the host answers their ARP for each
      // other too (proxy_arp_pvlan), so that even two guests of one host talk through its firewall.
      `sysctl -qw "net.ipv4.conf.${bridge}.proxy_arp=1" "net.ipv4.conf.${bridge}.proxy_arp_pvlan=1" "net.ipv4.conf.$dev.proxy_arp=1"`,
      // The kernel delays proxy replies by up to 0.8 s by default; a guest's first packet to a peer crosses two.
      `sysctl -qw "net.ipv4.neigh.${bridge}.proxy_delay=0" "net.ipv4.neigh.$dev.proxy_delay=0"`,
    );
    for (const guest of net.guests) {
      const address = guest.addresses[role];
      if (address) {
        lines.push(`drop_local "$dev" ${shQuote(address)}`);
        lines.push(`ip route replace ${shQuote(`${address}/32`)} dev ${bridge}  # ${guest.name}`);
      }
    }
    // What a guest sends from this network leaves by this network's interface, which holds its address (a cloud drops
    // it on another: source/destination check): the main table but its default route, then this network's gateway.
    lines.push(
      `ip route replace default via ${shQuote(net.gateways[role])} dev "$dev" table ${table}`,
      `while ip rule del pref ${pref} 2>/dev/null; do :; done`,
      `ip rule add pref ${pref} iif ${bridge} lookup main suppress_prefixlength 0`,
      `while ip rule del pref ${pref + 1} 2>/dev/null; do :; done`,
      `ip rule add pref ${pref + 1} iif ${bridge} lookup ${table}`,
    );
  });
  const bridge = BRIDGE_OF.tenant;
  lines.push(
    '',
    `# tenant: an 802.1Q trunk between the guests' Neutron agents, over VXLAN between hosts.`,
    `bridge_up ${bridge}`,
    `if ! ip link show ${TENANT_TRUNK_PORT} >/dev/null 2>&1; then`,
    `  ip link add ${TENANT_TRUNK_PORT} type vxlan id ${TRUNK_VNI} dstport 4789 local ${shQuote(net.addresses.tenant)}`,
    ...net.tenantPeers.map((peer) => `  bridge fdb append 00:00:00:00:00:00 dev ${TENANT_TRUNK_PORT} dst ${shQuote(peer)}`),
    'fi',
    // Guests send 1500-byte frames plus their tag; the 50 bytes of VXLAN ride the cloud network's larger MTU.
    `ip link set ${TENANT_TRUNK_PORT} mtu 1500 master ${bridge} up`,
    '',
  );
  return lines.join('\n');
}
