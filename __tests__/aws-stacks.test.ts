import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import type { StagingPlan } from '../plan/types';
import { awsSecretsParameter } from '../assets/secrets';
import { AWS_PROVIDER_NESTED_KVM, AWS_PROVIDER_TESTED } from '../targets/aws';
import { ebsBusOf } from '../targets/aws/catalog';
import { NVME_BY_ID_PREFIX, xenVbdLocator } from '../targets/aws/disks';
import { planShape, target } from './support/shapes';
import { expectOnlyListenersMove } from './support/switch';
import { members, resources, synthesize, type StackJson } from './support/synth';

const profile = loadProfile();
const config = target('aws', { placement: 'instances' });
const plan = buildPlan(profile, config);
const { stacks, manifest } = synthesize(plan, config);

const instances = (stack: StackJson) => Object.values(members(stack, 'aws_instance')) as any[];
const allInstances = Object.values(stacks).flatMap(instances);
const planned = (p: StagingPlan, role: string, side: string) => p.nodes.filter((n) => n.role === role && n.side === side).length;

test('one stack per concern, each side on its own, all depending on the foundation', () => {
  expect(Object.keys(stacks)).toEqual([
    'canary',
    'cells-new',
    'cells-old',
    'compute',
    'control-new',
    'control-old',
    'edge',
    'foundation',
    'migration',
    'monitoring',
    'swift-new',
    'swift-old',
  ]);
  for (const [name, stack] of Object.entries(manifest.stacks) as [string, any][]) {
    expect(stack.dependencies).toEqual(name === 'foundation' ? [] : name === 'canary' ? ['edge'] : ['foundation']);
  }
});

test('node counts per role and side match the plan, both sides present', () => {
  const roles = [...new Set(plan.nodes.map((n) => n.role))];
  for (const role of roles) {
    for (const side of ['old', 'new', 'shared']) {
      expect([role, side, allInstances.filter((i) => i.tags.role === role && i.tags.side === side).length]).toEqual([
        role,
        side,
        planned(plan, role, side),
      ]);
    }
  }
  expect(instances(stacks['control-old']).length).toBe(instances(stacks['control-new']).length);
  expect(instances(stacks['control-old']).length).toBeGreaterThanOrEqual(7);
});

test('every cell has its database and RabbitMQ on each side', () => {
  for (const side of ['old', 'new']) {
    const cellNodes = instances(stacks[`cells-${side}`]);
    for (const cell of profile.nova.cells) {
      expect(cellNodes.filter((i) => i.tags.cell === cell.name && i.tags.role === 'cell-database')).not.toHaveLength(0);
      expect(cellNodes.filter((i) => i.tags.cell === cell.name && i.tags.role === 'cell-rabbitmq')).not.toHaveLength(0);
    }
    const control = instances(stacks[`control-${side}`]);
    expect(control.filter((i) => i.tags.cell === 'api' && i.tags.role === 'database')).not.toHaveLength(0);
    expect(control.filter((i) => i.tags.cell === 'api' && i.tags.role === 'rabbitmq')).not.toHaveLength(0);
  }
});

test('one EBS volume, attached, per Swift ring device on each side', () => {
  for (const side of ['old', 'new']) {
    const stack = stacks[`swift-${side}`];
    const devices = Object.values(members(stack, 'aws_ebs_volume')).filter((v: any) => v.tags.purpose === 'swift-device');
    const storageNodes = planned(plan, 'swift-storage', side);
    expect(devices).toHaveLength(storageNodes * plan.swift.devicesPerNode);
    expect(devices.every((v: any) => v.size === plan.swift.deviceSizeGiB && v.encrypted === true)).toBe(true);
    expect(Object.keys(members(stack, 'aws_volume_attachment'))).toEqual(Object.keys(members(stack, 'aws_ebs_volume')));
  }
});

