/**
 * Security rules are keyed by what they allow, on every cloud: adding a flow to the
 * plan of a live staging only adds rule resources (Terraform would otherwise
 * destroy and recreate every rule after it, opening a window with no rule).
 */
import { buildPlan } from '../plan/plan';
import { ingressPermissions } from '../plan/security';
import type { FlowPlan, StagingPlan } from '../plan/types';
import { loadProfile } from '../profile/load';
import type { CloudName } from '../targets/config';
import { target } from './support/shapes';
import { resources, synthesize, type StackJson } from './support/synth';

/** Every resource body by `type.id`, and every for_each member by `type.id[key]`. */
function addresses(stack: StackJson): Map<string, string> {
  const out = new Map<string, string>();
  for (const [type, byId] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, any>>)) {
    for (const [id, body] of Object.entries(byId)) {
      if (body.for_each && typeof body.for_each === 'object') {
        const { for_each: each, ...shape } = body;
        out.set(`${type}.${id}`, JSON.stringify(shape));
        for (const [key, value] of Object.entries(each)) out.set(`${type}.${id}[${key}]`, JSON.stringify(value));
      } else out.set(`${type}.${id}`, JSON.stringify(body));
    }
  }
  return out;
}

const newFlow: FlowPlan = {
  from: 'monitoring',
  to: 'keystone',
  protocol: 'tcp',
  ports: [9999, 9999],
  purpose: 'a new check',
  sameSide: false,
};

describe.each<CloudName>(['aws', 'openstack'])('on %s', (cloud) => {
  const config = target(cloud);
  const plan = buildPlan(loadProfile(), config);
  const withFlow: StagingPlan = { ...plan, flows: [newFlow, ...plan.flows] };
  const before = synthesize(plan, config).stacks.foundation;
  const after = synthesize(withFlow, config).stacks.foundation;

  test('a new flow, even listed first, adds rule members and changes none of the others', () => {
    const was = addresses(before);
    const now = addresses(after);
    const changed = [...was].filter(([address, body]) => now.get(address) !== body).map(([address]) => address);
    expect(changed).toEqual([]);
    const added = [...now.keys()].filter((address) => !was.has(address));
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((address) => address.includes('9999-9999 from'))).toBe(true);
  });

  test('the ingress rules are for_each resources keyed by group, ports and source', () => {
    const ruleType = cloud === 'aws' ? 'aws_vpc_security_group_ingress_rule' : 'openstack_networking_secgroup_rule_v2';
    const keys = Object.values(resources(before, ruleType))
      .filter((r: any) => r.for_each && (r.direction ?? 'ingress') === 'ingress')
      .flatMap((r: any) => Object.keys(r.for_each));
    expect(new Set(keys)).toEqual(
      new Set(
        ingressPermissions(plan, config.adminCidrs)
          .filter((p) => cloud === 'aws' || !('operatorAccess' in p.source))
          .map((p) => p.key),
      ),
    );
  });
});
