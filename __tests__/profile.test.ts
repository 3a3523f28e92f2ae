import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../profile/errors';
import { loadProfile, parseProfile } from '../profile/load';
import { hopProblems } from '../profile/migrations';
import { RELEASES } from '../profile/schema';
import { buildPlan } from '../plan/plan';
import { profileFrom, referenceDoc, target } from './support/shapes';

/** The InputError a varied profile raises, as [field, reason]. */
function rejection(vary: (doc: Record<string, any>) => void): [string, string] {
  const doc = referenceDoc();
  vary(doc);
  try {
    profileFrom(doc);
  } catch (e) {
    if (e instanceof InputError) return [e.field, e.reason];
    throw e;
  }
  throw new Error('the profile was accepted');
}

describe('inconsistent profiles are refused with the field named', () => {
  test.each<[string, (d: Record<string, any>) => void, string, RegExp]>([
    ['replicas above zones', (d) => (d.swift.replicas = 4), 'swift.replicas', /4 replicas need at least 4 zones.*3/],
    ['duplicate cell names', (d) => (d.nova.cells[2].name = 'cell01'), 'nova.cells[2].name', /duplicate cell name 'cell01'/],
    ['a cell named like the API cell', (d) => (d.nova.cells[0].name = 'api'), 'nova.cells[0].name', /duplicate cell name 'api'/],
    ['unknown release', (d) => (d.releases.to = 'zed'), 'releases.to', /Invalid enum value.*'zed'/],
    ['release path skipping kilo', (d) => (d.releases.via = []), 'releases.via', /without 'kilo'.*migrate_flavor_data/],
    ['release path out of order', (d) => (d.releases.via = ['liberty']), 'releases.via[0]', /not between/],
    ['downgrade', (d) => ((d.releases.from = 'liberty'), (d.releases.to = 'icehouse')), 'releases.to', /later release/],
    ['missing controller role', (d) => delete d.controllers.roles.horizon, 'controllers.roles.horizon', /is required/],
    ['unknown field', (d) => (d.swift.partpower = 3), 'swift.partpower', /unknown field: did you mean 'partPower'\?/],
    [
      'a typo of a required field',
      (d) => ((d.swift.minPartHour = 1), delete d.swift.minPartHours),
      'swift.minPartHour',
      /did you mean 'minPartHours'/,
    ],
    ['an unknown field like none known', (d) => (d.swift.colour = 'blue'), 'swift.colour', /unknown field \(known here: .*partPower/],
    ['wrong type', (d) => (d.swift.partPower = 'sixteen'), 'swift.partPower', /Expected number/],
    ['duplicate zone', (d) => (d.swift.regions[0].zones[1].id = 1), 'swift.regions[0].zones[1].id', /duplicate zone id 1/],
    ['flavor shares', (d) => (d.compute.flavors[0].share = 0.9), 'compute.flavors', /add up to 1\.55/],
    ['bad VLAN range', (d) => (d.neutron.physnets[0].vlanRanges = ['3000:10']), 'neutron.physnets[0].vlanRanges[0]', /not a VLAN range/],
    ['unknown OS role', (d) => (d.os.old.swift = 'centos-6.7'), 'os.old.swift', /not a node role/],
    ['no default OS', (d) => delete d.os.new.default, 'os.new', /needs a 'default' entry/],
    ['data above capacity', (d) => (d.swift.storedDataTiB = 400), 'swift.storedDataTiB', /exceeds the ring's raw capacity/],
    [
      'missing log-ignore file',
      (d) => (d.monitoring.logIgnorePatterns = 'nope.txt'),
      'monitoring.logIgnorePatterns',
      /cannot read.*ENOENT/,
    ],
  ])('%s', (_name, vary, field, reason) => {
    const [gotField, gotReason] = rejection(vary);
    expect(gotField).toBe(field);
    expect(gotReason).toMatch(reason);
  });

  test('an ignore pattern that Terraform would read as an interpolation', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'patterns-')), 'ignore.txt');
    writeFileSync(file, '^ok$\nuser ${name} logged in\n');
    expect(rejection((d) => (d.monitoring.logIgnorePatterns = file))).toEqual([
      'monitoring.logIgnorePatterns',
      expect.stringMatching(/line 2 of .*ignore\.txt holds/),
    ]);
  });

  test('malformed YAML names the line', () => {
    expect(() => parseProfile('name: x\n  bad: [', '/tmp/p.yaml')).toThrow(/\/tmp\/p\.yaml: line \d+: not valid YAML/);
  });
});

