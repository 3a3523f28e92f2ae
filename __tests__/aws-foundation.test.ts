/** targets/aws/foundation.ts: the nodes' role may read only their secrets; operators come in through the Instance Connect Endpoint. */
import { awsSecretsParameter } from '../assets/secrets';
import { allInstances, plan, stacks } from './support/aws';
import { members, resources } from './support/synth';

test('nodes may read exactly the secrets parameter the assets fetch, and write nothing there', () => {
  const policies = resources(stacks.foundation, 'aws_iam_role_policy');
  const statements = Object.values(policies).flatMap((p: any) => JSON.parse(p.policy).Statement);
  const ssm = statements.filter((s: any) => s.Action.some((a: string) => a.startsWith('ssm:')));
  expect(ssm.length).toBeGreaterThan(0);
  for (const s of ssm) {
    expect(s.Action).toEqual(['ssm:GetParameter']);
    expect(s.Resource).toEqual([`arn:aws:ssm:us-east-1:*:parameter${awsSecretsParameter(plan.rehearsalId)}`]);
  }
});

test('operators reach the private nodes through an Instance Connect Endpoint, never a public address', () => {
  const endpoint = Object.values(resources(stacks.foundation, 'aws_ec2_instance_connect_endpoint')) as any[];
  expect(endpoint).toHaveLength(1);
  expect(endpoint[0].preserve_client_ip).toBe(false);
  const ssh = Object.values(members(stacks.foundation, 'aws_vpc_security_group_ingress_rule')).filter(
    (r: any) => r.from_port === 22,
  ) as any[];
  const fromAccess = ssh.filter((r) => r.referenced_security_group_id === '${aws_security_group.sg-operator-access.id}');
  const fromOperators = ssh.filter((r) => r.cidr_ipv4 !== undefined);
  expect(fromAccess.length).toBe(fromOperators.length);
  expect(fromAccess.length).toBeGreaterThanOrEqual(15);
  const config: string = stacks.foundation.output['ssh-config'].value;
  for (const node of plan.nodes) expect(config).toContain(` ${node.addresses.management}`);
  expect(config).toContain(
    '--instance-connect-endpoint-id ${aws_ec2_instance_connect_endpoint.operator-access.id} --private-ip-address %h --remote-port %p',
  );
  expect(allInstances.some((i) => i.associate_public_ip_address)).toBe(false);
  expect(Object.values(resources(stacks.foundation, 'aws_subnet')).every((s: any) => s.map_public_ip_on_launch === false)).toBe(true);
});
