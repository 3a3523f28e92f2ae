/**
 * The AWS stacks as a whole (stacks/, targets/aws/index.ts): one stack per concern and
 * their dependencies, state backends, determinism, and small snapshots. Each target
 * module's own assertions are in aws-<module>.test.ts.
 */
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { config, manifest, plan, profile, stacks } from './support/aws';
import { planShape, target } from './support/shapes';
import { snapshotOf, synthesize } from './support/synth';

test('one stack per concern, each side on its own, all depending on the foundation', () => {
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
  for (const [name, stack] of Object.entries(manifest.stacks) as [string, any][]) {
    const expected: Record<string, string[]> = { foundation: [], 'canary-projects': ['edge'], canary: ['edge', 'canary-projects'] };
    expect(stack.dependencies).toEqual(expected[name] ?? ['foundation']);
  }
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
    expect(snapshotOf(synth.stacks[name])).toMatchSnapshot();
  });
});