describe('budgets', () => {
  const profile = loadProfile();

  test('an impossible budget names the cheapest faithful plan', () => {
    expect(() => buildPlan(profile, target('aws', { budgetPerHour: 1 }))).toThrow(
      /budgetPerHour: a budget of 1 USD per hour cannot hold the invariants; the cheapest plan that keeps every invariant has \d+ nodes \(4 compute\) and costs \d+\.\d\d USD per hour/,
    );
  });

  test('a fixed scale above the budget is refused, not silently shrunk', () => {
    expect(() => buildPlan(profile, target('aws', { scale: 1, budgetPerHour: 50 }))).toThrow(
      /budgetPerHour: scale 1 costs \d+\.\d\d USD per hour, above the budget of 50/,
    );
  });

  test('more ring devices per node than the cloud attaches is refused at plan time', () => {
    const doc = referenceDoc();
    doc.swift.devicesPerNode = 24;
    expect(() => buildPlan(profileFrom(doc), target('aws', { scale: 1, budgetPerHour: 100000 }))).toThrow(
      /swift\.devicesPerNode: 24 ring devices per storage node at scale 1; the aws target attaches at most 20 volumes per node/,
    );
  });

  test('a compute override without KVM is refused', () => {
    expect(() => buildPlan(profile, target('aws', { placement: 'instances', instanceTypes: { compute: 'm7i.xlarge' } }))).toThrow(
      /instanceTypes\.compute: 'm7i\.xlarge' gives no KVM/,
    );
  });

  test('sizes pinned per role are refused where the nodes run as KVM guests, naming the placement', () => {
    expect(() => buildPlan(profile, target('aws', { instanceTypes: { compute: 'm5.metal' } }))).toThrow(
      /instanceTypes: pins sizes of compute, but the nodes run as KVM guests sized by role \(compute on centos-7\.1: every size with KVM needs ENA and NVMe drivers, which the centos-7\.1 image lacks\)/,
    );
  });
});

describe('the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'staging-profile-'));
  const bad = join(dir, 'bad.yaml');
  const doc = referenceDoc();
  doc.swift.replicas = 5;
  doc.monitoring.logIgnorePatterns = join(__dirname, '../profile/log-ignore.txt');
  writeFileSync(bad, stringify(doc));
  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['-r', './bin/register.js', script, ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });

  test('plan: one line naming the field, exit 2, no stack trace', () => {
    const result = run('bin/plan.ts', ['--profile', bad]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: ${bad}: swift.replicas: 5 replicas need at least 5 zones (failure domains), the regions hold 3`,
    ]);
    expect(result.stdout).toBe('');
  });

  test('plan --json gives sides, cells, swift, nodes, fidelity and cost', () => {
    const result = run('bin/plan.ts', ['--json']);
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(Object.keys(plan)).toEqual(expect.arrayContaining(['sides', 'cells', 'swift', 'nodes', 'fidelity', 'cost']));
    expect(plan.swift).toMatchObject({ partPower: 16, replicas: 3, minPartHours: 1 });
    expect(plan.nodes[0]).toEqual(
      expect.objectContaining({ name: expect.any(String), role: expect.any(String), side: expect.any(String) }),
    );
    expect(plan.cost).toEqual(expect.objectContaining({ currency: 'USD', perHour: expect.any(Number) }));
  });

  test('synthesis of a bad profile writes nothing', () => {
    const out = join(dir, 'cdktf.out');
    const result = run('main.ts', [], { STAGING_PROFILE: bad, CDKTF_OUTDIR: out });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/swift\.replicas/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  test('every problem of a file at once, one line each, unknown fields first', () => {
    const typo = join(dir, 'typo.yaml');
    const d = referenceDoc();
    d.monitoring.logIgnorePatterns = join(__dirname, '../profile/log-ignore.txt');
    d.swift.minPartHour = d.swift.minPartHours;
    delete d.swift.minPartHours;
    d.swift.partPower = 'sixteen';
    writeFileSync(typo, stringify(d));
    const result = run('bin/plan.ts', ['--profile', typo]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: ${typo}: swift.minPartHour: unknown field: did you mean 'minPartHours'?`,
      `error: ${typo}: swift.partPower: Expected number, received string`,
      `error: ${typo}: swift.minPartHours: is required (number)`,
    ]);
  });

  test('a target config of another cloud than --target is refused, naming both', () => {
    const result = run('bin/plan.ts', ['--target', 'openstack', '--target-config', 'targets/aws/target.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/target\.yaml: cloud: is 'aws', but --target asks for 'openstack'/);
  });

  test('a closed pipe ends the command quietly', () => {
    const result = spawnSync('sh', ['-c', 'node -r ./bin/register.js bin/plan.ts --json | head -c 10 >/dev/null'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('an unknown target is refused', () => {
    const result = run('bin/plan.ts', ['--target', 'gcp']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--target: target: 'gcp' is not a target; use one of aws, openstack/);
  });
});

describe('release hops, from the projects’ own migration repositories (profile/migrations.ts)', () => {
  test('every consecutive hop and the reference path are possible', () => {
    for (let i = 1; i < RELEASES.length; i++)
      expect([RELEASES[i - 1], hopProblems(RELEASES[i - 1], RELEASES[i])]).toEqual([RELEASES[i - 1], []]);
    expect([hopProblems('icehouse', 'kilo'), hopProblems('kilo', 'liberty')]).toEqual([[], []]);
  });

  test('a hop over a compacted repository is not, naming the project and the file it starts at', () => {
    expect(hopProblems('icehouse', 'liberty')).toEqual([
      "neutron's liberty migrations cannot upgrade icehouse's schema: they start at neutron/db/migration/alembic_migrations/versions/juno_initial.py",
    ]);
    expect(hopProblems('juno', 'mitaka').map((p) => p.split("'")[0])).toEqual(['keystone', 'neutron']);
  });
});
