import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { planShape, target } from './support/shapes';
import { resources, synthesize } from './support/synth';

describe.each(['aws', 'openstack'] as const)('canary workload on %s', (cloud) => {
  const profile = loadProfile();
  const config = target(cloud);
  const plan = buildPlan(profile, config);
  const { stacks } = synthesize(plan, config);
  const canary = stacks.canary;

  test("talks to the staging cloud's own Keystone behind the edge, with credentials from clouds.yaml", () => {
    const provider = canary.provider.openstack[0];
    expect(provider.cloud).toBe('staging-inside');
    expect(provider.auth_url).toMatch(
      /^http:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-edge\.outputs\.[^}]+\}:5000\/v3$/,
    );
    expect(Object.keys(provider)).toEqual(['auth_url', 'cloud']);
  });

  test("production's flavors, VLAN networks from production's ranges, an image in Glance", () => {
    const flavors = Object.values(resources(canary, 'openstack_compute_flavor_v2')) as any[];
    expect(flavors.map((f) => [f.name, f.vcpus, f.ram, f.disk]).sort()).toEqual(
      profile.compute.flavors.map((f) => [f.name, f.vcpus, f.memoryMiB, f.diskGiB]).sort(),
    );
    const [first, last] = profile.neutron.physnets[0].vlanRanges[0].split(':').map(Number);
    for (const net of Object.values(resources(canary, 'openstack_networking_network_v2')) as any[]) {
      expect(net.value_specs['provider:network_type']).toBe('vlan');
      expect(net.value_specs['provider:physical_network']).toBe('physnet1');
      expect(Number(net.value_specs['provider:segmentation_id'])).toBeGreaterThanOrEqual(first);
      expect(Number(net.value_specs['provider:segmentation_id'])).toBeLessThanOrEqual(last);
    }
    expect(Object.values(resources(canary, 'openstack_images_image_v2'))).toEqual([
      expect.objectContaining({ disk_format: 'qcow2', container_format: 'bare' }),
    ]);
  });

  test('VMs in every child cell, every flavor, both projects', () => {
    const servers = Object.values(resources(canary, 'openstack_compute_instance_v2')) as any[];
    for (const cell of profile.nova.cells) {
      const inCell = servers.filter((s) => s.scheduler_hints[0].target_cell === `api!${cell.name}`);
      expect(inCell.map((s) => s.flavor_name).sort()).toEqual(profile.compute.flavors.map((f) => f.name).sort());
    }
    expect(new Set(servers.map((s) => s.metadata.project))).toEqual(new Set(['canary-a', 'canary-b']));
  });

  test('Swift containers with objects, and an inventory output of everything', () => {
    expect(Object.keys(resources(canary, 'openstack_objectstorage_object_v1'))).toHaveLength(4);
    const inventory = canary.output.inventory.value;
    expect(Object.keys(inventory).sort()).toEqual(['image', 'networks', 'objects', 'projects', 'servers']);
    expect(Object.keys(inventory.servers)).toHaveLength(profile.nova.cells.length * profile.compute.flavors.length);
  });
});

test('a 24-cell cloud gets canaries in every cell', () => {
  const { profile, plan } = planShape('24 cells');
  const cells = new Set(plan.canary.servers.map((s) => s.cell));
  expect(cells.size).toBe(24);
  expect(plan.canary.servers).toHaveLength(24 * profile.compute.flavors.length);
});
