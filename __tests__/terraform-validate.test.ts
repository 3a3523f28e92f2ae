/**
 * `terraform validate`, the real CLI with the AWS provider from the local mirror, on
 * every synthesized AWS stack of every test profile. The stacks of one profile are
 * validated together, as modules of one root, so the provider's schema is loaded once
 * per profile; the provider itself is installed once and its folder reused.
 *
 * Left out, and why: the canary stacks talk to the staging cloud through the OpenStack
 * provider, which this machine kind has no binary of (its schema is checked in
 * openstack-bindings.test.ts); and plans with nested-virtualization compute need the
 * AWS provider >= 6.33 while the mirror holds 5.100.0, so every profile is validated
 * with `computeKvm: metal`, the same stacks but for the compute nodes' CPU option
 * (which aws-stacks.test.ts checks on the nested plan).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerMirror, writeCliConfig } from '../e2e/environment';
import { buildPlan } from '../plan/plan';
import { profileFrom, SHAPES, target } from './support/shapes';
import { synthesize } from './support/synth';

jest.setTimeout(240_000);

const work = mkdtempSync(join(tmpdir(), 'staging-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const cliConfig = join(work, 'terraform.rc');
writeCliConfig(cliConfig, providerMirror().root);
const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
delete env.TF_PLUGIN_CACHE_DIR;

const terraform = (dir: string, ...args: string[]) => spawnSync('terraform', args, { cwd: dir, env, encoding: 'utf8' });

/** A root module with every stack but the canary's two as a module, the providers initialized once and copied. */
let initialized: string | undefined;
function rootOf(outdir: string): string {
  const stacks = readdirSync(join(outdir, 'stacks')).filter((s) => s !== 'canary' && s !== 'canary-projects');
  const root = join(outdir, 'validate');
  mkdirSync(root);
  writeFileSync(
    join(root, 'main.tf.json'),
    JSON.stringify({ module: Object.fromEntries(stacks.map((s) => [s, { source: `../stacks/${s}` }])) }),
  );
  if (!initialized) {
    const init = terraform(root, 'init', '-backend=false', '-input=false', '-no-color');
    expect(init.stderr).toBe('');
    initialized = root;
  } else {
    cpSync(join(initialized, '.terraform', 'providers'), join(root, '.terraform', 'providers'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    cpSync(join(initialized, '.terraform.lock.hcl'), join(root, '.terraform.lock.hcl'));
    // The modules' folders: what init would record, without loading anything.
    expect(terraform(root, 'get', '-no-color').status).toBe(0);
  }
  return root;
}

describe.each(Object.keys(SHAPES))('terraform validate of the %s profile on AWS', (shape) => {
  it('passes on every stack', () => {
    const config = target('aws', { computeKvm: 'metal', budgetPerHour: 1000 });
    const { outdir } = synthesize(buildPlan(profileFrom(SHAPES[shape]()), config), config);
    const result = terraform(rootOf(outdir), 'validate', '-json', '-no-color');
    const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
    const errors = report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`);
    expect(errors).toEqual([]);
    expect(report.valid).toBe(true);
  });
});

test('terraform validate passes on the reference profile placed on hypervisor hosts', () => {
  // Terraform parses the expressions in the uploaded definitions too: a guest's volume path is one.
  const config = target('aws', { computeKvm: 'metal', budgetPerHour: 1000, placement: 'hypervisors' });
  const { outdir } = synthesize(buildPlan(profileFrom(SHAPES.reference()), config), config);
  const result = terraform(rootOf(outdir), 'validate', '-json', '-no-color');
  const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
  expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
  expect(report.valid).toBe(true);
});

test('terraform validate passes on the reference profile with one instance per node, on Nitro and Xen types', () => {
  // The user data of Xen nodes carries the script that finds their disks: no shell expansion may read as an interpolation.
  const config = target('aws', { computeKvm: 'metal', budgetPerHour: 1000, placement: 'instances' });
  const plan = buildPlan(profileFrom(SHAPES.reference()), config);
  expect(new Set(plan.nodes.map((n) => n.size.offer.split('.')[0]))).toContain('m4');
  const { outdir } = synthesize(plan, config);
  const result = terraform(rootOf(outdir), 'validate', '-json', '-no-color');
  const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: { severity: string; summary: string; detail?: string }[] };
  expect(report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.summary}: ${d.detail ?? ''}`)).toEqual([]);
  expect(report.valid).toBe(true);
});
