/**
 * Tempest after every switch (runbook/tempest.ts): the generated tempest.conf sets only
 * options its Tempest release has (the option lists of tempest/config.py at tags 5 and
 * 13.0.0, in fixtures/tempest), every exclusion matches a smoke test of those releases,
 * the one-regex selection of tag 5 keeps exactly the rest, and the JUnit totals count
 * what subunit2junitxml writes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { junitTotals } from '../runbook/checks';
import { smokeSelection, TEMPEST, tempestConf, tempestExclusions, tempestStep } from '../runbook/tempest';
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
});

describe('exclusions', () => {
  const exclusions = tempestExclusions();
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
