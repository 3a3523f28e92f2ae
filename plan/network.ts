/**
 * Staging network layout: one subnet per network role and availability zone,
 * fixed node addresses, the public APIs and the only flows the rules allow.
 */
import { InputError } from '../profile/errors';
import { NODE_ROLES, type NodeRole } from '../profile/schema';
import type { ApiPlan, FlowPlan, NetworkPlan, NetworkRole } from './types';
import { NETWORK_ROLES } from './types';

const PURPOSE: Record<NetworkRole, string> = {
  management: 'SSH, databases, message queues, service-to-service APIs',
  api: 'public API endpoints behind the edge load balancer',
  storage: 'Swift proxy-to-storage traffic and replication',
  tenant: 'tenant overlay between compute nodes (carries the VLAN-tagged tenant traffic)',
};

import { ROLES } from './roles';

export { networksOf } from './roles';

/** Roles in the schema's order: the order flows and APIs are listed in. */
const ROLE_NAMES: readonly NodeRole[] = NODE_ROLES;

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

/** The public APIs, in role-table order: each role's `publicApi` (plan/roles.ts). */
export const APIS: readonly ApiPlan[] = ROLE_NAMES.flatMap((role) => {
  const api = ROLES[role].publicApi;
  return api ? [{ ...api, role }] : [];
});

/**
 * Every allowed flow, read from the role table: the edge to each public API, each Keystone client
 * to its side's Keystone, each role's own inbound flows, and monitoring, operator SSH and log
 * shipping for every monitored role. Anything not listed is closed. `directory`: the plan builds
 * the LDAP stand-in on the monitoring node.
 */
export function flows(options: { readonly directory?: boolean } = {}): FlowPlan[] {
  const tcp = (from: FlowPlan['from'], to: NodeRole, port: number, purpose: string, sameSide = true): FlowPlan => ({
    from,
    to,
    protocol: 'tcp',
    ports: [port, port],
    purpose,
    sameSide,
  });
  const list: FlowPlan[] = APIS.map((api) => tcp('edge', api.role, api.port, `${api.name} API from the edge load balancer`));
  for (const client of ROLE_NAMES.filter((role) => ROLES[role].keystoneClient)) {
    list.push(tcp(client, 'keystone', 5000, 'token validation'), tcp(client, 'keystone', 35357, 'Keystone admin API'));
  }
  for (const role of ROLE_NAMES) list.push(...ROLES[role].inbound.map((flow) => ({ ...flow, to: role })));
  for (const role of ROLE_NAMES.filter((r) => ROLES[r].monitored)) {
    list.push(
      tcp('monitoring', role, 5666, 'monitoring agent (NRPE)', false),
      tcp('admin', role, 22, 'operator SSH'),
      tcp(role, 'monitoring', 514, 'log shipping (rsyslog) to log monitoring', false),
    );
  }
  // Both sides' Keystone read the one directory stand-in: production keeps one company-wide directory across the upgrade.
  if (options.directory) list.push(tcp('keystone', 'monitoring', 389, 'Keystone LDAP identity to the company-directory stand-in', false));
  return list;
}
