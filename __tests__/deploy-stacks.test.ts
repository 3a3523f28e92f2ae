/**
 * The stacks tool with the real Terraform CLI, on a synthesized output of three small
 * stacks made of Terraform's built-in `terraform_data` (no provider to install): the
 * dependency order (both ways), parallel stacks, saved plans applied later, and plans
 * refused before anything is applied.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { SYNTH_CONTEXT_FILE } from '../deploy/context';
import { forgetResources, runStacks, stackDrift, stackOutputs, StacksInputError } from '../deploy/stacks';
import { driftOf } from '../deploy/terraform';

jest.setTimeout(120_000);

/** A stack whose creation and destruction append its name to `order.log`; `second` reads `base`'s state. */
function stackJson(dir: string, name: string, extra: Record<string, unknown> = {}) {
  const log = JSON.stringify(join(dir, 'order.log'));
  return {
    terraform: { backend: { local: { path: `../../../state/${name}.tfstate` } } },
    variable: { label: { type: 'string', default: 'one' } },
    resource: {
      terraform_data: {
        mark: {
          input: '${var.label}',
          triggers_replace: [name],
          provisioner: [
            { 'local-exec': { command: `echo create ${name} >> ${log}` } },
            { 'local-exec': { when: 'destroy', command: `echo destroy ${name} >> ${log}` } },
          ],
        },
      },
    },
    output: { label: { value: '${terraform_data.mark.output}' } },
    ...extra,
  };
}

function synthesized(): string {
  const dir = mkdtempSync(join(tmpdir(), 'staging-stacks-'));
  const out = join(dir, 'cdktf.out');
  const stacks: Record<string, string[]> = { base: [], first: ['base'], second: ['base'] };
  const manifest: Record<string, unknown> = {};
  for (const [name, dependencies] of Object.entries(stacks)) {
    mkdirSync(join(out, 'stacks', name), { recursive: true });
    const extra =
      name === 'second'
        ? { data: { terraform_remote_state: { base: { backend: 'local', config: { path: '../../../state/base.tfstate' } } } } }
        : {};
    writeFileSync(join(out, 'stacks', name, 'cdk.tf.json'), JSON.stringify(stackJson(dir, name, extra)));
    manifest[name] = { name, dependencies, workingDirectory: `stacks/${name}` };
  }
  // Never deployed, and its provider cannot be installed here: a teardown must pass it by.
  mkdirSync(join(out, 'stacks', 'unused'), { recursive: true });
  writeFileSync(
    join(out, 'stacks', 'unused', 'cdk.tf.json'),
    JSON.stringify({
      terraform: {
        backend: { local: { path: '../../../state/unused.tfstate' } },
        required_providers: { nothing: { source: 'example.invalid/none/nothing' } },
      },
    }),
  );
  manifest.unused = { name: 'unused', dependencies: ['base'], workingDirectory: 'stacks/unused' };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify({ version: 'test', stacks: manifest }));
  return dir;
}

