/** targets/openstack/foundation.ts and naming.ts: the networks, security groups and containers of the foundation stack. */
import { buildPlan } from '../plan/plan';
import { loadProfile } from '../profile/load';
import { openstackNaming } from '../targets/openstack/naming';
import { target } from './support/shapes';
import { resources, synthesize } from './support/synth';

const config = target('openstack');
const plan = buildPlan(loadProfile(), config);
const foundation = synthesize(plan, config).stacks.foundation;
const of = (type: string) => Object.values(resources(foundation, type)) as any[];

test('a network per network role, a subnet per zone at the planned CIDR, routed out only from management and api', () => {
  expect(
    of('openstack_networking_network_v2')
      .map((n) => n.name)
      .sort(),
  ).toEqual(plan.networks.map((n) => `${plan.rehearsalId}-${n.role}`).sort());
  const subnets = of('openstack_networking_subnet_v2');
  expect(subnets.map((s) => s.cidr).sort()).toEqual(plan.networks.flatMap((n) => n.subnets.map((s) => s.cidr)).sort());
  const routed = Object.keys(resources(foundation, 'openstack_networking_router_interface_v2'));
  expect(routed.every((id) => /^router-(management|api)-/.test(id))).toBe(true);
  expect(routed).toHaveLength(plan.networks.filter((n) => n.role === 'management' || n.role === 'api').flatMap((n) => n.subnets).length);
  // The tenant overlay carries tagged frames between compute nodes.
  expect(of('openstack_networking_network_v2').find((n) => n.name.endsWith('-tenant')).port_security_enabled).toBe(false);
});

test('every security group starts empty and may only go out to package mirrors (80, 443) and the staging network', () => {
  const groups = of('openstack_networking_secgroup_v2');
  expect(groups.length).toBeGreaterThan(10);
  expect(groups.every((g) => g.delete_default_rules === true)).toBe(true);
  const egress = of('openstack_networking_secgroup_rule_v2').filter((r) => r.direction === 'egress');
  expect(new Set(egress.map((r) => `${r.port_range_min ?? '*'}-${r.remote_ip_prefix}`))).toEqual(
    new Set(['80-0.0.0.0/0', '443-0.0.0.0/0', `*-${config.networkCidr}`]),
  );
  expect(egress).toHaveLength(groups.length * 3);
});

test('ingress rules are two for_each maps keyed by what each member allows, so a new flow only adds a member', () => {
  const ingress = resources(foundation, 'openstack_networking_secgroup_rule_v2');
  expect(
    Object.keys(ingress)
      .filter((id) => id.startsWith('ingress-'))
      .sort(),
  ).toEqual(['ingress-from-cidrs', 'ingress-from-groups']);
  const members = ingress['ingress-from-groups'].for_each as Record<string, { from: number; to: number; protocol: string }>;
  for (const [key, m] of Object.entries(members)) expect(key).toMatch(new RegExp(` ${m.protocol}/${m.from}-${m.to} from `));
  expect(members['compute tcp/16509-16509 from compute']).toMatchObject({ description: 'libvirt live migration control', from: 16509 });
});

test('containers for dumps, backups and assets: only assets are emptied by Terraform when backups are kept', () => {
  const containers = Object.fromEntries(of('openstack_objectstorage_container_v1').map((c) => [c.name.split('-').pop(), c.force_destroy]));
  expect(Object.keys(containers).sort()).toEqual(['assets', 'backups', 'dumps']);
  const kept = buildPlan(loadProfile(), target('openstack', { keepBackups: true }));
  const keptContainers = Object.values(
    resources(synthesize(kept, target('openstack', { keepBackups: true })).stacks.foundation, 'openstack_objectstorage_container_v1'),
  ) as any[];
  expect(keptContainers.filter((c) => c.force_destroy).map((c) => c.name.split('-').pop())).toEqual(['assets']);
});

test('names are within the rehearsal and every resource is tagged with its rehearsal, side, role and cell', () => {
  const naming = openstackNaming(plan);
  expect(naming.name('router')).toBe(`${plan.rehearsalId}-router`);
  expect(naming.tags({ side: 'old', role: 'keystone' })).toEqual([
    `rehearsal=${plan.rehearsalId}`,
    'side=old',
    'role=keystone',
    'cell=none',
  ]);
  expect(of('openstack_networking_router_v2')[0].tags).toEqual(naming.tags({ side: 'shared', role: 'network' }));
});
