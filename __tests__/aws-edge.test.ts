/** targets/aws/edge.ts: the load balancer's listeners per API, and what a switch of the active side changes. */
import { buildPlan } from '../plan/plan';
import { config, plan, profile, stacks } from './support/aws';
import { expectOnlyListenersMove } from './support/switch';
import { synthesize } from './support/synth';

describe('switching the active side', () => {
  const switched = synthesize(buildPlan(profile, { ...config, activeSide: 'new' }), config).stacks;

  test('changes nothing outside the edge stack and only the listeners inside it, destroying nothing', () => {
    expectOnlyListenersMove(stacks, switched, {
      type: 'aws_lb_listener',
      target: (listener) => listener.default_action[0].target_group_arn,
      group: (side, api) => `aws_lb_target_group.tg-${side}-${api}.arn`,
    });
  });

  test('both sides always have a target group per API with their own nodes', () => {
    const groups = Object.keys(stacks.edge.resource.aws_lb_target_group);
    for (const api of plan.apis) for (const side of ['old', 'new']) expect(groups).toContain(`tg-${side}-${api.name}`);
    const attachments = Object.values(stacks.edge.resource.aws_lb_target_group_attachment) as any[];
    const keystone = plan.nodes.filter((n) => n.role === 'keystone').map((n) => n.addresses.api);
    expect(
      attachments
        .filter((a) => a.port === 5000)
        .map((a) => a.target_id)
        .sort(),
    ).toEqual([...keystone].sort());
  });
});