const env = (dir: string) => {
  writeFileSync(join(dir, 'empty.tfrc'), '');
  return { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc') };
};
const order = (dir: string) => readFileSync(join(dir, 'order.log'), 'utf8').trim().split('\n');
const quiet = () => undefined;

describe('npm run stacks (real Terraform, built-in resources)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = synthesized();
    const results = await runStacks({
      action: 'deploy',
      stacks: ['base', 'first', 'second'],
      outdir: join(dir, 'cdktf.out'),
      env: env(dir),
      write: quiet,
    });
    expect(results.map((r) => [r.stack, r.status, r.summary?.add])).toEqual([
      ['base', 'ok', 1],
      ['first', 'ok', 1],
      ['second', 'ok', 1],
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('deploys a stack only after the stacks it depends on', () => {
    expect(order(dir)[0]).toBe('create base');
    expect(order(dir).slice(1).sort()).toEqual(['create first', 'create second']);
  });

  it('prepares a plan that only updates, and applies exactly it later', async () => {
    const plans = join(dir, 'plans');
    const common = { stacks: ['first'], outdir: join(dir, 'cdktf.out'), env: env(dir), write: quiet, plans };
    const [planned] = await runStacks({
      ...common,
      action: 'plan',
      vars: ['label=two'],
      expect: { destroy: 'none', onlyUpdate: ['terraform_data'] },
    });
    expect(planned).toMatchObject({ status: 'ok', summary: { add: 0, change: 1, destroy: 0 } });
    expect(existsSync(join(plans, 'first.tfplan'))).toBe(true);
    expect((await stackOutputs(join(dir, 'cdktf.out'), ['first'], env(dir))).first.label).toBe('one');
    const [applied] = await runStacks({ ...common, action: 'apply-plan' });
    expect(applied.status).toBe('ok');
    expect((await stackOutputs(join(dir, 'cdktf.out'), ['first'], env(dir))).first.label).toBe('two');
    expect(existsSync(join(plans, 'first.tfplan'))).toBe(false);
  });

  it('refuses a plan that replaces what the step does not expect to destroy, and applies nothing', async () => {
    const file = join(dir, 'cdktf.out', 'stacks', 'second', 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.resource.terraform_data.mark.triggers_replace = ['changed'];
    writeFileSync(file, JSON.stringify(json));
    const lines: string[] = [];
    const [result] = await runStacks({
      action: 'deploy',
      stacks: ['second'],
      outdir: join(dir, 'cdktf.out'),
      env: env(dir),
      write: (t) => lines.push(t),
    });
    expect(result).toMatchObject({ status: 'refused', summary: { add: 1, destroy: 1 } });
    expect(lines.join('')).toContain('terraform_data.mark would be replaced, which this step does not expect');
    expect(order(dir)).not.toContain('destroy second');
  });

  it('destroys dependents before what they depend on, passing by a stack never deployed', async () => {
    const before = order(dir).length;
    const lines: string[] = [];
    const results = await runStacks({
      action: 'destroy',
      stacks: ['*'],
      outdir: join(dir, 'cdktf.out'),
      env: env(dir),
      write: (t) => lines.push(t),
    });
    expect(results.map((r) => [r.stack, r.status])).toEqual([
      ['base', 'ok'],
      ['first', 'ok'],
      ['second', 'ok'],
      ['unused', 'ok'],
    ]);
    expect(lines.join('')).toContain('unused       nothing to destroy: no state');
    const destroyed = order(dir).slice(before);
    expect(destroyed[destroyed.length - 1]).toBe('destroy base');
    expect(destroyed.slice(0, 2).sort()).toEqual(['destroy first', 'destroy second']);
  });

  it('names an unknown stack and a missing synthesis', async () => {
    await expect(runStacks({ action: 'deploy', stacks: ['nope'], outdir: join(dir, 'cdktf.out'), write: quiet })).rejects.toThrow(
      StacksInputError,
    );
    await expect(runStacks({ action: 'deploy', stacks: ['base'], outdir: join(dir, 'missing'), write: quiet })).rejects.toThrow(
      /run `npm run synth` first/,
    );
  });

  it('refuses to build a cloud of the default profile nobody named, showing what the output was made from', () => {
    const out = join(dir, 'cdktf.out');
    const context = { line: '# context of the synthesis', rehearsalId: 'r', profile: '/p/reference.yaml', perHour: 16, currency: 'USD' };
    const run = (profileNamed: boolean) => {
      writeFileSync(join(out, SYNTH_CONTEXT_FILE), JSON.stringify({ ...context, profileNamed }));
      return spawnSync(process.execPath, ['-r', './bin/register.js', 'bin/stacks.ts', 'deploy', 'base'], {
        cwd: join(__dirname, '..'),
        env: { ...env(dir), CDKTF_OUTDIR: out },
        encoding: 'utf8',
      });
    };
    const refused = run(false);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('# context of the synthesis\n');
    expect(refused.stderr).toMatch(/profile: was synthesized from the default profile .*STAGING_PROFILE=reference/);
    const named = run(true);
    expect(named.status).toBe(0);
    expect(named.stdout.split('\n')[0]).toBe('# context of the synthesis');
  });
});

describe('npm run stacks -- forget (what keepBackups does before the teardown)', () => {
  it('takes a resource out of state, so that the destroy leaves it; a rerun finds nothing to keep', async () => {
    const dir = synthesized();
    const out = join(dir, 'cdktf.out');
    const file = join(out, 'stacks', 'base', 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const log = JSON.stringify(join(dir, 'order.log'));
    json.resource.terraform_data.kept = {
      input: 'dumps',
      provisioner: [
        { 'local-exec': { command: `echo create kept >> ${log}` } },
        { 'local-exec': { when: 'destroy', command: `echo destroy kept >> ${log}` } },
      ],
    };
    writeFileSync(file, JSON.stringify(json));
    await runStacks({ action: 'deploy', stacks: ['base'], outdir: out, env: env(dir), write: quiet });
    expect(order(dir).sort()).toEqual(['create base', 'create kept']);
    const lines: string[] = [];
    expect(await forgetResources(out, 'base', ['terraform_data.kept', 'terraform_data.absent'], env(dir), (t) => lines.push(t))).toEqual([
      'terraform_data.kept',
    ]);
    expect(lines.join('')).toContain('kept, no longer managed: terraform_data.kept');
    const [destroyed] = await runStacks({ action: 'destroy', stacks: ['base'], outdir: out, env: env(dir), write: quiet });
    expect(destroyed).toMatchObject({ status: 'ok', summary: { destroy: 1 } });
    expect(order(dir)).toContain('destroy base');
    expect(order(dir)).not.toContain('destroy kept');
    expect(await forgetResources(out, 'base', ['terraform_data.kept'], env(dir), quiet)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('npm run stacks -- drift (the canary read back live)', () => {
  it('reads a deployed stack back with real Terraform: nothing drifted', async () => {
    const dir = synthesized();
    const out = join(dir, 'cdktf.out');
    await runStacks({ action: 'deploy', stacks: ['base'], outdir: out, env: env(dir), write: quiet });
    expect(await stackDrift(out, ['base'], env(dir))).toEqual({ base: [] });
    rmSync(dir, { recursive: true, force: true });
  });

  it("names what Terraform's machine-readable output reports as drifted", () => {
    // As `terraform plan -json` writes resource_drift messages (Terraform's machine-readable UI format).
    const lines = [
      '{"@level":"info","@message":"Terraform 1.11.4","type":"version"}',
      '{"@level":"info","@message":"openstack_compute_instance_v2.server-a: Drift detected (delete)","type":"resource_drift","change":{"resource":{"addr":"openstack_compute_instance_v2.server-a","resource_type":"openstack_compute_instance_v2"},"action":"delete"}}',
      '{"@level":"info","@message":"openstack_objectstorage_object_v1.o: Drift detected (update)","type":"resource_drift","change":{"resource":{"addr":"openstack_objectstorage_object_v1.o","resource_type":"openstack_objectstorage_object_v1"},"action":"update"}}',
    ].join('\n');
    expect(driftOf(lines)).toEqual([
      { address: 'openstack_compute_instance_v2.server-a', action: 'delete' },
      { address: 'openstack_objectstorage_object_v1.o', action: 'update' },
    ]);
  });
});
