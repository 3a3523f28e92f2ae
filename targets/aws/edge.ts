/**
 * AWS edge: a network load balancer with a listener per public API and a target
 * group per API and side. Both sides' target groups always exist; the active
 * side only decides where each listener forwards, so a cut-over or a rollback
 * changes listener actions and nothing else.
 */
import type { TerraformStack } from 'cdktf';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbTargetGroupAttachment } from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { SIDES, type Side, type StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import type { ActiveSide, EdgeHandle } from '../target';
import type { AwsFoundation } from './foundation';
import { shortName } from './naming';
import { tagsFor } from './tags';

export function awsEdge(
  stack: TerraformStack,
  plan: StagingPlan,
  config: AwsTargetConfig,
  f: AwsFoundation,
  active: ActiveSide,
): EdgeHandle {
  const apiSubnets = plan.networks.find((n) => n.role === 'api')!.subnets;
  const sg = new SecurityGroup(stack, 'edge-sg', {
    name: `${plan.rehearsalId}-edge`,
    description: `edge load balancer of rehearsal ${plan.rehearsalId}`,
    vpcId: f.vpcId,
    tags: tagsFor(plan, { name: 'edge', side: 'shared', role: 'edge' }),
  });
  for (const api of plan.apis) {
    config.adminCidrs.forEach((cidr, i) => {
      new VpcSecurityGroupIngressRule(stack, `edge-in-${api.name}-${i}`, {
        securityGroupId: sg.id,
        ipProtocol: 'tcp',
        fromPort: api.port,
        toPort: api.port,
        cidrIpv4: cidr,
        description: `${api.name} API from operators`,
        tags: tagsFor(plan, { name: `edge in ${api.name} ${cidr}`, side: 'shared', role: 'edge' }),
      });
    });
    apiSubnets.forEach((s, i) => {
      new VpcSecurityGroupEgressRule(stack, `edge-out-${api.name}-${i}`, {
        securityGroupId: sg.id,
        ipProtocol: 'tcp',
        fromPort: api.port,
        toPort: api.port,
        cidrIpv4: s.cidr,
        description: `${api.name} API targets`,
        tags: tagsFor(plan, { name: `edge out ${api.name} ${s.cidr}`, side: 'shared', role: 'edge' }),
      });
    });
  }
  const lb = new Lb(stack, 'edge', {
    name: shortName(plan.rehearsalId, 'edge'),
    loadBalancerType: 'network',
    internal: false,
    subnets: apiSubnets.map((s) => f.subnet('api', s.zone)),
    securityGroups: [sg.id],
    enableCrossZoneLoadBalancing: true,
    tags: tagsFor(plan, { name: 'edge', side: 'shared', role: 'edge' }),
  });
  for (const api of plan.apis) {
    const groups = new Map<Side, LbTargetGroup>();
    for (const side of SIDES) {
      const tg = new LbTargetGroup(stack, `tg-${side}-${api.name}`, {
        name: shortName(plan.rehearsalId, `${side}-${api.name}`),
        port: api.port,
        protocol: 'TCP',
        targetType: 'ip',
        // Traffic reaches the nodes from the balancer's own addresses in the API subnets, so that each
        // node answers on its API interface (a reply to a client's public address would leave by eth0,
        // with the API address as source, and be dropped); the balancer's group admits the admin CIDRs.
        preserveClientIp: 'false',
        vpcId: f.vpcId,
        healthCheck: { protocol: 'HTTP', path: api.healthPath, port: String(api.port), matcher: '200-499' },
        tags: tagsFor(plan, { name: `${side}-${api.name}`, side, role: 'edge' }),
      });
      for (const node of plan.nodes.filter((n) => n.role === api.role && n.side === side)) {
        new LbTargetGroupAttachment(stack, `tg-${side}-${api.name}-${node.name}`, {
          targetGroupArn: tg.arn,
          targetId: node.addresses.api!,
          port: api.port,
        });
      }
      groups.set(side, tg);
    }
    new LbListener(stack, `listener-${api.name}`, {
      loadBalancerArn: lb.arn,
      port: api.port,
      protocol: 'TCP',
      defaultAction: [{ type: 'forward', targetGroupArn: active.choose(groups.get('old')!.arn, groups.get('new')!.arn) }],
      tags: tagsFor(plan, { name: `listener-${api.name}`, side: active.name, role: 'edge' }),
    });
  }
  return { endpoint: lb.dnsName };
}
