/**
 * The OpenStack stacks as a whole (targets/openstack/index.ts): the same stacks as on AWS,
 * every resource against the provider's schema, and small snapshots. Each target module's
 * own assertions are in openstack-<module>.test.ts.
 */
import { blockProblems, OPENSTACK_SCHEMA, openstackBodies, schemaProblems } from './support/openstack-schema';
import { planShape, target } from './support/shapes';
import { snapshotOf, synthesize } from './support/synth';
import { all, plan, stacks } from './support/openstack';

test('the same stacks as on AWS, from the same plan', () => {
  expect(Object.keys(stacks)).toEqual([
    'canary',
    'canary-projects',
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
