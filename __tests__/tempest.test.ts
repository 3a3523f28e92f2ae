/**
 * Tempest after every switch (runbook/tempest.ts): the generated tempest.conf sets only
 * options its Tempest release has (the option lists of tempest/config.py at tags 5 and
 * 13.0.0, in fixtures/tempest), every exclusion matches a smoke test of those releases,
 * the one-regex selection of tag 5 keeps exactly the rest, and the JUnit totals count
 * what subunit2junitxml writes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { junitTotals } from '../runbook/checks';
import { parse } from 'yaml';
import { TEMPEST_ACCOUNT_ROLES, TEMPEST_ACCOUNTS, TEMPEST_DIRECTORY_ACCOUNTS, TEMPEST_WORKERS } from '../plan/tempest-accounts';
import {
  planExclusions,
  smokeSelection,
  TEMPEST,
  TEMPEST_EXCLUDE_DIRECTORY_FILE,
  tempestAccountsStep,
  tempestAccountsYaml,
  tempestConf,
  tempestExclusions,
  tempestStep,
} from '../runbook/tempest';
import { DEFAULT_OPTIONS } from '../runbook/types';
import { PLANS, stepsFor } from './support/runbook';

const ROOT = join(__dirname, '..');
const fixture = (name: string) =>
  readFileSync(join(__dirname, 'fixtures', 'tempest', name), 'utf8')
    .trim()
    .split('\n');
const plan = PLANS.reference();
const keystone = (side: 'old' | 'new') => plan.nodes.find((n) => n.side === side && n.role === 'keystone')!;

/** `[group] option` pairs a conf sets. */
const optionsOf = (conf: string): string[] => {
  let group = '';
  return conf.split('\n').flatMap((line) => {
    const g = /^\[(.+)\]$/.exec(line);
    if (g) group = g[1];
    const o = /^([a-z0-9_]+) = /.exec(line);
    return o ? [`[${group}] ${o[1]}`] : [];
  });
};