test("each node's bootstrap finds every volume where its type shows it: by id on Nitro, by the attachment's Xen device on Xen", () => {
  const kinds = new Set<string>();
  for (const stack of Object.values(stacks)) {
    const attachments = members(stack, 'aws_volume_attachment');
    for (const [name, instance] of Object.entries(members(stack, 'aws_instance'))) {
      const node = plan.nodes.find((n) => n.name === name)!;
      const found = [...String(instance.user_data).matchAll(/^\s*vol (.+) (\S+) (\/\S+) \S+ '[^']*'$/gm)].map((m) => [m[2], m[1]]);
      const xen = ebsBusOf(node.size.offer) === 'xen';
      kinds.add(xen ? 'xen' : 'nitro');
      expect(found).toEqual(
        node.volumes.map((v) => {
          const attachment = attachments[`${name}/${v.name}`];
          const id = attachment.volume_id.replace(/^\$\{(.*)\}$/, '$1');
          return [v.name, xen ? xenVbdLocator(attachment.device_name) : `${NVME_BY_ID_PREFIX}\${replace(${id}, "-", "")}`];
        }),
      );
    }
  }
  expect([...kinds].sort()).toEqual(['nitro', 'xen']);
});

test('every compute node is KVM-capable with the provider version that allows it', () => {
  const computes = instances(stacks.compute);
  expect(computes).toHaveLength(planned(plan, 'compute', 'shared'));
  for (const c of computes) {
    expect(c.instance_type).toMatch(/^(c8i|m8i|r8i)\./);
    expect(c.cpu_options).toEqual({ nested_virtualization: 'enabled' });
  }
  expect(stacks.compute.terraform.required_providers.aws.version).toBe(AWS_PROVIDER_NESTED_KVM);
  const others = Object.entries(stacks)
    .filter(([n]) => n !== 'compute')
    .flatMap(([, s]) => instances(s));
  expect(others.some((i) => i.cpu_options)).toBe(false);
});

test('metal compute uses bare-metal types and no CPU option', () => {
  const metalConfig = target('aws', { placement: 'instances', computeKvm: 'metal', budgetPerHour: 200 });
  const metal = synthesize(buildPlan(profile, metalConfig), metalConfig);
  const computes = instances(metal.stacks.compute);
  expect(computes.length).toBeGreaterThanOrEqual(profile.nova.cells.length);
  expect(computes.every((c) => /metal/.test(c.instance_type) && c.cpu_options === undefined)).toBe(true);
  // Without the CPU option the stacks accept the provider versions they are tested with (5.100.0 by the local deploy test).
  expect(
    new Set(
      Object.values(metal.stacks)
        .filter((s) => s.provider?.aws)
        .map((s) => s.terraform.required_providers.aws.version),
    ),
  ).toEqual(new Set([AWS_PROVIDER_TESTED]));
});

test('nodes sit at their planned addresses, one interface per network, the management one first', () => {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  for (const stack of Object.values(stacks)) {
    const interfaces = members(stack, 'aws_network_interface');
    for (const [key, nic] of Object.entries(interfaces) as [string, any][]) {
      const [name, network] = key.split('/');
      expect(nic.private_ips).toEqual([(byName.get(name)!.addresses as any)[network]]);
    }
    const groups = Object.values(stack.resource?.aws_instance ?? {}) as any[];
    for (const group of groups) {
      // No address or subnet of its own: the instance takes its interfaces at launch.
      expect(group.private_ip).toBeUndefined();
      expect(group.subnet_id).toBeUndefined();
      expect(group.dynamic.network_interface.content).toEqual({
        network_interface_id: '${network_interface.value.id}',
        device_index: '${network_interface.value.index}',
      });
      for (const [name, node] of Object.entries(group.for_each) as [string, any][]) {
        expect(node.interfaces[0]).toEqual({ id: `\${aws_network_interface.interfaces["${name}/management"].id}`, index: 0 });
        expect(node.interfaces.map((i: any) => i.index)).toEqual(node.interfaces.map((_: any, i: number) => i));
      }
    }
  }
  const proxies = members(stacks['swift-old'], 'aws_network_interface');
  expect(Object.keys(proxies).filter((k) => k.startsWith('old-swift-proxy-1/'))).toEqual([
    'old-swift-proxy-1/api',
    'old-swift-proxy-1/management',
    'old-swift-proxy-1/storage',
  ]);
  expect(proxies['old-swift-proxy-1/storage'].attachment).toBeUndefined();
});

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

test('state is local by default, in S3 with locking and a key per stack when a bucket is named', () => {
  expect(stacks.edge.terraform.backend).toEqual({ local: { path: `../../../state/${plan.rehearsalId}/edge.tfstate` } });
  const remote = target('aws', { placement: 'instances', state: { bucket: 'acme-tfstate', keyPrefix: 'staging' } });
  const s3 = synthesize(buildPlan(profile, remote), remote).stacks;
  for (const [name, stack] of Object.entries(s3)) {
    expect(stack.terraform.backend.s3).toEqual(
      expect.objectContaining({
        bucket: 'acme-tfstate',
        key: `staging/${plan.rehearsalId}/${name}.tfstate`,
        use_lockfile: true,
        encrypt: true,
      }),
    );
  }
});

test('synthesis is deterministic and carries no secret', () => {
  const again = synthesize(buildPlan(loadProfile(), config), config).stacks;
  expect(JSON.stringify(again)).toBe(JSON.stringify(stacks));
  const text = JSON.stringify(stacks);
  expect(text).not.toMatch(/(password|secret|token)["']?\s*[:=]\s*["']?(?!<|\$\{|\{\{)[A-Za-z0-9+/]{6,}/i);
  expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
});

describe('snapshots of a small clone', () => {
  const small = planShape('single cell', 'aws', { placement: 'instances', budgetPerHour: 4.6 });
  const synth = synthesize(small.plan, target('aws', { placement: 'instances' }));
  test('is the smallest faithful clone: one node per role, side and cell', () => {
    expect(small.plan.nodes.filter((n) => n.role === 'compute')).toHaveLength(1);
    expect(small.plan.nodes.filter((n) => n.side === 'old' && n.role !== 'swift-storage')).toHaveLength(11);
  });
  test.each(Object.keys(synth.stacks))('%s', (name) => {
    expect(synth.stacks[name]).toMatchSnapshot();
  });
});

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
