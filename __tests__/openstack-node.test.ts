/** targets/openstack/node.ts: the instances of every node stack, their volumes and ports, compute flavors. */
import { all, config, instances, plan, profile, stacks } from './support/openstack';
import { members, resources } from './support/synth';

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
