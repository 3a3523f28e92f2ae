/**
 * targets/aws/node.ts and machines.ts: the instances of every node stack, their volumes
 * and how each bootstrap finds them, KVM for compute, interfaces at planned addresses.
 */
import { buildPlan } from '../plan/plan';
import { AWS_PROVIDER_NESTED_KVM, AWS_PROVIDER_TESTED } from '../targets/aws';
import { ebsBusOf } from '../targets/aws/catalog';
import { NVME_BY_ID_PREFIX, xenVbdLocator } from '../targets/aws/disks';
import { allInstances, instances, plan, planned, profile, stacks } from './support/aws';
import { target } from './support/shapes';
import { members, synthesize } from './support/synth';

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
