/**
 * What the staging exposes, asserted on the synthesized stacks of both clouds: the
 * public listeners answer the admin CIDRs only; databases and brokers only the roles
 * that use them (and the migration toolbox), on their own side; SSH only the
 * operators' path; no node has a public address; AWS instances require IMDSv2; every
 * volume and bucket is encrypted, every bucket private; the nodes' roles read only
 * their rehearsal's secrets and buckets.
 */
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { groupOf, ingressPermissions } from '../plan/security';
import type { PlacementPlan } from '../plan/types';
import type { CloudName } from '../targets/config';
import { factsOf } from '../targets/facts';
import { stepsOf } from './support/runbook';
import { target } from './support/shapes';
import { members, resources, synthesize, type StackJson } from './support/synth';

const profile = loadProfile();

/** Who may reach each data store (from the releases' own service configuration: who has a DB or broker URL). */
const USERS: Record<string, readonly string[]> = {
  database: ['keystone', 'glance', 'neutron-server', 'nova-api', 'migration-toolbox'],
  'cell-database': ['cell-services', 'migration-toolbox'],
  rabbitmq: ['nova-api', 'neutron-server', 'compute', 'cell-services'],
  'cell-rabbitmq': ['cell-services', 'compute'],
};

const roleOfGroup = (group: string): string => group.replace(/^(old|new)-/, '');
const sideOfGroup = (group: string): string => /^(old|new)-/.exec(group)?.[1] ?? 'shared';

const PLACEMENTS: readonly [CloudName, PlacementPlan['kind']][] = [
  ['aws', 'instances'],
  ['aws', 'hypervisors'],
  ['openstack', 'instances'],
];

describe.each(PLACEMENTS)('on %s %s', (cloud, placement) => {
  const config = target(cloud, { placement });
  const plan = buildPlan(profile, config);
  // Where the nodes are KVM guests, each one's own group is kept by its host (assets/host-firewall.ts, tested in
  // host-network.test.ts): the rules below are the ones the hosts keep; the cloud's host groups are their union (aws-hosts.test.ts).
  const permissions = ingressPermissions({ ...plan, placement: { kind: 'instances', reason: 'each guest' } }, config.adminCidrs);
  const { stacks } = synthesize(plan, config);
  const all = (type: string): any[] => Object.values(stacks).flatMap((s: StackJson) => Object.values(members(s, type)));

  test('databases and brokers answer only the roles that use them, on their own side', () => {
    // Besides the operators' SSH (checked below) and the monitoring node's NRPE checks.
    const isNrpe = (p: (typeof permissions)[number]) => 'group' in p.source && p.source.group === 'monitoring' && p.rule.ports[0] === 5666;
    const intoStores = permissions.filter((p) => USERS[roleOfGroup(p.rule.group)] && 'group' in p.source && !isNrpe(p));
    expect(intoStores.length).toBeGreaterThan(10);
    expect(intoStores.every((p) => p.rule.ports[0] === 3306 || p.rule.ports[0] === 5672)).toBe(true);
    for (const { key, rule, source } of intoStores) {
      const from = (source as { group: string }).group;
      expect([key, USERS[roleOfGroup(rule.group)]]).toEqual([key, expect.arrayContaining([roleOfGroup(from)])]);
      // Only shared nodes (the toolbox, compute) cross sides; a new-side service never reaches an old store.
      const fromSide = sideOfGroup(from);
      if (fromSide !== 'shared') expect([key, fromSide]).toEqual([key, sideOfGroup(rule.group)]);
    }
  });

  test('SSH and every public port come from the admin CIDRs or the operator access path only', () => {
    const fromOutside = permissions.filter((p) => 'cidr' in p.source);
    const apiSubnets = plan.networks.find((n) => n.role === 'api')!.subnets.map((s) => s.cidr);
    for (const { key, source } of fromOutside) {
      const cidr = (source as { cidr: string }).cidr;
      expect([key, [...config.adminCidrs, ...apiSubnets]]).toEqual([key, expect.arrayContaining([cidr])]);
    }
    const ssh = permissions.filter((p) => p.rule.ports[0] <= 22 && 22 <= p.rule.ports[1]);
    expect(ssh.length).toBeGreaterThan(10);
    for (const { key, source } of ssh) {
      const ok = 'operatorAccess' in source || ('cidr' in source && config.adminCidrs.includes(source.cidr));
      expect([key, ok]).toEqual([key, true]);
    }
    // Every node's group admits SSH from the operators and from nowhere else outside.
    for (const node of plan.nodes) expect(ssh.some((p) => p.rule.group === groupOf(node))).toBe(true);
  });

  if (cloud === 'aws') {
    test('public listeners answer the admin CIDRs only', () => {
      const edgeIngress = all('aws_vpc_security_group_ingress_rule').filter(
        (r) => r.security_group_id === '${aws_security_group.edge-sg.id}',
      );
      expect(edgeIngress.length).toBeGreaterThan(0);
      expect(new Set(edgeIngress.map((r) => r.cidr_ipv4))).toEqual(new Set(config.adminCidrs));
    });

    test('no public address, IMDSv2 required, every volume encrypted', () => {
      const instances = all('aws_instance');
      expect(instances.length).toBe(plan.placement.kind === 'hypervisors' ? plan.placement.hosts.length : plan.nodes.length);
      for (const i of instances) {
        expect(i.associate_public_ip_address).toBeUndefined();
        expect(i.metadata_options).toMatchObject({ http_tokens: 'required' });
        expect(i.root_block_device).toMatchObject({ encrypted: true });
      }
      expect(all('aws_ebs_volume').every((v) => v.encrypted === true)).toBe(true);
      expect(all('aws_subnet').every((s) => s.map_public_ip_on_launch === false)).toBe(true);
      expect(all('aws_eip').map((e) => e.tags?.Name ?? e.tags?.role)).toHaveLength(1); // the NAT gateway's only
    });

    test('every bucket is encrypted and private; the dumps and backups under a key of the rehearsal', () => {
      const foundation = stacks.foundation;
      const buckets = Object.keys(resources(foundation, 'aws_s3_bucket'));
      expect(buckets.sort()).toEqual(['bucket-assets', 'bucket-backups', 'bucket-dumps']);
      for (const id of buckets) {
        expect(resources(foundation, 'aws_s3_bucket_public_access_block')[`${id}-private`]).toMatchObject({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        });
        const sse = resources(foundation, 'aws_s3_bucket_server_side_encryption_configuration')[`${id}-sse`];
        const rule = sse.rule[0].apply_server_side_encryption_by_default;
        if (id === 'bucket-assets') expect(rule.sse_algorithm).toBe('AES256');
        else expect(rule).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: '${aws_kms_key.production-data.arn}' });
      }
      expect(resources(foundation, 'aws_kms_key')['production-data']).toMatchObject({ enable_key_rotation: true });
    });

    test("the nodes' roles read only this rehearsal's secrets and buckets", () => {
      const policies = Object.entries(resources(stacks.foundation, 'aws_iam_role_policy')) as [string, any][];
      expect(policies.map(([id]) => id).sort()).toEqual(['role-node-policy', 'role-toolbox-policy']);
      for (const [id, p] of policies) {
        for (const s of JSON.parse(p.policy).Statement) {
          expect([id, s.Effect]).toEqual([id, 'Allow']);
          for (const resource of s.Resource) {
            expect([id, resource]).toEqual([
              id,
              expect.stringMatching(
                new RegExp(
                  `^(\\$\\{aws_s3_bucket\\.bucket-(assets|dumps|backups)\\.arn\\}(/\\*)?|\\$\\{aws_kms_key\\.production-data\\.arn\\}|arn:aws:ssm:${plan.region}:\\*:parameter/openstack-staging/${plan.rehearsalId}/secrets)$`,
                ),
              ),
            ]);
          }
          expect(s.Action.every((a: string) => !a.endsWith('*'))).toBe(true);
        }
      }
      const node = JSON.parse(policies.find(([id]) => id === 'role-node-policy')![1].policy).Statement;
      // Only the toolbox touches the production dumps and their key.
      expect(JSON.stringify(node)).not.toMatch(/bucket-dumps|bucket-backups|kms/);
    });
  } else {
    test('public listeners answer the admin CIDRs only; only the edge has a floating IP', () => {
      const listeners = all('openstack_lb_listener_v2');
      expect(listeners).toHaveLength(plan.apis.length);
      for (const l of listeners) expect(l.allowed_cidrs).toEqual(config.adminCidrs);
      expect(Object.keys(resources(stacks.edge, 'openstack_networking_floatingip_v2'))).toEqual(['edge-ip']);
      const elsewhere = Object.entries(stacks).filter(
        ([name, s]) => name !== 'edge' && Object.keys(resources(s, 'openstack_networking_floatingip_v2')).length > 0,
      );
      expect(elsewhere).toEqual([]);
    });
  }
});