describe.each([
  ['icehouse', 'old'],
  ['liberty', 'new'],
] as const)('tempest.conf for %s', (release, side) => {
  const tempest = TEMPEST[release]!;
  const conf = tempestConf(keystone(side), tempest, plan.canary.tempestNetwork.name);

  test(`sets only options Tempest ${tempest.tag} has`, () => {
    const known = new Set(fixture(`options-${tempest.tag}.txt`));
    const set = optionsOf(conf);
    expect(set.length).toBeGreaterThan(30);
    expect(set.filter((o) => !known.has(o))).toEqual([]);
  });

  test("talks to the side's own Keystone and the internal endpoints, with no L3, no Cinder, no live migration or resize (cells v1)", () => {
    expect(conf).toContain(`uri = http://${keystone(side).addresses.management}:5000/v2.0/`);
    expect(conf).toMatch(/\[service_available\][^[]*cinder = False/);
    expect(conf).toMatch(/\[auth\][^[]*create_isolated_networks = False/);
    expect(conf).toMatch(/api_extensions = (?![^\n]*router)[^\n]+/);
    expect(conf).toContain('fixed_network_name = tempest-shared');
    expect(conf).toMatch(/\[compute-feature-enabled\]\nresize = False\nlive_migration = False/);
    expect(conf).toContain('admin_password = {{KEYSTONE_ADMIN_PASSWORD}}');
  });

  test(`with an accounts file, Tempest ${tempest.tag} creates no credentials and reads only options it has`, () => {
    const withAccounts = tempestConf(keystone(side), tempest, plan.canary.tempestNetwork.name, '/opt/t/etc/accounts.yaml');
    const known = new Set(fixture(`options-${tempest.tag}.txt`));
    expect(optionsOf(withAccounts).filter((o) => !known.has(o))).toEqual([]);
    const dynamic = release === 'icehouse' ? 'allow_tenant_isolation' : 'use_dynamic_credentials';
    expect(withAccounts).toMatch(new RegExp(`\\[auth\\]\n${dynamic} = False\ntest_accounts_file = /opt/t/etc/accounts.yaml\n`));
    expect(conf).toMatch(new RegExp(`\\[auth\\]\n${dynamic} = True\n`));
    expect(conf).not.toContain('test_accounts_file');
  });
});

describe("Tempest's pre-provisioned accounts (a read-only directory identity)", () => {
  const directory = plan.keystone.directory!;
  const ctx = { plan, options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
  const accounts = parse(tempestAccountsYaml()) as { username: string; tenant_name: string; password: string; types: string[] }[];

  test("are the directory's users, each in a project of its own, enough for every worker (two each, an admin each)", () => {
    expect(accounts).toHaveLength(TEMPEST_ACCOUNTS.length);
    // Each is added to the directory by the seed step (its LDAP part runs against a real slapd in ldap.test.ts).
    const ldap = tempestAccountsStep(ctx, 'seed')!.commands[0];
    for (const a of accounts) expect(ldap).toContain(`dn: uid=${a.username},${directory.usersDn}`);
    expect(new Set(accounts.map((a) => a.tenant_name)).size).toBe(accounts.length);
    const ofType = (type: string) => accounts.filter((a) => a.types.length === 1 && a.types[0] === type).length;
    expect(ofType('operator')).toBeGreaterThanOrEqual(2 * TEMPEST_WORKERS);
    expect(ofType('admin')).toBeGreaterThanOrEqual(TEMPEST_WORKERS);
    expect(ofType('reseller_admin')).toBeGreaterThanOrEqual(1);
    // The password is put in on the toolbox, from the secret the directory seeds these users with.
    expect(new Set(accounts.map((a) => a.password))).toEqual(new Set(['{{LDAP_TEST_PASSWORD}}']));
    for (const a of TEMPEST_DIRECTORY_ACCOUNTS) expect(a.secret).toBe('LDAP_TEST_PASSWORD');
  });

  test('the run writes the file and the conf names it; without a directory, Tempest makes its own credentials', () => {
    const command = tempestStep(ctx, 'verify-rollback', 'old')!.commands[0];
    expect(command).toContain("cat > /opt/tempest-5/src/etc/accounts.yaml <<'ACCOUNTS'");
    expect(command).toContain('test_accounts_file = /opt/tempest-5/src/etc/accounts.yaml');
    expect(command).toContain(`testr run --parallel --concurrency=${TEMPEST_WORKERS}`);
    expect(command).toContain('export OSLO_LOCK_PATH=/opt/tempest-5/locks');
    const sql = { ...plan, keystone: {} };
    const sqlCommand = tempestStep({ ...ctx, plan: sql }, 'verify-rollback', 'old')!.commands[0];
    expect(sqlCommand).not.toContain('accounts.yaml');
    expect(sqlCommand).toContain('allow_tenant_isolation = True');
    expect(tempestAccountsStep({ ...ctx, plan: sql }, 'seed')).toBeUndefined();
    // The identity tests that create users are excluded only where the identity is read-only.
    const directoryOnly = tempestExclusions(TEMPEST_EXCLUDE_DIRECTORY_FILE).map((e) => e.regex);
    expect(planExclusions(plan).map((e) => e.regex)).toEqual(expect.arrayContaining(directoryOnly));
    expect(planExclusions(sql).map((e) => e.regex)).not.toEqual(expect.arrayContaining(directoryOnly));
  });

  /** Runs the seed step against a stand-in `openstack` keeping projects, roles and grants in a JSON file, as Keystone would. */
  function seed(refuse = '') {
    const dir = mkdtempSync(join(tmpdir(), 'tempest-accounts-'));
    const workDir = join(dir, 'work');
    mkdirSync(join(dir, 'bin'));
    mkdirSync(workDir);
    writeFileSync(join(workDir, 'edge.json'), JSON.stringify({ edge: { endpoint: '127.0.0.1' } }));
    const state = join(dir, 'keystone.json');
    writeFileSync(
      state,
      JSON.stringify({
        users: [...directory.accounts, ...TEMPEST_DIRECTORY_ACCOUNTS].map((a) => a.uid),
        roles: ['_member_', 'admin'],
        projects: [],
        grants: [],
      }),
    );
    writeFileSync(
      join(dir, 'bin', 'openstack'),
      [
        '#!/usr/bin/env python3',
        'import json, sys',
        'args = sys.argv[1:]',
        "while args and args[0].startswith('--os-'): args = args[2:]",
        `path = ${JSON.stringify(state)}`,
        's = json.load(open(path))',
        'kind, verb, rest = args[0], args[1], args[2:]',
        "opts = dict(zip([a for a in rest if a.startswith('--')], [rest[i + 1] for i, a in enumerate(rest) if a.startswith('--')]))",
        'name = rest[-1]',
        "if kind in ('role', 'project') and verb == 'show': sys.exit(0 if name in s[kind + 's'] else 'No ' + kind + ' with a name or ID of ' + name)",
        "if kind in ('role', 'project') and verb == 'create':",
        "    if name in s[kind + 's']: sys.exit('Conflict (HTTP 409)')",
        "    s[kind + 's'].append(name)",
        "elif kind == 'role' and verb == 'add':",
        `    if opts['--user'] not in s['users'] or opts['--user'] == ${JSON.stringify(refuse)}: sys.exit('No user with a name or ID of ' + opts['--user'])`,
        "    if opts['--project'] not in s['projects'] or name not in s['roles']: sys.exit('Not found (HTTP 404)')",
        "    g = [opts['--user'], opts['--project'], name]",
        "    s['grants'] += [] if g in s['grants'] else [g]",
        "else: sys.exit('unexpected: ' + ' '.join(args))",
        "json.dump(s, open(path, 'w'))",
      ].join('\n'),
    );
    chmodSync(join(dir, 'bin', 'openstack'), 0o755);
    const step = tempestAccountsStep({ ...ctx, options: { ...ctx.options, workDir } }, 'seed')!;
    // The openstack CLI's part; the directory's runs against a real slapd in ldap.test.ts.
    const runs = () =>
      step.commands.slice(1).map((command) =>
        spawnSync('bash', ['-c', command], {
          cwd: ROOT,
          encoding: 'utf8',
          env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir },
        }),
      );
    return { runs, state: () => JSON.parse(readFileSync(state, 'utf8')) as { projects: string[]; grants: string[][]; roles: string[] } };
  }

  test('the seed gives each account its own project and its roles there, creates the missing Swift roles, and runs again harmlessly', () => {
    const { runs, state } = seed();
    for (const round of [1, 2]) for (const r of runs()) expect([round, r.status, r.stderr]).toEqual([round, 0, '']);
    const keystone = state();
    expect(keystone.roles).toEqual(expect.arrayContaining(['SwiftOperator', 'ResellerAdmin']));
    expect(keystone.projects).toEqual(TEMPEST_ACCOUNTS.map((a) => a.project));
    expect(keystone.grants).toEqual(
      TEMPEST_ACCOUNTS.flatMap((a) => TEMPEST_ACCOUNT_ROLES[a.type].map((role) => [a.user, a.project, role])),
    );
  });

  test('the seed stops with Keystone’s message when an account is not in the directory', () => {
    const { runs } = seed(TEMPEST_ACCOUNTS[3].user);
    const [accounts] = runs();
    expect(accounts.status).toBe(1);
    expect(accounts.stderr).toContain(`No user with a name or ID of ${TEMPEST_ACCOUNTS[3].user}`);
  });
});

describe('exclusions', () => {
  const exclusions = [...tempestExclusions(), ...tempestExclusions(TEMPEST_EXCLUDE_DIRECTORY_FILE)];
  const smoke = { '5': fixture('smoke-5.txt'), '13.0.0': fixture('smoke-13.0.0.txt') };

  test('each has a reason and matches a smoke test of Tempest 5 or 13.0.0', () => {
    expect(exclusions.length).toBeGreaterThan(5);
    for (const e of exclusions) {
      expect(e.reason.length).toBeGreaterThan(5);
      const re = new RegExp(e.regex);
      expect([e.regex, Object.values(smoke).some((ids) => ids.some((id) => re.test(id)))]).toEqual([e.regex, true]);
    }
  });

  test("tag 5's one regex selects exactly the smoke tests no exclusion names (testr applies it with re.search)", () => {
    // Test ids as testr lists them: with their attributes.
    const listed = [...smoke['5'].map((id) => `${id}[id-0,smoke]`), 'tempest.api.compute.servers.test_x.T.test_slow[id-1,slow]'];
    const selection = new RegExp(smokeSelection(exclusions));
    const selected = listed.filter((id) => selection.test(id));
    const excluded = (id: string) => exclusions.some((e) => new RegExp(e.regex).test(id));
    expect(selected).toEqual(listed.filter((id) => id.includes('smoke') && !excluded(id)));
    expect(selected.length).toBeGreaterThan(100);
    expect(selected).toContainEqual(expect.stringMatching(/^tempest\.api\.compute\.flavors\.test_flavors\.\w+\.test_list_flavors\[/));
    expect(selected.some((id) => id.startsWith('tempest.api.network.test_routers.'))).toBe(false);
  });
});

describe('the run and its totals', () => {
  const xml = [
    '<testsuite errors="1" failures="1" name="" tests="5" time="12.3">',
    '<testcase classname="tempest.api.compute.flavors.test_flavors.FlavorsV2TestJSON" name="test_list_flavors[id-e36c0eaa,smoke]" time="0.2"/>',
    '<testcase classname="tempest.api.image.v2.test_images.BasicOperationsImagesTest" name="test_register_upload_get_image_file[id-139b765e,smoke]" time="1.0"></testcase>',
    '<testcase classname="tempest.api.compute.servers.test_server_addresses.ServerAddressesTestJSON" name="test_list_server_addresses[id-6eb718c0,network,smoke]" time="0.5">',
    '<failure type="testtools.testresult.real._StringException">Traceback: addresses missing</failure>',
    '</testcase>',
    '<testcase classname="tempest.api.object_storage.test_container_services.ContainerTest" name="test_create_container[id-92139d73,smoke]" time="0.1"><error type="x">boom</error></testcase>',
    '<testcase classname="tempest.api.network.test_extensions.ExtensionsTestJSON" name="test_list_show_extensions[id-ef28c7e6,smoke]" time="0.0"><skipped>extension not enabled</skipped></testcase>',
    '</testsuite>',
  ].join('\n');

  test('junitTotals counts passed, failed (failure or error) and skipped, naming the failed without attributes', () => {
    expect(junitTotals(xml)).toEqual({
      passed: 2,
      failed: 2,
      skipped: 1,
      failedTests: [
        'tempest.api.compute.servers.test_server_addresses.ServerAddressesTestJSON.test_list_server_addresses',
        'tempest.api.object_storage.test_container_services.ContainerTest.test_create_container',
      ],
    });
  });

  test('the check fails on a failed test and on a run of none, and passes otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempest-'));
    const run = (content: string) => {
      writeFileSync(join(dir, 'junit.xml'), content);
      return spawnSync(
        process.execPath,
        ['-r', './bin/register.js', 'runbook/checks-cli.ts', 'tempest', join(dir, 'junit.xml'), '13.0.0'],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
    };
    const failed = run(xml);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('Tempest 13.0.0: 2 passed, 2 failed, 1 skipped');
    expect(run('<testsuite errors="0" failures="0" name="" tests="0" time="0"></testsuite>').status).toBe(1);
    const passed = run(xml.replace(/<failure[\s\S]*?<\/failure>|<error[\s\S]*?<\/error>/g, ''));
    expect(passed.status).toBe(0);
    expect(passed.stdout).toContain('"check":"tempest","tag":"13.0.0","passed":4,"failed":0,"skipped":1');
  });

  test("a run per verify phase, with the serving side's Tempest; the password only ever on the toolbox", () => {
    const steps = stepsFor('reference');
    expect(steps.filter((s) => s.id.endsWith('.tempest')).map((s) => [s.id, s.title.split(' ')[1]])).toEqual([
      ['verify-upgrade-1.tempest', '13.0.0'],
      ['verify-rollback.tempest', '5'],
      ['verify-upgrade-2.tempest', '13.0.0'],
    ]);
    const ctx = { plan, options: { ...DEFAULT_OPTIONS, logIgnoreFile: 'log-ignore.txt', packageArchives: {} } };
    const command = tempestStep(ctx, 'verify-rollback', 'old')!.commands[0];
    expect(command).toContain('testr run --parallel');
    expect(command).toContain(`. /etc/openstack-staging/secrets.env`);
    expect(command).not.toMatch(/KEYSTONE_ADMIN_PASSWORD=/);
    expect(steps.find((s) => s.id === 'seed.tempest-install')!.commands[0]).toContain('--branch 5 https://opendev.org/openstack/tempest');
  });

  test('the install stops first, saying what to do, where Python sends no TLS server name and no mirror is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempest-install-'));
    // EL 7.1's Python 2.7.5: no ssl.HAS_SNI.
    writeFileSync(join(dir, 'python'), '#!/bin/sh\n[ "$1" = -V ] && { echo "Python 2.7.5" >&2; exit 0; }\nexit 1\n');
    writeFileSync(join(dir, 'yum'), '#!/bin/sh\nexit 0\n');
    for (const tool of ['python', 'yum']) chmodSync(join(dir, tool), 0o755);
    const command = stepsFor('reference').find((s) => s.id === 'seed.tempest-install')!.commands[0];
    const body = command.split('\n').slice(2, -1).join('\n');
    const r = spawnSync('bash', ['-c', `set -euo pipefail\n${body.replaceAll('/root/.pip/pip.conf', join(dir, 'pip.conf'))}`], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Python 2.7.5 sends no TLS server name, which PyPI requires: name a mirror as index-url in');
  });
});
