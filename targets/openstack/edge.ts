/** The OpenStack edge: an Octavia load balancer behind a floating IP, a listener per API, a pool per API and side. */
import type { TerraformStack } from 'cdktf';
import { SIDES, type StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import type { ActiveSide, EdgeHandle } from '../target';
import { LbListenerV2 } from '../../.gen/providers/openstack/lb-listener-v2';
import { LbLoadbalancerV2 } from '../../.gen/providers/openstack/lb-loadbalancer-v2';
import { LbMemberV2 } from '../../.gen/providers/openstack/lb-member-v2';
import { LbMonitorV2 } from '../../.gen/providers/openstack/lb-monitor-v2';
import { LbPoolV2 } from '../../.gen/providers/openstack/lb-pool-v2';
import { NetworkingFloatingipAssociateV2 } from '../../.gen/providers/openstack/networking-floatingip-associate-v2';
import { NetworkingFloatingipV2 } from '../../.gen/providers/openstack/networking-floatingip-v2';
import type { OpenstackFoundation } from './foundation';
import type { OpenstackNaming } from './naming';

export function openstackEdge(
  stack: TerraformStack,
  plan: StagingPlan,
  config: OpenstackTargetConfig,
  f: OpenstackFoundation,
  active: ActiveSide,
  { name, tags }: OpenstackNaming,
): EdgeHandle {
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
}
