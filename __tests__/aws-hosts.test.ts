/**
 * The hypervisor placement synthesized on AWS: one host stack per side, each host an
 * instance with one interface per network holding its own address first and its guests'
 * after it, its guests' volumes attached to it, its files uploaded to its bucket folder.
 */
import { parse } from 'yaml';
import { buildPlan } from '../plan/plan';
import { hostGroupOf, ingressPermissions } from '../plan/security';
import { NETWORK_ROLES, type HostPlan } from '../plan/types';
import { loadProfile } from '../profile/load';
import { firstDeploy, sideStacks } from '../runbook/stacks';
import { members, synthesize } from './support/synth';
import { target } from './support/shapes';

jest.setTimeout(120_000);

const config = target('aws', { placement: 'hypervisors', computeKvm: 'metal', budgetPerHour: 1000 });
const plan = buildPlan(loadProfile(), config);
if (plan.placement.kind !== 'hypervisors') throw new Error('the hypervisor placement is planned');
const hosts: readonly HostPlan[] = plan.placement.hosts;
const { stacks } = synthesize(plan, config);

test('the hosts replace the node stacks: one stack per side, and the runbook deploys and destroys those', () => {
  expect(Object.keys(stacks).sort()).toEqual(['canary', 'canary-projects', 'edge', 'foundation', 'hosts-new', 'hosts-old', 'hosts-shared']);
  expect(sideStacks(plan, 'new')).toEqual(['hosts-new']);
  expect(firstDeploy(plan)).toEqual(['foundation', 'hosts-old', 'hosts-shared', 'edge']);
  for (const side of ['old', 'new', 'shared'] as const) {
    const instances = { ...members(stacks[`hosts-${side}`], 'aws_instance') };
    expect(Object.keys(instances).sort()).toEqual(
      hosts
        .filter((h) => h.side === side)
        .map((h) => h.name)
        .sort(),
    );
  }
});

test("each host interface holds the host's address first, then exactly its guests' on that network, in the side's host group", () => {
  for (const host of hosts) {
    const enis = members(stacks[`hosts-${host.side}`], 'aws_network_interface');
    const guests = host.guests.map((g) => plan.nodes.find((n) => n.name === g)!);
    for (const network of NETWORK_ROLES) {
      const eni = enis[`${host.name}/${network}`];
      expect(eni.private_ip_list_enabled).toBe(true);
      const carried = network === 'tenant' ? [] : guests.flatMap((g) => g.addresses[network] ?? []);
      expect(eni.private_ip_list).toEqual([host.addresses[network], ...carried]);
      expect(eni.security_groups).toHaveLength(1);
      expect(JSON.stringify(eni.security_groups)).toContain(`sg-${hostGroupOf(host.side)}`);
    }
  }
  // No address is on two interfaces.
  const all = hosts.flatMap((h) => NETWORK_ROLES.map((n) => members(stacks[`hosts-${h.side}`], 'aws_network_interface')[`${h.name}/${n}`]));
  const addresses = all.flatMap((eni) => eni.private_ip_list as string[]);
  expect(new Set(addresses).size).toBe(addresses.length);
});

test("every guest volume is attached to its guest's host, and the guest's domain names the device by the volume's id", () => {
  for (const host of hosts) {
    const stack = stacks[`hosts-${host.side}`];
    const attachments = members(stack, 'aws_volume_attachment');
    const objects = members(stack, 'aws_s3_object');
    for (const guest of host.guests.map((g) => plan.nodes.find((n) => n.name === g)!)) {
      for (const volume of guest.volumes) {
        const key = `${guest.name}/${volume.name}`;
        expect(attachments[key].instance_id).toContain(`["${host.name}"]`);
        const domain = Object.values(objects).find((o) => o.key === `hosts/${host.name}/var/lib/staging/libvirt/domains/${guest.name}.xml`);
        expect(domain.content).toContain(`replace(aws_ebs_volume.guest-volumes["${key}"].id, "-", "")`);
      }
    }
  }
});

test('the cloud admits into a host group only what some guest of that side may receive, and no side reaches the old databases', () => {
  const keys = ingressPermissions(plan, config.adminCidrs).map((p) => p.key);
  expect(keys.every((k) => k.startsWith('hypervisors-'))).toBe(true);
  expect(keys).toContain('hypervisors-old udp/4789-4789 from hypervisors-shared');
  expect(keys.filter((k) => /^hypervisors-old tcp\/3306-3306 from /.test(k)).sort()).toEqual([
    'hypervisors-old tcp/3306-3306 from hypervisors-old',
    'hypervisors-old tcp/3306-3306 from hypervisors-shared',
  ]);
});

test('the fidelity table says where the nodes run and why, and that VLAN isolation is kept', () => {
  const row = (component: string) => plan.fidelity.find((r) => r.component === component)!;
  expect(row('controllers as VMs')).toMatchObject({ verdict: 'kept' });
  expect(row('controllers as VMs').staging).toContain(`KVM guests of ${hosts.length} hypervisor hosts`);
  expect(row('controllers as VMs').reason).toContain("the target config's placement");
  expect(row('neutron isolation')).toMatchObject({ verdict: 'kept' });
  expect(row('neutron isolation').staging).toMatch(/802\.1Q tags on the hypervisor hosts' tenant bridge/);
  expect(plan.cost.lines.filter((l) => l.item.startsWith('hypervisor host')).reduce((n, l) => n + l.count, 0)).toBe(hosts.length);
});

test("the guests' seeds take the operators' key pair, read from EC2 at deploy time (none without a keyName)", () => {
  const keyed = target('aws', { placement: 'hypervisors', computeKvm: 'metal', budgetPerHour: 1000, keyName: 'ops-key' });
  const stack = synthesize(buildPlan(loadProfile(), keyed), keyed).stacks['hosts-new'];
  expect(stack.data.aws_key_pair['operator-key']).toMatchObject({ key_name: 'ops-key', include_public_key: true });
  const metaData = Object.values(members(stack, 'aws_s3_object')).filter((o) => o.key.endsWith('/meta-data'));
  expect(metaData.length).toBe(plan.nodes.filter((n) => n.side === 'new').length);
  for (const o of metaData) expect(parse(o.content)['public-keys']).toEqual(['${data.aws_key_pair.operator-key.public_key}']);
  const unkeyed = Object.values(members(stacks['hosts-new'], 'aws_s3_object')).find((o) => o.key.endsWith('/meta-data'));
  expect(parse(unkeyed.content)['public-keys']).toEqual([]);
  expect(stacks['hosts-new'].data?.aws_key_pair).toBeUndefined();
});

test("the migration toolbox has hosts of its own, the only ones with the toolbox's role (the guests read the metadata service as their host)", () => {
  const toolboxHosts = hosts.filter((h) => h.guests.some((g) => g.startsWith('migration-toolbox')));
  expect(toolboxHosts.length).toBeGreaterThan(0);
  for (const host of hosts) {
    const instance = members(stacks[`hosts-${host.side}`], 'aws_instance')[host.name];
    const toolbox = toolboxHosts.includes(host);
    if (toolbox) expect(host.guests.every((g) => plan.nodes.find((n) => n.name === g)!.role === 'migration-toolbox')).toBe(true);
    expect([host.name, JSON.stringify(instance.iam_instance_profile).includes('profile-toolbox')]).toEqual([host.name, toolbox]);
  }
});
