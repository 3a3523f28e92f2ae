/** targets/aws/tags.ts: every taggable resource of every stack says its rehearsal, side, role and cell. */
import { plan, stacks } from './support/aws';
import { members } from './support/synth';

test('taggable resources carry rehearsal, side, role and cell', () => {
  for (const [type] of [
    ['aws_instance'],
    ['aws_ebs_volume'],
    ['aws_network_interface'],
    ['aws_subnet'],
    ['aws_security_group'],
    ['aws_vpc_security_group_ingress_rule'],
    ['aws_vpc_security_group_egress_rule'],
    ['aws_lb_target_group'],
    ['aws_s3_bucket'],
  ]) {
    for (const stack of Object.values(stacks)) {
      for (const r of Object.values(members(stack, type)) as any[]) {
        expect(Object.keys(r.tags)).toEqual(expect.arrayContaining(['rehearsal', 'side', 'role', 'cell']));
        expect(r.tags.rehearsal).toBe(plan.rehearsalId);
      }
    }
  }
  expect(stacks.foundation.provider.aws[0].default_tags[0].tags.rehearsal).toBe(plan.rehearsalId);
});