describe.each<CloudName>(['aws', 'openstack'])('production data on %s (keepBackups)', (cloud) => {
  const kept = synthesize(buildPlan(profile, target(cloud, { keepBackups: true })), target(cloud, { keepBackups: true })).stacks.foundation;
  const deleted = synthesize(buildPlan(profile, target(cloud)), target(cloud)).stacks.foundation;
  const at = (stack: StackJson, address: string) => {
    const [type, name] = address.split('.');
    return resources(stack, type)[name];
  };
  const buckets = (stack: StackJson) =>
    Object.entries({ ...resources(stack, 'aws_s3_bucket'), ...resources(stack, 'openstack_objectstorage_container_v1') }).map(
      ([name, b]) => [name, b.force_destroy],
    );

  test('every address the teardown keeps is in the foundation', () => {
    const addresses = factsOf(cloud).productionDataAddresses;
    expect(addresses.length).toBeGreaterThan(1);
    for (const address of addresses) expect([address, at(kept, address) !== undefined]).toEqual([address, true]);
  });

  test('by default Terraform empties every bucket at teardown; with keepBackups only the assets one', () => {
    const prefix = cloud === 'aws' ? 'bucket' : 'container';
    expect(buckets(deleted)).toEqual(
      expect.arrayContaining([
        [`${prefix}-dumps`, true],
        [`${prefix}-backups`, true],
        [`${prefix}-assets`, true],
      ]),
    );
    expect(buckets(kept)).toEqual(
      expect.arrayContaining([
        [`${prefix}-dumps`, false],
        [`${prefix}-backups`, false],
        [`${prefix}-assets`, true],
      ]),
    );
  });

  test('with keepBackups the teardown takes them out of state before it destroys', () => {
    const plan = buildPlan(profile, target(cloud, { keepBackups: true }));
    const steps = stepsOf(plan, cloud).filter((s) => s.phase === 'teardown');
    expect(steps.map((s) => s.id)).toEqual(['teardown.keep-backups', 'teardown.destroy']);
    expect(steps[0].commands).toEqual([`npm run stacks -- forget foundation ${factsOf(cloud).productionDataAddresses.join(' ')}`]);
    expect(
      stepsOf(buildPlan(profile, target(cloud)), cloud)
        .filter((s) => s.phase === 'teardown')
        .map((s) => s.id),
    ).toEqual(['teardown.destroy']);
  });
});
