import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { renderPlan } from '../plan/report';
import { RULES, violations } from '../plan/rules';
import { securityRules } from '../plan/security';
import type { NodePlan, StagingPlan } from '../plan/types';
import { CONTROLLER_ROLES } from '../profile/schema';
import { planShape, SHAPES, target } from './support/shapes';

const count = (plan: StagingPlan, pred: (n: NodePlan) => boolean) => plan.nodes.filter(pred).length;

describe('the reference profile', () => {
  const profile = loadProfile();
  const plan = buildPlan(profile, target('aws'));

  test('plans within the default budget, both sides, every cell, the ring unchanged', () => {
    expect(plan.cost.perHour).toBeLessThanOrEqual(plan.cost.budgetPerHour);
    expect(plan.sides.map((s) => [s.name, s.release])).toEqual([
      ['old', 'icehouse'],
      ['new', 'liberty'],
    ]);
    expect(plan.cells.map((c) => c.name)).toEqual(['api', 'cell01', 'cell02', 'cell03', 'cell04']);
    expect(plan.swift).toMatchObject({ partPower: 16, replicas: 3, minPartHours: 1 });
    expect(plan.swift.regions).toEqual([{ id: 1, zones: [1, 2, 3].map((id) => expect.objectContaining({ id, productionNodes: 8 })) }]);
  });

  test('the fidelity table covers every cell, both ring parameters and the VLANs kept on the hosts trunk', () => {
    const components = plan.fidelity.map((f) => f.component);
    for (const cell of plan.cells) expect(components).toContain(`nova cell ${cell.name}`);
    const ring = plan.fidelity.find((f) => f.component === 'swift ring parameters')!;
    expect(ring.verdict).toBe('kept');
    expect(ring.staging).toBe(ring.production);
    // The reference's EL images put its nodes on hypervisor hosts, whose tenant trunk carries real 802.1Q tags.
    expect(plan.placement.kind).toBe('hypervisors');
    expect(plan.fidelity.find((f) => f.component === 'neutron isolation')!.verdict).toBe('kept');
    expect(new Set(plan.fidelity.map((f) => f.verdict))).toEqual(new Set(['kept', 'scaled', 'emulated']));
    const instances = buildPlan(profile, target('aws', { placement: 'instances' }));
    expect(instances.fidelity.find((f) => f.component === 'neutron isolation')!.verdict).toBe('emulated');
  });

  test('the migration toolbox and monitoring are planned, each once', () => {
    expect(count(plan, (n) => n.role === 'migration-toolbox')).toBe(1);
    expect(count(plan, (n) => n.role === 'monitoring')).toBe(1);
  });

  test('node names and addresses are unique', () => {
    expect(new Set(plan.nodes.map((n) => n.name)).size).toBe(plan.nodes.length);
    const addresses = plan.nodes.flatMap((n) => Object.values(n.addresses));
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  test('planning is deterministic', () => {
    expect(JSON.stringify(buildPlan(loadProfile(), target('aws')))).toBe(JSON.stringify(plan));
  });

  test('a larger budget buys a larger clone, a one-to-one scale clones every host and device', () => {
    const bigger = buildPlan(profile, target('aws', { budgetPerHour: 100 }));
    expect(bigger.scale.factor).toBeGreaterThan(plan.scale.factor);
    const full = buildPlan(profile, target('aws', { scale: 1, budgetPerHour: 10000 }));
    expect(count(full, (n) => n.role === 'compute')).toBe(360);
    expect(count(full, (n) => n.role === 'swift-storage' && n.side === 'old')).toBe(24);
    expect(full.nodes.find((n) => n.role === 'swift-storage')!.volumes).toHaveLength(10);
  });

  test('addresses follow each subnet in node order; a subnet that runs out is named', () => {
    // Subnets are carved from 10.42.0.0/16 (management first, then api); each hands out from its tenth address on.
    expect(plan.nodes.slice(0, 2).map((n) => [n.zone, n.addresses])).toEqual([
      ['us-east-1a', { management: '10.42.0.10', api: '10.42.64.10' }],
      ['us-east-1a', { management: '10.42.0.11', api: '10.42.64.11' }],
    ]);
    // One zone of /24 subnets holds 244 nodes per network; a one-to-one clone has 460.
    const small = target('aws', { scale: 1, budgetPerHour: 10000, availabilityZones: ['us-east-1a'], networkCidr: '10.9.0.0/22' });
    expect(() => buildPlan(profile, small)).toThrow(/networkCidr.*subnet 10\.9\.0\.0\/24 \(management, us-east-1a\) has no address left/);
  });
});

describe.each(Object.keys(SHAPES))('invariants on the %s shape', (shape) => {
  for (const cloud of ['aws', 'openstack'] as const) {
    const { profile, plan } = planShape(shape, cloud);

    test(`${cloud}: every rule holds`, () => {
      expect(violations(plan, profile)).toEqual([]);
    });

    test(`${cloud}: every cell on each side with its own DB and MQ`, () => {
      expect(plan.cells).toHaveLength(profile.nova.cells.length + 1);
      for (const cell of plan.cells) {
        for (const side of ['old', 'new'] as const) {
          expect(cell.database[side].length).toBeGreaterThan(0);
          expect(cell.rabbitmq[side].length).toBeGreaterThan(0);
        }
      }
      const dbs = plan.cells.flatMap((c) => [...c.database.old, ...c.database.new]);
      expect(new Set(dbs).size).toBe(dbs.length);
    });

    test(`${cloud}: ring parameters, regions and zones identical, a storage node per zone`, () => {
      expect(plan.swift).toMatchObject({
        partPower: profile.swift.partPower,
        replicas: profile.swift.replicas,
        minPartHours: profile.swift.minPartHours,
      });
      expect(plan.swift.regions.map((r) => [r.id, r.zones.map((z) => z.id)])).toEqual(
        profile.swift.regions.map((r) => [r.id, r.zones.map((z) => z.id)]),
      );
      for (const side of ['old', 'new']) {
        for (const r of profile.swift.regions) {
          for (const z of r.zones) {
            expect(count(plan, (n) => n.side === side && n.swiftZone?.region === r.id && n.swiftZone.zone === z.id)).toBeGreaterThanOrEqual(
              1,
            );
          }
        }
      }
    });

    test(`${cloud}: every controller role on both sides`, () => {
      for (const side of ['old', 'new'])
        for (const role of CONTROLLER_ROLES) expect(count(plan, (n) => n.side === side && n.role === role)).toBeGreaterThanOrEqual(1);
    });

    test(`${cloud}: KVM on every compute node, at least one per child cell`, () => {
      const computes = plan.nodes.filter((n) => n.role === 'compute');
      expect(computes.every((n) => n.hypervisor?.virtType === 'kvm' && ['hardware', 'nested'].includes(n.hypervisor.acceleration))).toBe(
        true,
      );
      for (const cell of profile.nova.cells) expect(computes.some((n) => n.cell === cell.name)).toBe(true);
    });

    test(`${cloud}: releases and OS identical`, () => {
      for (const n of plan.nodes) {
        const side = n.side === 'new' ? 'new' : 'old';
        expect(n.release).toBe(side === 'new' ? profile.releases.to : profile.releases.from);
        expect(n.os).toBe(profile.os[side][n.role] ?? profile.os[side].default);
      }
    });
  }
});

describe('each rule can fail', () => {
  const { profile, plan } = planShape('reference');
  const without = (pred: (n: NodePlan) => boolean): StagingPlan => ({ ...plan, nodes: plan.nodes.filter((n) => !pred(n)) });
  const cases: Record<string, StagingPlan> = {
    'every-cell-on-each-side': without((n) => n.side === 'new' && n.role === 'cell-database' && n.cell === 'cell02'),
    'ring-parameters-kept': { ...plan, swift: { ...plan.swift, partPower: 10 } },
    'every-controller-role': without((n) => n.side === 'old' && n.role === 'horizon'),
    'kvm-on-every-compute': { ...plan, nodes: plan.nodes.map((n) => (n.role === 'compute' ? { ...n, hypervisor: undefined } : n)) },
    'releases-and-os-kept': { ...plan, nodes: plan.nodes.map((n) => (n.side === 'new' ? { ...n, release: 'kilo' as const } : n)) },
  };
  test.each(RULES.map((r) => r.name))('%s', (name) => {
    expect(cases[name]).toBeDefined();
    expect(violations(cases[name], profile).map((v) => v.rule)).toContain(name);
  });
});

describe('least-privilege network rules', () => {
  const { plan } = planShape('reference');
  const rules = securityRules(plan, ['198.51.100.0/24']);

  test('the new side cannot reach the old side databases, the toolbox reaches both', () => {
    const into = (group: string) =>
      rules.filter((r) => r.group === group && 'group' in r.from).map((r) => (r.from as { group: string }).group);
    expect(into('old-database')).not.toEqual(expect.arrayContaining([expect.stringMatching(/^new-/)]));
    expect(into('old-cell-database')).toContain('migration-toolbox');
    expect(into('new-cell-database')).toContain('migration-toolbox');
    expect(into('old-cell-database').filter((g) => g.startsWith('new-'))).toEqual([]);
  });

  test('across sides, Swift storage nodes reach each other for the rsync copy only', () => {
    const cross = rules.filter((r) => r.group === 'new-swift-storage' && 'group' in r.from && r.from.group === 'old-swift-storage');
    expect(cross.map((r) => r.ports)).toEqual([[873, 873]]);
  });

  test('only operators reach SSH, and nothing is open to the world', () => {
    const ssh = rules.filter((r) => r.ports[0] === 22);
    expect(ssh.every((r) => 'cidrs' in r.from && r.from.cidrs.join() === '198.51.100.0/24')).toBe(true);
    expect(rules.some((r) => 'cidrs' in r.from && r.from.cidrs.includes('0.0.0.0/0'))).toBe(false);
  });
});

test('the cost counts the network as well: the NAT gateway and its address, the load balancer, the volumes', () => {
  const plan = buildPlan(loadProfile(), target('aws'));
  const items = plan.cost.lines.map((l) => l.item);
  expect(items).toEqual(
    expect.arrayContaining(['NAT gateway', 'public IPv4 address (NAT gateway)', 'edge load balancer', 'block storage (GiB)']),
  );
  const sum = plan.cost.lines.reduce((total, l) => total + l.perHour, 0);
  expect(plan.cost.perHour).toBeCloseTo(sum, 2);
});

test('the plan tables fit the width asked for, wrapping their widest cells, and --wide keeps them whole', () => {
  const plan = buildPlan(loadProfile(), target('aws'));
  const narrow = renderPlan(plan, 100).split('\n');
  const tableLines = narrow.slice(narrow.indexOf('Sides'));
  // A word longer than its column keeps its own line: the directory's DN is one.
  expect(tableLines.filter((l) => l.length > 100 && !/dc=/.test(l))).toEqual([]);
  expect(narrow.join('\n')).toContain('release path');
  const wide = renderPlan(plan).split('\n');
  expect(Math.max(...wide.map((l) => l.length))).toBeGreaterThan(200);
  expect(wide.length).toBeLessThan(narrow.length);
});
