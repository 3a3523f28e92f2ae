/**
 * Staging network layout: one subnet per network role and availability zone,
 * fixed node addresses, the public APIs and the only flows the rules allow.
 */
import { InputError } from '../profile/errors';
import type { NodeRole } from '../profile/schema';
import type { ApiPlan, FlowPlan, NetworkPlan, NetworkRole } from './types';
import { NETWORK_ROLES } from './types';

const PURPOSE: Record<NetworkRole, string> = {
  management: 'SSH, databases, message queues, service-to-service APIs',
  api: 'public API endpoints behind the edge load balancer',
  storage: 'Swift proxy-to-storage traffic and replication',
  tenant: 'tenant overlay between compute nodes (carries the VLAN-tagged tenant traffic)',
};

export { networksOf } from './roles';

const toInt = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
const toIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** First addresses of a subnet are reserved by the clouds (AWS keeps 4) and the gateway. */
const FIRST_HOST_OFFSET = 10;

export function carveNetworks(cidr: string, zones: readonly string[], source: string): NetworkPlan[] {
  const [base, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const blocks = NETWORK_ROLES.length * zones.length;
  const subnetPrefix = prefix + Math.ceil(Math.log2(blocks));
  if (subnetPrefix > 24) {
    throw new InputError(source, 'networkCidr', `${cidr} is too small for ${blocks} subnets of at least /24; use a /20 or larger`);
  }
  const start = toInt(base) - (toInt(base) % 2 ** (32 - prefix));
  const blockSize = 2 ** (32 - subnetPrefix);
  return NETWORK_ROLES.map((role, r) => ({
    role,
    purpose: PURPOSE[role],
    subnets: zones.map((zone, z) => ({ zone, cidr: `${toIp(start + (r * zones.length + z) * blockSize)}/${subnetPrefix}` })),
  }));
}

/** Hands out fixed addresses, in node order, per subnet. */
export class AddressBook {
  /** Each subnet by `network/zone`: parsed once, with the offset of its next free address. */
  private readonly subnets = new Map<string, { readonly cidr: string; readonly base: number; readonly size: number; next: number }>();

  constructor(
    networks: readonly NetworkPlan[],
    private readonly source: string,
  ) {
    for (const network of networks) {
      for (const subnet of network.subnets) {
        const [base, prefix] = subnet.cidr.split('/');
        this.subnets.set(`${network.role}/${subnet.zone}`, {
          cidr: subnet.cidr,
          base: toInt(base),
          size: 2 ** (32 - Number(prefix)),
          next: FIRST_HOST_OFFSET,
        });
      }
    }
  }

  assign(network: NetworkRole, zone: string): string {
    const subnet = this.subnets.get(`${network}/${zone}`)!;
    if (subnet.next >= subnet.size - 2) {
      throw new InputError(
        this.source,
        'networkCidr',
        `subnet ${subnet.cidr} (${network}, ${zone}) has no address left; use a larger networkCidr or more availability zones`,
      );
    }
    return toIp(subnet.base + subnet.next++);
  }
}

export const APIS: readonly ApiPlan[] = [
  { name: 'keystone', port: 5000, role: 'keystone', healthPath: '/v3' },
  { name: 'nova', port: 8774, role: 'nova-api', healthPath: '/' },
  { name: 'glance', port: 9292, role: 'glance', healthPath: '/versions' },
  { name: 'neutron', port: 9696, role: 'neutron-server', healthPath: '/' },
  { name: 'swift', port: 8080, role: 'swift-proxy', healthPath: '/healthcheck' },
  { name: 'horizon', port: 80, role: 'horizon', healthPath: '/dashboard/auth/login/' },
];

const tcp = (from: FlowPlan['from'], to: NodeRole, ports: [number, number], purpose: string, sameSide = true): FlowPlan => ({
  from,
  to,
  protocol: 'tcp',
  ports,
  purpose,
  sameSide,
});

const API_CLIENTS: readonly NodeRole[] = [
  'keystone',
  'glance',
  'nova-api',
  'neutron-server',
  'horizon',
  'swift-proxy',
  'cell-services',
  'compute',
  'monitoring',
];

/** Every allowed flow. Anything not listed is closed. `directory`: the plan builds the LDAP stand-in on the monitoring node. */
export function flows(options: { readonly directory?: boolean } = {}): FlowPlan[] {
  const list: FlowPlan[] = [];
  for (const api of APIS) {
    list.push(tcp('edge', api.role, [api.port, api.port], `${api.name} API from the edge load balancer`));
  }
  for (const client of API_CLIENTS) {
    if (client !== 'keystone') list.push(tcp(client, 'keystone', [5000, 5000], 'token validation'));
    if (client !== 'keystone') list.push(tcp(client, 'keystone', [35357, 35357], 'Keystone admin API'));
  }
  list.push(
    tcp('horizon', 'nova-api', [8774, 8774], 'dashboard'),
    tcp('horizon', 'glance', [9292, 9292], 'dashboard'),
    tcp('horizon', 'neutron-server', [9696, 9696], 'dashboard'),
    tcp('compute', 'glance', [9292, 9292], 'image download to local qcow2 cache'),
    tcp('compute', 'neutron-server', [9696, 9696], 'port binding'),
    tcp('nova-api', 'neutron-server', [9696, 9696], 'network info'),
    tcp('nova-api', 'glance', [9292, 9292], 'image metadata'),
    tcp('glance', 'swift-proxy', [8080, 8080], 'Glance images stored in Swift'),
    tcp('swift-proxy', 'swift-storage', [6000, 6002], 'object, container and account servers'),
    tcp('swift-storage', 'swift-storage', [6000, 6002], 'replication'),
    // Across sides too: the upgrade copies the old side's devices to the new side with rsync.
    tcp('swift-storage', 'swift-storage', [873, 873], 'rsync replication and the cross-side data copy', false),
    tcp('keystone', 'database', [3306, 3306], 'keystone DB'),
    tcp('glance', 'database', [3306, 3306], 'glance DB'),
    tcp('neutron-server', 'database', [3306, 3306], 'neutron DB'),
    tcp('nova-api', 'database', [3306, 3306], 'API cell DB'),
    tcp('nova-api', 'rabbitmq', [5672, 5672], 'API cell message queue'),
    tcp('neutron-server', 'rabbitmq', [5672, 5672], 'neutron agents queue'),
    tcp('compute', 'rabbitmq', [5672, 5672], 'neutron agent on compute'),
    tcp('cell-services', 'rabbitmq', [5672, 5672], 'child nova-cells to the parent cell broker'),
    tcp('cell-services', 'cell-database', [3306, 3306], 'cell DB (nova-conductor)'),
    tcp('cell-services', 'cell-rabbitmq', [5672, 5672], 'cell message queue'),
    tcp('compute', 'cell-rabbitmq', [5672, 5672], 'nova-compute to its cell broker'),
    tcp('compute', 'compute', [16509, 16509], 'libvirt live migration control'),
    tcp('compute', 'compute', [49152, 49215], 'libvirt live migration data'),
    {
      from: 'compute',
      to: 'compute',
      protocol: 'udp',
      ports: [4789, 4789],
      purpose: 'VXLAN overlay carrying tenant VLANs',
      sameSide: true,
    },
    {
      from: 'neutron-server',
      to: 'compute',
      protocol: 'udp',
      ports: [4789, 4789],
      purpose: 'DHCP agent on the tenant overlay',
      sameSide: true,
    },
    {
      from: 'compute',
      to: 'neutron-server',
      protocol: 'udp',
      ports: [4789, 4789],
      purpose: 'DHCP agent on the tenant overlay',
      sameSide: true,
    },
    // The toolbox restores dumps into the new side and reads the old side's: it reaches both.
    tcp('migration-toolbox', 'database', [3306, 3306], 'dump and migrate the API-level databases', false),
    tcp('migration-toolbox', 'cell-database', [3306, 3306], 'dump and migrate every cell database', false),
    // Tempest runs from the toolbox against the serving side, on the catalog's internal endpoints (the edge answers operators only).
    ...APIS.filter((api) => api.role !== 'horizon').flatMap((api) =>
      (api.role === 'keystone' ? [api.port, 35357] : [api.port]).map((port) =>
        tcp('migration-toolbox', api.role, [port, port], `Tempest: ${api.name} API`, false),
      ),
    ),
  );
  for (const role of [
    'keystone',
    'glance',
    'nova-api',
    'neutron-server',
    'horizon',
    'swift-proxy',
    'database',
    'rabbitmq',
    'cell-services',
    'cell-database',
    'cell-rabbitmq',
    'swift-storage',
    'compute',
    'migration-toolbox',
  ] as const) {
    list.push(tcp('monitoring', role, [5666, 5666], 'monitoring agent (NRPE)', false));
    list.push(tcp('admin', role, [22, 22], 'operator SSH'));
    list.push(tcp(role, 'monitoring', [514, 514], 'log shipping (rsyslog) to log monitoring', false));
  }
  list.push(tcp('admin', 'monitoring', [22, 22], 'operator SSH'), tcp('admin', 'monitoring', [80, 80], 'monitoring web UI'));
  // Both sides' Keystone read the one directory stand-in: production keeps one company-wide directory across the upgrade.
  if (options.directory)
    list.push(tcp('keystone', 'monitoring', [389, 389], 'Keystone LDAP identity to the company-directory stand-in', false));
  return list;
}
