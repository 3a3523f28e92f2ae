/**
 * The OpenStack public-cloud realization of a plan, with bindings generated from
 * `provider-schema.json` (see README.md beside this file). Same stacks, same role
 * logic as AWS: networks per role, a security group per role and side, ports at
 * the planned addresses, one volume per Swift ring device, an Octavia load
 * balancer with a pool per API and side.
 */
import { TerraformIterator, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ingressMembers, securityGroups } from '../../plan/security';
import { SIDES, type StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import { configureState } from '../state';
import { assetObjectId, type CloudTarget } from '../target';
import { openstackNodes, type OpenstackFoundation } from './node';
import { LbListenerV2 } from '../../.gen/providers/openstack/lb-listener-v2';
import { LbLoadbalancerV2 } from '../../.gen/providers/openstack/lb-loadbalancer-v2';
import { LbMemberV2 } from '../../.gen/providers/openstack/lb-member-v2';
import { LbMonitorV2 } from '../../.gen/providers/openstack/lb-monitor-v2';
import { LbPoolV2 } from '../../.gen/providers/openstack/lb-pool-v2';
import { NetworkingFloatingipAssociateV2 } from '../../.gen/providers/openstack/networking-floatingip-associate-v2';
import { NetworkingFloatingipV2 } from '../../.gen/providers/openstack/networking-floatingip-v2';
import { NetworkingNetworkV2 } from '../../.gen/providers/openstack/networking-network-v2';
import { NetworkingRouterInterfaceV2 } from '../../.gen/providers/openstack/networking-router-interface-v2';
import { NetworkingRouterV2 } from '../../.gen/providers/openstack/networking-router-v2';
import { NetworkingSecgroupRuleV2 } from '../../.gen/providers/openstack/networking-secgroup-rule-v2';
import { NetworkingSecgroupV2 } from '../../.gen/providers/openstack/networking-secgroup-v2';
import { NetworkingSubnetV2 } from '../../.gen/providers/openstack/networking-subnet-v2';
import { ObjectstorageContainerV1 } from '../../.gen/providers/openstack/objectstorage-container-v1';
import { ObjectstorageObjectV1 } from '../../.gen/providers/openstack/objectstorage-object-v1';
import { OpenstackProvider } from '../../.gen/providers/openstack/provider';
import { OPENSTACK_FACTS } from './facts';

/** Provider version the schema file reflects. */
export const OPENSTACK_PROVIDER_CONSTRAINT = '= 3.4.0';

export function openstackTarget(plan: StagingPlan, config: OpenstackTargetConfig): CloudTarget {
  const name = (suffix: string) => `${plan.rehearsalId}-${suffix}`;
  const tags = (what: { side: string; role: string; cell?: string }) => [
    `rehearsal=${plan.rehearsalId}`,
    `side=${what.side}`,
    `role=${what.role}`,
    `cell=${what.cell ?? 'none'}`,
  ];
  return {
    cloud: 'openstack',
    configure(stack: TerraformStack, stackName: string) {
      new OpenstackProvider(stack, 'openstack', { cloud: config.cloudName, region: config.region });
      configureState(stack, stackName, plan, config);
    },

    foundation(stack: TerraformStack): OpenstackFoundation {
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
    },

    nodes(scope: Construct, nodes, f, userData) {
      return openstackNodes(scope, nodes, userData, { plan, config, foundation: f as OpenstackFoundation, name, tags });
    },

    upload(scope: Construct, f, key, content) {
      new ObjectstorageObjectV1(scope, assetObjectId(key), { containerName: f.buckets.assets, name: key, content });
    },

    edge(stack: TerraformStack, f, active) {
      const zone = plan.networks.find((n) => n.role === 'api')!.subnets[0].zone;
      const lb = new LbLoadbalancerV2(stack, 'edge', {
        name: name('edge'),
        vipSubnetId: f.subnet('api', zone),
        tags: tags({ side: 'shared', role: 'edge' }),
      });
      // The VIP sits on the private API network; operators reach it through a floating IP.
      const fip = new NetworkingFloatingipV2(stack, 'edge-ip', {
        pool: config.externalNetwork,
        description: `edge of rehearsal ${plan.rehearsalId}`,
        tags: tags({ side: 'shared', role: 'edge' }),
      });
      new NetworkingFloatingipAssociateV2(stack, 'edge-ip-vip', { floatingIp: fip.address, portId: lb.vipPortId });
      for (const api of plan.apis) {
        const pools = new Map<string, LbPoolV2>();
        for (const side of SIDES) {
          // Pools belong to the load balancer, not to a listener, so a listener can switch between them.
          const pool = new LbPoolV2(stack, `pool-${side}-${api.name}`, {
            name: name(`${side}-${api.name}`),
            loadbalancerId: lb.id,
            protocol: 'TCP',
            lbMethod: 'ROUND_ROBIN',
          });
          new LbMonitorV2(stack, `monitor-${side}-${api.name}`, {
            poolId: pool.id,
            type: 'HTTP',
            urlPath: api.healthPath,
            expectedCodes: '200-499',
            delay: 10,
            timeout: 5,
            maxRetries: 3,
          });
          for (const node of plan.nodes.filter((n) => n.role === api.role && n.side === side)) {
            new LbMemberV2(stack, `pool-${side}-${api.name}-${node.name}`, {
              poolId: pool.id,
              address: node.addresses.api!,
              protocolPort: api.port,
              subnetId: f.subnet('api', node.zone),
            });
          }
          pools.set(side, pool);
        }
        new LbListenerV2(stack, `listener-${api.name}`, {
          name: name(`listener-${api.name}`),
          loadbalancerId: lb.id,
          protocol: 'TCP',
          protocolPort: api.port,
          defaultPoolId: active.choose(pools.get('old')!.id, pools.get('new')!.id),
          allowedCidrs: config.adminCidrs,
          tags: tags({ side: active.name, role: 'edge' }),
        });
      }
      return { endpoint: fip.address };
    },
  };
}
