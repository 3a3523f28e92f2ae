/**
 * The canary's steps (runbook/canary.ts): the tenant view after every switch, run
 * against a stand-in CLI that lists per project; and the seed and what its
 * per-project credentials rest on:
 * the step order, Nova's target-cell rule edited in a policy file of the release's
 * layout, the password read back from the secrets store (a file; SSM under moto), and
 * the real Terraform CLI on the canary's own variable block: accepted in a provider
 * block, refused in a resource, and kept out of the saved plan and the state by the
 * stacks tool's plan-then-apply.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderAssets } from '../assets/render';
import { SECRET_NAMES } from '../assets/secrets';
import { runStacks } from '../deploy/stacks';
import { providerMirror, startMoto, writeCliConfig } from '../e2e/environment';
import { buildPlan } from '../plan/plan';
import { CANARY_PROVIDER_ENV_DEFAULTS, CANARY_ROLES } from '../plan/canary';
import { loadProfile } from '../profile/load';
import { assetOptionsFor } from '../assets/options';
import { canaryEnv, canarySeedSteps, TARGET_CELL_POLICY, targetCellPolicyLines, tenantViews, tenantViewStep } from '../runbook/canary';
import { DEFAULT_OPTIONS } from '../runbook/types';
import { PLANS, stepsFor } from './support/runbook';
import { target } from './support/shapes';
import { synthesize } from './support/synth';

jest.setTimeout(120_000);

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const bash = (script: string, env: NodeJS.ProcessEnv = {}, cwd?: string) =>
  spawnSync('bash', ['-c', script], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: tmpdir(), ...env },
  });

describe('the seed steps', () => {
  const ids = stepsFor('reference').map((s) => s.id);
  const ctx = { plan: PLANS.reference(), options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };

  test('projects first, then the user and its roles, then the policy, then the workload made as each project', () => {
    const order = [
      'seed.canary-auth',
      'seed.flavors',
      'seed.canary-projects',
      'seed.canary-user',
      'seed.target-cell-policy',
      'seed.canary',
      'seed.inventory',
    ];
    expect(order.map((id) => ids.indexOf(id))).toEqual([...order.map((id) => ids.indexOf(id))].sort((a, b) => a - b));
    expect(order.every((id) => ids.includes(id))).toBe(true);
  });

  test('without a directory, the user is created on the node from its secrets file, then given every role in every canary project', () => {
    const sql = { ...ctx, plan: { ...ctx.plan, keystone: {} } };
    const user = canarySeedSteps(sql, 'seed').find((s) => s.id === 'seed.canary-user')!;
    expect(user.commands[0]).toContain('user-create --name canary-user --pass "$CANARY_USER_PASSWORD"');
    const grants = user.commands.slice(2);
    expect(grants).toHaveLength(ctx.plan.canary.projects.length + 1);
    for (const g of grants) expect(g).toContain(`for role in ${CANARY_ROLES.join(' ')}; do`);
    expect(user.commands.join('\n')).not.toMatch(/CANARY_USER_PASSWORD=/);
  });

  test("with the directory stand-in, the user is the directory's (looked up, never created); it and each project's member get their roles", () => {
    const user = canarySeedSteps(ctx, 'seed').find((s) => s.id === 'seed.canary-user')!;
    expect(user.commands[0]).toContain('user-get canary-user >/dev/null ||');
    expect(user.commands[0]).toContain('canary-user is not in the directory stand-in');
    expect(user.commands.join('\n')).not.toContain('user-create');
    const grants = user.commands.slice(2);
    expect(grants).toHaveLength(2 * ctx.plan.canary.projects.length + 1);
    for (const g of grants.slice(0, -ctx.plan.canary.projects.length)) expect(g).toContain(`for role in ${CANARY_ROLES.join(' ')}; do`);
    expect(grants.slice(-ctx.plan.canary.projects.length)).toEqual(
      ctx.plan.canary.projects.map((p) =>
        expect.stringMatching(
          new RegExp(`role add --user ${p}-user --user-domain default --project "\\$\\(.* project-id .* ${p}\\)" _member_$`),
        ),
      ),
    );
  });

  test("the workload's Terraform runs without the shell's OS_* auth defaults, the password handed over as its variable", () => {
    const env = canaryEnv(ctx);
    for (const name of CANARY_PROVIDER_ENV_DEFAULTS) expect(`${env} `).toContain(`-u ${name} `);
    expect(env).toMatch(
      /^TF_VAR_canary_user_password="\$\( bash rehearsal\/assets\/secrets\/create-secrets\.sh --print CANARY_USER_PASSWORD \)" env -u /,
    );
    for (const phase of ['verify-upgrade-1', 'verify-rollback', 'verify-upgrade-2']) {
      const inventory = stepsFor('reference').find((s) => s.id === `${phase}.canary-inventory`)!;
      expect(inventory.commands).toContain(`${env} npm run -s stacks -- drift canary`);
    }
    expect(stepsFor('reference').at(-1)!.commands[0]).toMatch(
      /^TF_VAR_canary_user_password=\S+ [^\n]+ env -u OS_CLOUD .* npm run stacks -- destroy '\*'/,
    );
    // A shell of the operator's with every one of them set: the run sees none, and the password.
    const ran = bash(`${env.replace(/TF_VAR_canary_user_password="[^"]*"/, 'TF_VAR_canary_user_password=pw')} env`, {
      ...Object.fromEntries(CANARY_PROVIDER_ENV_DEFAULTS.map((n) => [n, 'from-the-shell'])),
      OS_REGION_NAME: 'RegionOne',
    });
    expect(ran.stdout).not.toMatch(/from-the-shell/);
    expect(ran.stdout).toMatch(/^TF_VAR_canary_user_password=pw$/m);
    expect(ran.stdout).toMatch(/^OS_REGION_NAME=RegionOne$/m);
  });
});

describe("Nova's target-cell rule, edited in place", () => {
  // The release's layout (etc/nova/policy.json at 2014.1): one rule a line, four-space indent.
  const policy = [
    '{',
    '    "context_is_admin":  "role:admin",',
    '    "admin_or_owner":  "is_admin:True or project_id:%(project_id)s",',
    '    "cells_scheduler_filter:TargetCellFilter": "is_admin:True",',
    '    "compute:create": ""',
    '}',
    '',
  ].join('\n');
  const run = (content: string) => {
    const dir = tmp('nova-policy-');
    const file = join(dir, 'policy.json');
    writeFileSync(file, content);
    mkdirSync(join(dir, 'bin'));
    // EL6 and EL7 call it python; here it is python3 (the lines run under both).
    writeFileSync(join(dir, 'bin', 'python'), '#!/bin/sh\nexec python3 "$@"\n', { mode: 0o755 });
    const r = bash(['set -euo pipefail', ...targetCellPolicyLines(file)].join('\n'), { PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
    return { ...r, after: readFileSync(file, 'utf8') };
  };

  test('the rule admits the canary role; every other rule and line is as it was', () => {
    const r = run(policy);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.after)['cells_scheduler_filter:TargetCellFilter']).toBe(TARGET_CELL_POLICY);
    expect(TARGET_CELL_POLICY).toBe('is_admin:True or role:canary_target_cell');
    const changed = r.after.split('\n').filter((line, i) => line !== policy.split('\n')[i]);
    expect(changed).toEqual([`    "cells_scheduler_filter:TargetCellFilter": "${TARGET_CELL_POLICY}",`]);
    // Twice is the same as once.
    expect(run(r.after).after).toBe(r.after);
  });

  test('a policy without the rule, or one left unreadable, fails the step', () => {
    const missing = run(policy.replace(/.*TargetCellFilter.*\n/, ''));
    expect([missing.status, missing.stderr.trim()]).toEqual([
      1,
      expect.stringMatching(/has no cells_scheduler_filter:TargetCellFilter rule$/),
    ]);
    // A file that is no JSON once edited (here: none to start with) is not left as if all were well.
    const odd = run('{"cells_scheduler_filter:TargetCellFilter": "is_admin:True" "x": ""}');
    expect(odd.status).toBe(1);
  });
});

describe('create-secrets.sh --print NAME', () => {
  test('on OpenStack, from the file the script keeps (and nothing else printed)', () => {
    const config = target('openstack');
    const plan = buildPlan(loadProfile(), config);
    const script = renderAssets(plan, assetOptionsFor(plan, config)).find((a) => a.path === 'secrets/create-secrets.sh')!.content;
    const dir = tmp('secrets-print-');
    writeFileSync(join(dir, 'create-secrets.sh'), script);
    expect(bash('bash create-secrets.sh --print CANARY_USER_PASSWORD', {}, dir).status).not.toBe(0);
    expect(bash('bash create-secrets.sh', {}, dir).status).toBe(0);
    const kept = readFileSync(join(dir, `secrets-${plan.rehearsalId}.env`), 'utf8');
    const value = kept.match(/^CANARY_USER_PASSWORD=(.+)$/m)![1];
    expect(bash('bash create-secrets.sh --print CANARY_USER_PASSWORD', {}, dir)).toMatchObject({
      status: 0,
      stdout: `${value}\n`,
      stderr: '',
    });
    expect(bash('bash create-secrets.sh --print NO_SUCH_SECRET', {}, dir)).toMatchObject({
      status: 1,
      stderr: 'no secret NO_SUCH_SECRET kept for this rehearsal\n',
    });
  });

  test('on AWS, from the SecureString parameter (moto)', async () => {
    const dir = tmp('secrets-ssm-');
    const moto = await startMoto(join(dir, 'moto.log'));
    try {
      const config = target('aws');
      const plan = buildPlan(loadProfile(), config);
      const script = renderAssets(plan, assetOptionsFor(plan, config)).find((a) => a.path === 'secrets/create-secrets.sh')!.content;
      writeFileSync(join(dir, 'create-secrets.sh'), script);
      const env = {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: plan.region,
      };
      expect(bash('bash create-secrets.sh', env, dir)).toMatchObject({ status: 0 });
      const printed = SECRET_NAMES.map((name) => bash(`bash create-secrets.sh --print ${name}`, env, dir));
      for (const p of printed) expect(p).toMatchObject({ status: 0, stdout: expect.stringMatching(/^[0-9a-f]{40}\n$/), stderr: '' });
      expect(new Set(printed.map((p) => p.stdout)).size).toBe(SECRET_NAMES.length);
      expect(bash('bash create-secrets.sh --print NO_SUCH_SECRET', env, dir).status).toBe(1);
    } finally {
      moto.stop();
    }
  });
});

describe("the canary's password variable, with the real Terraform CLI", () => {
  const config = target('openstack');
  const { stacks } = synthesize(buildPlan(loadProfile(), config), config);
  const variable = stacks.canary.variable;
  const expression = stacks.canary.provider.openstack[0].password;
  const dir = tmp('canary-ephemeral-');
  const cli = join(dir, 'mirror.tfrc');
  writeCliConfig(cli, providerMirror().root);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cli, CHECKPOINT_DISABLE: '1' };
  const terraform = (cwd: string, ...args: string[]) => spawnSync('terraform', args, { cwd, env, encoding: 'utf8' });

  test('is accepted in a provider block and refused in a resource (the OpenStack provider is not installable here: AWS stands in)', () => {
    const root = join(dir, 'validate');
    mkdirSync(root);
    const module = (input: string) => ({
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: providerMirror().versions[0] } } },
      variable,
      provider: { aws: [{ alias: 'canary-a', region: 'us-east-1', access_key: 'canary-user', secret_key: expression }] },
      resource: { terraform_data: { mark: { input } } },
    });
    writeFileSync(join(root, 'main.tf.json'), JSON.stringify(module('made')));
    expect(terraform(root, 'init', '-backend=false', '-input=false', '-no-color').status).toBe(0);
    expect(terraform(root, 'validate', '-no-color')).toMatchObject({ status: 0 });
    writeFileSync(join(root, 'main.tf.json'), JSON.stringify(module(expression)));
    const refused = terraform(root, 'validate', '-no-color');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Invalid use of ephemeral value');
  });

  test("is asked for at plan and apply, and kept in neither the saved plan nor the state (the stacks tool's deploy)", async () => {
    const out = join(dir, 'cdktf.out');
    mkdirSync(join(out, 'stacks', 'canary'), { recursive: true });
    writeFileSync(
      join(out, 'stacks', 'canary', 'cdk.tf.json'),
      JSON.stringify({
        terraform: { backend: { local: { path: '../../../canary.tfstate' } } },
        variable,
        resource: { terraform_data: { mark: { input: 'made' } } },
      }),
    );
    writeFileSync(
      join(out, 'manifest.json'),
      JSON.stringify({ stacks: { canary: { dependencies: [], workingDirectory: 'stacks/canary' } } }),
    );
    const needle = 'canarypw0123456789abcdef';
    const stacksRun = (action: 'deploy' | 'plan' | 'apply-plan', extra: NodeJS.ProcessEnv) =>
      runStacks({
        action,
        stacks: ['canary'],
        outdir: out,
        plans: join(dir, 'plans'),
        logDir: join(dir, 'logs'),
        env: { ...env, ...extra },
        write: () => undefined,
      });
    const without = await stacksRun('deploy', {});
    expect(without[0].status).toBe('failed');
    expect(readFileSync(join(dir, 'logs', 'canary.deploy.log'), 'utf8')).toMatch(
      /No value for required variable[\s\S]*canary_user_password/,
    );
    expect((await stacksRun('plan', { TF_VAR_canary_user_password: needle }))[0]).toMatchObject({ status: 'ok' });
    // A saved plan is a zip: every member of it, uncompressed.
    const members = spawnSync('python3', [
      '-c',
      'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(b"".join(z.read(n) for n in z.namelist()))',
      join(dir, 'plans', 'canary.tfplan'),
    ]);
    expect(members.status).toBe(0);
    expect(members.stdout.toString('latin1')).toContain('made');
    expect(members.stdout.toString('latin1')).not.toContain(needle);
    expect((await stacksRun('apply-plan', { TF_VAR_canary_user_password: needle }))[0]).toMatchObject({ status: 'ok' });
    const everything = (folder: string): string[] =>
      readdirSync(folder, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'));
    expect(readFileSync(join(dir, 'canary.tfstate'), 'utf8')).toContain('"made"');
    for (const text of [
      ...everything(join(out, 'stacks')),
      ...everything(join(dir, 'logs')),
      readFileSync(join(dir, 'canary.tfstate'), 'utf8'),
    ]) {
      expect(text).not.toContain(needle);
    }
  });
});

describe('each canary project as its tenant sees it (tenant-view)', () => {
  const plan = PLANS.reference();
  /** A work folder with the edge's outputs and a --print-only secrets script; a stand-in `openstack` listing what `seen` says per project. */
  let calls = '';
  function setUp(seen: (project: string) => { servers: string[]; networks: string[] }) {
    const dir = tmp('tenant-view-');
    calls = join(dir, 'calls');
    const workDir = join(dir, 'work');
    mkdirSync(join(workDir, 'assets', 'secrets'), { recursive: true });
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(workDir, 'edge.json'), JSON.stringify({ edge: { endpoint: '127.0.0.1' } }));
    writeFileSync(
      join(workDir, 'assets', 'secrets', 'create-secrets.sh'),
      'case "$1 $2" in "--print CANARY_USER_PASSWORD") echo canary-pw ;; "--print LDAP_TEST_PASSWORD") echo member-pw ;; *) exit 1 ;; esac\n',
    );
    const views = Object.fromEntries([...plan.canary.projects, plan.canary.multibyte.project].map((p) => [p, seen(p)]));
    writeFileSync(join(dir, 'seen.json'), JSON.stringify(views));
    // As python-openstackclient's `-f json` lists: rows with a Name column; refused without the canary user's password,
    // or a project member's in its own project (the directory's `<project>-user`).
    writeFileSync(
      join(dir, 'bin', 'openstack'),
      [
        '#!/usr/bin/env python3',
        'import json, os, sys',
        'args = sys.argv[1:]',
        'opts = dict(zip(args[0::2], args[1::2]))',
        "user, password, project = opts.get('--os-username'), os.environ.get('OS_PASSWORD'), opts.get('--os-project-name')",
        "canary = user == 'canary-user' and password == 'canary-pw'",
        "member = user == project + '-user' and password == 'member-pw'",
        "if not (canary or member) or 'OS_CLOUD' in os.environ: sys.exit('401')",
        "open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'calls'), 'a').write(user + ' ' + project + '\\n')",
        "while args and args[0].startswith('--os-'): args = args[2:]",
        "seen = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'seen.json')))[opts['--os-project-name']]",
        "kind = {'server': 'servers', 'network': 'networks'}[args[0]]",
        "print(json.dumps([{'ID': str(i), 'Name': n} for i, n in enumerate(seen[kind] + (['tempest-shared'] if kind == 'networks' else []))]))",
      ].join('\n'),
    );
    chmodSync(join(dir, 'bin', 'openstack'), 0o755);
    const ctx = { plan, options: { ...DEFAULT_OPTIONS, workDir, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
    const step = tenantViewStep(ctx, 'verify-rollback');
    return step.commands.map((command) =>
      spawnSync('bash', ['-c', command], {
        cwd: join(__dirname, '..'),
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, OS_CLOUD: 'staging-inside' },
      }),
    );
  }
  const own = (project: string) => tenantViews({ plan } as never).find((v) => v.project === project)!.view.own;

  test('passes when every project lists exactly its own, under the shell quoting of the Japanese names', () => {
    const runs = setUp((p) => ({ servers: [...own(p).servers], networks: [...own(p).networks] }));
    expect(runs).toHaveLength(3);
    for (const r of runs) expect([r.status, r.stderr]).toEqual([0, '']);
    // The canary user in every project; each canary project's member of the directory in its own, and nowhere else.
    const projects = [...plan.canary.projects, plan.canary.multibyte.project];
    expect([...new Set(readFileSync(calls, 'utf8').trim().split('\n'))]).toEqual(
      projects.flatMap((p) => [`canary-user ${p}`, ...(plan.canary.projects.includes(p) ? [`${p}-user ${p}`] : [])]),
    );
    expect(runs[2].stdout).toContain(`${plan.canary.multibyte.project}: lists its own servers and networks, and no other project's`);
    expect(runs[2].stdout).toContain(
      `staging-check-result {"check":"tenant-view","project":"${plan.canary.multibyte.project}","problems":[]}`,
    );
  });

  test("fails when a project lists another's server (a policy that lets members see other tenants), or misses its own", () => {
    const leaked = plan.canary.servers.find((s) => s.project === 'canary-b')!.name;
    const runs = setUp((p) => ({
      servers: p === 'canary-a' ? [...own(p).servers, leaked] : p === 'canary-b' ? own(p).servers.slice(1) : [...own(p).servers],
      networks: [...own(p).networks],
    }));
    expect(runs.map((r) => r.status)).toEqual([1, 1, 0]);
    expect(runs[0].stdout).toContain(`tenant-view: canary-a: lists the server ${leaked} of another project`);
    expect(runs[1].stdout).toContain(`tenant-view: canary-b: its server ${own('canary-b').servers[0]} is not listed`);
  });
});
