/**
 * The OpenStack foundation: a network per network role with a subnet per zone
 * (routed out for package downloads), a security group per role and side whose
 * rules are keyed by what they allow, and the containers for dumps, backups and assets.
 */
import { TerraformIterator, type TerraformStack } from 'cdktf';
import { ingressMembers, securityGroups } from '../../plan/security';
import type { NetworkRole, StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import type { Foundation } from '../target';
import { NetworkingNetworkV2 } from '../../.gen/providers/openstack/networking-network-v2';
import { NetworkingRouterInterfaceV2 } from '../../.gen/providers/openstack/networking-router-interface-v2';
import { NetworkingRouterV2 } from '../../.gen/providers/openstack/networking-router-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSubnetV2 } from '../../.gen/providers/openstack/networking-subnet-v2';
import { ObjectstorageContainerV1 } from '../../.gen/providers/openstack/objectstorage-container-v1';
import { OPENSTACK_FACTS } from './facts';
import type { OpenstackNaming } from './naming';

export interface OpenstackFoundation extends Foundation {
  /** Network id of a network role (ports need it beside the subnet). */
  network(role: NetworkRole): string;
}

export function openstackFoundation(
  stack: TerraformStack,
  plan: StagingPlan,
  config: OpenstackTargetConfig,
  { name, tags }: OpenstackNaming,
): OpenstackFoundation {
  const subnets = new Map<string, string>();
  const networks = new Map<string, string>();
  const router = new NetworkingRouterV2(stack, 'router', {
    name: name('router'),
    externalNetworkId: config.externalNetwork,
    tags: tags({ side: 'shared', role: 'network' }),
  });
  for (const network of plan.networks) {
    const net = new NetworkingNetworkV2(stack, `net-${network.role}`, {
      name: name(network.role),
      description: network.purpose,
      // The tenant overlay carries 802.1Q frames between compute nodes: no port security on it.
      portSecurityEnabled: network.role !== 'tenant',
      tags: tags({ side: 'shared', role: 'network' }),
    });
    networks.set(network.role, net.id);
    for (const s of network.subnets) {
      const subnet = new NetworkingSubnetV2(stack, `subnet-${network.role}-${s.zone}`, {
        name: name(`${network.role}-${s.zone}`),
        networkId: net.id,
        cidr: s.cidr,
        ipVersion: 4,
        // KVM guests have static addresses and take these resolvers from their seeds.
        ...(config.dnsNameservers.length ? { dnsNameservers: config.dnsNameservers } : {}),
        tags: tags({ side: 'shared', role: 'network' }),
      });
      subnets.set(`${network.role}/${s.zone}`, subnet.id);
      if (network.role === 'management' || network.role === 'api') {
        new NetworkingRouterInterfaceV2(stack, `router-${network.role}-${s.zone}`, { routerId: router.id, subnetId: subnet.id });
      }
    }
  }
  const groups = new Map<string, string>();
  for (const group of securityGroups(plan)) {
    const sg = new NetworkingSecgroupV2(stack, `sg-${group}`, {
      name: name(group),
      description: `${group} nodes of rehearsal ${plan.rehearsalId}`,
      deleteDefaultRules: true,
      tags: tags({ side: 'shared', role: group }),
    });
    groups.set(group, sg.id);
    const egress = (id: string, rule: { protocol?: string; min?: number; max?: number; cidr: string }) =>
      new NetworkingSecgroupRuleV2(stack, `sg-${group}-${id}`, {
        securityGroupId: sg.id,
        direction: 'egress',
        ethertype: 'IPv4',
        protocol: rule.protocol,
        portRangeMin: rule.min,
        portRangeMax: rule.max,
        remoteIpPrefix: rule.cidr,
      });
    egress('out-80', { protocol: 'tcp', min: 80, max: 80, cidr: '0.0.0.0/0' });
    egress('out-443', { protocol: 'tcp', min: 443, max: 443, cidr: '0.0.0.0/0' });
    egress('out-net', { cidr: config.networkCidr });
  }
  // Keyed by what they allow, as on AWS: a new flow adds members, it never renumbers (replaces) the others.
  // The operators come in from the admin CIDRs: their own network is this cloud's access path.
  const { fromGroups, fromCidrs } = ingressMembers(plan, config.adminCidrs, { group: (name) => groups.get(name)! });
  const ingress = (id: string, members: Record<string, object>, remote: 'remoteGroupId' | 'remoteIpPrefix') => {
    const each = TerraformIterator.fromMap(members);
    new NetworkingSecgroupRuleV2(stack, id, {
      forEach: each,
      securityGroupId: each.getString('group'),
      direction: 'ingress',
      ethertype: 'IPv4',
      protocol: each.getString('protocol'),
      portRangeMin: each.getNumber('from'),
      portRangeMax: each.getNumber('to'),
      description: each.getString('description'),
      [remote]: each.getString('source'),
    });
  };
  ingress('ingress-from-groups', fromGroups, 'remoteGroupId');
  ingress('ingress-from-cidrs', fromCidrs, 'remoteIpPrefix');
  const container = (purpose: 'dumps' | 'backups' | 'assets') =>
    new ObjectstorageContainerV1(stack, `container-${purpose}`, {
      name: OPENSTACK_FACTS.bucketName(plan.rehearsalId, purpose),
      region: config.region,
      // Kept production data is never emptied by Terraform: the teardown takes it out of state first.
      forceDestroy: purpose === 'assets' || !plan.keepBackups,
    }).name;
  return {
    network: (role) => networks.get(role)!,
    subnet: (network, zone) => subnets.get(`${network}/${zone}`)!,
    securityGroup: (group) => groups.get(group)!,
    buckets: { dumps: container('dumps'), backups: container('backups'), assets: container('assets') },
  };
}
