/**
 * The node's extra network interfaces, configured by the node itself at every boot.
 * The cloud attaches one interface per planned network (management first, as eth0)
 * but the era's images configure eth0 only (their own ifcfg-eth0, DHCP): without
 * this, the API, storage and tenant addresses would exist in the cloud and not on
 * the node. Each gets an initscripts ifcfg file (EL6 and EL7 alike) with its planned
 * address and no default route, then `ifup`. The tenant interface of a cloud that
 * carries the tagged frames itself is Neutron's bridge port: up, with no address.
 */
import { networksOf } from '../plan/network';
import type { NetworkRole, NodePlan, StagingPlan } from '../plan/types';

export interface InterfaceConfig {
  readonly device: string;
  readonly network: NetworkRole;
  /** Planned address and prefix length; absent for a bare bridge port. */
  readonly address?: { readonly ip: string; readonly prefix: number };
  /**
   * The same network's subnets in the other zones, reached through this subnet's
   * gateway on this interface: a reply must leave by the interface that owns its
   * source address (AWS drops it otherwise: source/destination check).
   */
  readonly routes: readonly { readonly cidr: string; readonly via: string }[];
}

/** The cloud's gateway of a subnet: its first host address (AWS's VPC router; Neutron's default gateway_ip). */
export const gatewayOf = (cidr: string): string => {
  const [base] = cidr.split('/');
  const octets = base.split('.').map(Number);
  octets[3] += 1;
  return octets.join('.');
};

/** Interfaces besides eth0, in attachment order (the planned networks' order, as the targets attach them). */
export function extraInterfaces(plan: StagingPlan, node: NodePlan): InterfaceConfig[] {
  return networksOf(node.role)
    .map((network, index) => ({ network, device: `eth${index}` }))
    .filter(({ network }) => network !== 'management')
    .map(({ network, device }) => {
      const bridgePort = network === 'tenant' && plan.neutron.tenantTransport === 'native';
      const subnets = plan.networks.find((n) => n.role === network)!.subnets;
      const subnet = subnets.find((s) => s.zone === node.zone)!;
      const prefix = Number(subnet.cidr.split('/')[1]);
      if (bridgePort) return { device, network, routes: [] };
      const routes = subnets.filter((s) => s !== subnet).map((s) => ({ cidr: s.cidr, via: gatewayOf(subnet.cidr) }));
      return { device, network, address: { ip: node.addresses[network]!, prefix }, routes };
    });
}

/** The route-<device> file of one interface (initscripts' `ip route` argument lines), or none. */
export function routeFile(config: InterfaceConfig): string | undefined {
  return config.routes.length ? config.routes.map((r) => `${r.cidr} via ${r.via} dev ${config.device}\n`).join('') : undefined;
}

/** The ifcfg file of one interface. */
export function ifcfg(config: InterfaceConfig): string {
  return [
    `DEVICE=${config.device}`,
    'BOOTPROTO=none',
    'ONBOOT=yes',
    ...(config.address ? [`IPADDR=${config.address.ip}`, `PREFIX=${config.address.prefix}`] : []),
    // eth0 keeps the default route and the resolver: the other networks are reached on-link.
    'DEFROUTE=no',
    'PEERDNS=no',
    'NM_CONTROLLED=no',
    '',
  ].join('\n');
}

/** bootcmd entry writing every extra interface's ifcfg file and bringing it up; undefined for a node with eth0 only. */
export function interfacesBootcmd(plan: StagingPlan, node: NodePlan): string[] | undefined {
  const extra = extraInterfaces(plan, node);
  if (extra.length === 0) return undefined;
  const dir = '/etc/sysconfig/network-scripts';
  // Each file's text is the printf format: it holds no % and no quote (names, addresses, numbers).
  const write = (text: string, file: string) => `printf '${text.replace(/\n/g, '\\n')}' > ${dir}/${file}`;
  const script = extra
    .map((config) => {
      const routes = routeFile(config);
      return [
        write(ifcfg(config), `ifcfg-${config.device}`),
        ...(routes ? [write(routes, `route-${config.device}`)] : []),
        `ifup ${config.device}`,
      ].join(' && ');
    })
    .join('; ');
  return ['sh', '-c', script];
}
