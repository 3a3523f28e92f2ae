import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { blockProblems, OPENSTACK_SCHEMA, openstackBodies, schemaProblems } from './support/openstack-schema';
import { planShape, target } from './support/shapes';
import { expectOnlyListenersMove } from './support/switch';
import { members, resources, snapshotOf, synthesize, type StackJson } from './support/synth';

const profile = loadProfile();
const config = target('openstack');
const plan = buildPlan(profile, config);
const { stacks } = synthesize(plan, config);

const instances = (stack: StackJson) => Object.values(members(stack, 'openstack_compute_instance_v2')) as any[];
// The canary stack's servers live inside the staging cloud, not on the target.
const all = Object.entries(stacks)
  .filter(([name]) => name !== 'canary')
  .flatMap(([, stack]) => instances(stack));

test('the same stacks as on AWS, from the same plan', () => {
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
  for (const node of plan.nodes) {
    const [i] = all.filter((x) => x.name === node.name);
    expect([node.name, i.flavor_name, i.metadata.role, i.metadata.side]).toEqual([node.name, node.size.offer, node.role, node.side]);
  }
  expect(all).toHaveLength(plan.nodes.length);
});

test('every cell has its DB and MQ on both sides; compute nodes get nested-virtualization flavors', () => {
  for (const side of ['old', 'new']) {
    for (const cell of profile.nova.cells) {
      for (const role of ['cell-database', 'cell-rabbitmq'])
        expect(all.some((i) => i.metadata.side === side && i.metadata.cell === cell.name && i.metadata.role === role)).toBe(true);
    }
  }
  const flavors = new Map(config.cloud === 'openstack' ? config.flavors.map((f) => [f.name, f]) : []);
  for (const c of instances(stacks.compute))
    expect(flavors.get(c.flavor_name)!.nestedVirtualization || flavors.get(c.flavor_name)!.baremetal).toBe(true);
});

test('one volume per Swift ring device, ports at the planned addresses, the tenant port without port security', () => {
  for (const side of ['old', 'new']) {
    const devices = Object.values(members(stacks[`swift-${side}`], 'openstack_blockstorage_volume_v3')).filter(
      (v: any) => v.metadata.purpose === 'swift-device',
    );
    expect(devices).toHaveLength(
      plan.nodes.filter((n) => n.side === side && n.role === 'swift-storage').length * plan.swift.devicesPerNode,
    );
  }
  const ports = members(stacks.compute, 'openstack_networking_port_v2');
  const node = plan.nodes.find((n) => n.role === 'compute')!;
  expect(ports[`${node.name}/management`].fixed_ip[0].ip_address).toBe(node.addresses.management);
  expect(ports[`${node.name}/management`].security_group_ids).toEqual([expect.stringContaining('sg-compute')]);
  expect(ports[`${node.name}/tenant`].port_security_enabled).toBe(false);
  expect(ports[`${node.name}/tenant`].security_group_ids).toBeUndefined();
  // The instance lists its ports in the node's network order (images name NICs by it).
  const [instance] = instances(stacks.compute).filter((i) => i.name === node.name);
  expect(instance.network.map((n: any) => n.port)).toEqual([
    `\${openstack_networking_port_v2.ports["${node.name}/management"].id}`,
    `\${openstack_networking_port_v2.tenant-ports["${node.name}/tenant"].id}`,
  ]);
});

test('nodes are for_each resources keyed by name; volumes are attached and found by id at boot', () => {
  const swift = stacks['swift-old'];
  const storage = plan.nodes.find((n) => n.role === 'swift-storage' && n.side === 'old')!;
  expect(Object.keys(resources(swift, 'openstack_blockstorage_volume_v3'))).toEqual(['volumes']);
  const attachments = members(swift, 'openstack_compute_volume_attach_v2');
  expect(attachments[`${storage.name}/d1`]).toEqual(
    expect.objectContaining({ volume_id: `\${openstack_blockstorage_volume_v3.volumes["${storage.name}/d1"].id}` }),
  );
  expect(attachments[`${storage.name}/d1`].instance_id).toMatch(
    new RegExp(`^\\$\\{openstack_compute_instance_v2\\.nodes[-a-z]*\\["${storage.name}"\\]\\.id\\}$`),
  );
  const [instance] = instances(swift).filter((i) => i.name === storage.name);
  expect(instance.user_data).toContain(
    `/dev/disk/by-id/virtio-\${substr(openstack_blockstorage_volume_v3.volumes["${storage.name}/d1"].id, 0, 20)}`,
  );
});

test('the active-side switch changes only the listeners of the edge stack', () => {
  const switched = synthesize(buildPlan(profile, { ...config, activeSide: 'new' }), config).stacks;
  expectOnlyListenersMove(stacks, switched, {
    type: 'openstack_lb_listener_v2',
    target: (listener) => listener.default_pool_id,
    group: (side, api) => `openstack_lb_pool_v2.pool-${side}-${api}.id`,
  });
});

describe('every openstack_* resource fits the provider schema', () => {
  test('types exist, arguments exist, required arguments are set', () => {
    expect(openstackBodies(stacks).length).toBeGreaterThan(100);
    expect(schemaProblems(stacks)).toEqual([]);
  });

  test('the check catches a wrong argument', () => {
    const body = { ...openstackBodies(stacks).find((u) => u.type === 'openstack_compute_instance_v2')!.body, flavour: 'x' };
    delete body.name;
    expect(blockProblems(OPENSTACK_SCHEMA.resource_schemas.openstack_compute_instance_v2.block, body, 'x')).toEqual([
      'x.flavour is not in the schema',
      'x.name is required',
    ]);
  });
});

describe('snapshots of a small clone', () => {
  const small = planShape('single cell', 'openstack', { budgetPerHour: 3 });
  const synth = synthesize(small.plan, target('openstack'));
  test.each(Object.keys(synth.stacks))('%s', (name) => {
    expect(snapshotOf(synth.stacks[name])).toMatchSnapshot();
  });
});
