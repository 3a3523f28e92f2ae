/**
 * A corpus of malformed and inconsistent profiles and target configs. Each is refused
 * with the file, the field and the reason; through the command line (plan, the cdktf
 * app, assets, rehearse, report) with exit code 2, no stack trace and nothing written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { InputError } from '../profile/errors';
import { loadProfile } from '../profile/load';
import { buildPlan } from '../plan/plan';
import { defaultTargetFile, loadTarget } from '../targets/config';
import { profileFrom, referenceDoc } from './support/shapes';

jest.setTimeout(120_000);

type Doc = Record<string, any>;
type Case = [name: string, vary: (doc: Doc) => void, field: string | RegExp, reason: RegExp];

const ROOT = join(__dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'staging-bad-input-'));

/** The InputError of a varied document, as [file, field, reason]. */
function refusal(load: () => unknown): [string, string, string] {
  try {
    load();
  } catch (e) {
    if (e instanceof InputError) return [e.source, e.field, e.reason];
    throw e;
  }
  throw new Error('accepted');
}

const PROFILE_CASES: Case[] = [
  ['a name with spaces', (d) => (d.name = 'My Cloud'), 'name', /lower-case letters/],
  ['a name with a shell character', (d) => (d.name = 'cloud;rm'), 'name', /lower-case letters/],
  ['a name too long for host names', (d) => (d.name = 'a'.repeat(40)), 'name', /max 31/],
  ['a missing section', (d) => delete d.swift, 'swift', /is required/],
  ['a section of the wrong type', (d) => (d.swift = 'lots'), 'swift', /Expected object/],
  ['an unknown top-level field', (d) => (d.sweft = {}), 'sweft', /did you mean 'swift'/],
  ['an unknown release', (d) => (d.releases.from = 'folsom'), 'releases.from', /Invalid enum value/],
  [
    'a release without packages',
    (d) => (d.releases.from = 'juno'),
    'packageArchives.juno',
    /is required: the release path juno -> kilo -> liberty/,
  ],
  ['a release path ending past the archives', (d) => (d.releases.to = 'mitaka'), 'packageArchives.mitaka', /installs mitaka packages/],
  [
    'a new side on a release without checked Puppet modules',
    (d) => ((d.releases.to = 'kilo'), (d.releases.via = [])),
    'releases.to',
    /kilo nodes cannot be built: the role manifests are checked against the Puppet modules of icehouse and liberty only/,
  ],
  ['a release path skipping kilo', (d) => (d.releases.via = []), 'releases.via', /without 'kilo'/],
  [
    "a hop keystone's migrations cannot take",
    (d) => ((d.releases.from = 'havana'), (d.releases.via = []), (d.releases.to = 'kilo')),
    'releases.via',
    /havana -> kilo is not a hop the databases can take: keystone's kilo migrations cannot upgrade havana's schema: they start at keystone\/common\/sql\/migrate_repo\/versions\/044_icehouse\.py; add one of 'icehouse', 'juno'/,
  ],
  [
    'a release path going backwards',
    (d) => ((d.releases.from = 'liberty'), (d.releases.to = 'icehouse'), (d.releases.via = [])),
    'releases.to',
    /later release/,
  ],
  ['an unknown OS', (d) => (d.os.old.default = 'windows-2012'), 'os.old.default', /must be an EL release/],
  [
    'EL6 compute nodes upgraded in place to Liberty',
    (d) => (d.os.old.compute = 'centos-6.7'),
    'os.old.compute',
    /centos-6\.7 cannot run liberty: RDO builds liberty for EL7 only, and compute nodes are upgraded in place to liberty/,
  ],
  [
    "EL6 database nodes on the old side (Packstack's EL6 mysqld is not modelled)",
    (d) => (d.os.old['cell-database'] = 'centos-6.7'),
    'os.old.cell-database',
    /centos-6\.7 would run the cell-database nodes, whose manifest installs EL7's MariaDB/,
  ],
  [
    'an EL6 node on the new side',
    (d) => (d.os.new['swift-storage'] = 'centos-6.7'),
    'os.new.swift-storage',
    /cannot run liberty: RDO builds liberty for EL7 only/,
  ],
  [
    'an OS the CentOS vault does not keep, with no archive named',
    (d) => (d.os.new.default = 'rhel-7.2'),
    'osArchives.rhel-7.2',
    /is required: the plan runs rhel-7.2, which the CentOS vault does not keep/,
  ],
  ['an OS name unsafe in a file name', (d) => (d.os.new.default = '../centos-7.2'), 'os.new.default', /must be an EL release/],
  ['an OS for an unknown role', (d) => (d.os.new.nova = 'centos-7.2'), 'os.new.nova', /not a node role/],
  ['an unknown installer', (d) => (d.installer.kind = 'chef-solo'), 'installer.kind', /Invalid enum value/],
  [
    'a controller count of zero',
    (d) => (d.controllers.roles.keystone.count = 0),
    'controllers.roles.keystone.count',
    /greater than or equal to 1/,
  ],
  ['a negative vCPU count', (d) => (d.controllers.roles.glance.vcpus = -4), 'controllers.roles.glance.vcpus', /greater than or equal to 1/],
  ['a fractional count', (d) => (d.controllers.roles.horizon.count = 1.5), 'controllers.roles.horizon.count', /integer/],
  [
    'an absurd memory size',
    (d) => (d.controllers.roles.database.memoryGiB = 1e9),
    'controllers.roles.database.memoryGiB',
    /less than or equal to 12288/,
  ],
  ['no cells', (d) => (d.nova.cells = []), 'nova.cells', /at least 1/],
  ['duplicate cells', (d) => (d.nova.cells[1].name = 'cell01'), 'nova.cells[1].name', /duplicate cell name/],
  ['a cell named like the API cell', (d) => (d.nova.cells[0].name = 'api'), 'nova.cells[0].name', /duplicate cell name 'api'/],
  ['a cell name unsafe in host names', (d) => (d.nova.cells[0].name = 'cell_01'), 'nova.cells[0].name', /lower-case letters/],
  ['a cell with no compute hosts', (d) => (d.nova.cells[0].computeHosts = 0), 'nova.cells[0].computeHosts', /greater than or equal to 1/],
  ['more replicas than zones', (d) => (d.swift.replicas = 4), 'swift.replicas', /4 replicas need at least 4 zones/],
  ['a part power out of range', (d) => (d.swift.partPower = 40), 'swift.partPower', /less than or equal to 32/],
  ['a negative min_part_hours', (d) => (d.swift.minPartHours = -1), 'swift.minPartHours', /greater than or equal to 0/],
  ['duplicate Swift zones', (d) => (d.swift.regions[0].zones[1].id = 1), 'swift.regions[0].zones[1].id', /duplicate zone id/],
  ['duplicate Swift regions', (d) => d.swift.regions.push({ ...d.swift.regions[0] }), 'swift.regions[1].id', /duplicate region id/],
  ['a zone with no nodes', (d) => (d.swift.regions[0].zones[0].nodes = 0), 'swift.regions[0].zones[0].nodes', /greater than or equal to 1/],
  ['more data than the ring holds', (d) => (d.swift.storedDataTiB = 400), 'swift.storedDataTiB', /exceeds the ring's raw capacity/],
  [
    'a reversed VLAN range',
    (d) => (d.neutron.physnets[0].vlanRanges = ['2999:1000']),
    'neutron.physnets[0].vlanRanges[0]',
    /not a VLAN range|reversed|before/,
  ],
  [
    'a VLAN id out of range',
    (d) => (d.neutron.physnets[0].vlanRanges = ['1000:5000']),
    'neutron.physnets[0].vlanRanges[0]',
    /4094|not a VLAN range/,
  ],
  [
    'a VLAN range that is not one',
    (d) => (d.neutron.physnets[0].vlanRanges = ['lots']),
    'neutron.physnets[0].vlanRanges[0]',
    /must be first:last/,
  ],
  ['flavor shares not adding up', (d) => (d.compute.flavors[0].share = 0.9), 'compute.flavors', /add up to/],
  [
    'a flavor name unsafe in a shell command',
    (d) => (d.compute.flavors[0].name = 'm1.small; reboot'),
    'compute.flavors[0].name',
    /must be letters, digits/,
  ],
  ['an unreadable log-ignore file', (d) => (d.monitoring.logIgnorePatterns = 'nope.txt'), 'monitoring.logIgnorePatterns', /cannot read/],
  ['a string where a number goes', (d) => (d.compute.vms = 'many'), 'compute.vms', /Expected number/],
];

const TARGET_CASES: Case[] = [
  ['an unknown cloud', (d) => (d.cloud = 'gcp'), 'cloud', /Invalid discriminator/],
  ['an unknown field', (d) => (d.budgetPerHuor = 5), 'budgetPerHuor', /did you mean 'budgetPerHour'/],
  ['a CIDR with a prefix past 32', (d) => (d.adminCidrs = ['203.0.113.0/99']), 'adminCidrs[0]', /prefix length is above 32/],
  ['a CIDR with an octet past 255', (d) => (d.adminCidrs = ['203.0.300.0/24']), 'adminCidrs[0]', /above 255/],
  ['a CIDR with host bits set', (d) => (d.networkCidr = '10.42.1.0/16'), 'networkCidr', /bits are set past the \/16/],
  ['a CIDR that is not one', (d) => (d.networkCidr = 'my-network'), 'networkCidr', /must be an IPv4 CIDR/],
  ['the whole internet as admin', (d) => (d.adminCidrs = ['0.0.0.0/0']), 'adminCidrs[0]', /allowWideAdminCidrs/],
  ['an admin range wider than a /16', (d) => (d.adminCidrs = ['198.50.0.0/15']), 'adminCidrs[0]', /more than a \/16/],
  ['no admin range', (d) => (d.adminCidrs = []), 'adminCidrs', /at least 1/],
  ['a network too small for its subnets', (d) => (d.networkCidr = '10.42.0.0/24'), 'networkCidr', /too small/],
  ['a budget too small', (d) => (d.budgetPerHour = 1), 'budgetPerHour', /cannot hold the invariants/],
  ['a region without prices', (d) => (d.region = 'eu-west-1'), 'region', /'eu-west-1' has no prices in targets\/aws\/catalog\.ts/],
  ['a negative budget', (d) => (d.budgetPerHour = -5), 'budgetPerHour', /greater than 0/],
  ['a scale above one', (d) => (d.scale = 2), 'scale', /./],
  ['an unknown side', (d) => (d.activeSide = 'blue'), 'activeSide', /Invalid enum value/],
  ['no availability zone', (d) => (d.availabilityZones = []), 'availabilityZones', /at least 1/],
  ['an archive that is not a URL', (d) => (d.packageArchives.kilo = 'not a url'), 'packageArchives.kilo', /Invalid url/],
  ['an instance type for an unknown role', (d) => (d.instanceTypes = { nova: 'm7i.large' }), /instanceTypes/, /Invalid enum value|unknown/],
  [
    'an instance type not in the catalog',
    (d) => Object.assign(d, { placement: 'instances', instanceTypes: { keystone: 'x9.huge' } }),
    'instanceTypes.keystone',
    /not in the catalog/,
  ],
  [
    'a kernel driver that does not exist',
    (d) => (d.imageDrivers = { 'centos-7.1': ['e1000'] }),
    'imageDrivers.centos-7.1[0]',
    /Invalid enum value/,
  ],
  [
    'stock EL 7.1 compute nodes on instances',
    (d) => (d.placement = 'instances'),
    'placement',
    /compute node compute-cell01-1 runs centos-7\.1: every size with KVM needs ENA and NVMe drivers/,
  ],
  [
    'compute without KVM',
    (d) => Object.assign(d, { placement: 'instances', instanceTypes: { compute: 'm7i.xlarge' } }),
    'instanceTypes.compute',
    /gives no KVM/,
  ],
  [
    'sizes pinned per role where the nodes are KVM guests',
    (d) => (d.instanceTypes = { keystone: 'm7i.large' }),
    'instanceTypes',
    /the nodes run as KVM guests sized by role/,
  ],
  [
    'a guest OS without its base image',
    (d) => delete d.hypervisors.guestImages['centos-7.1'],
    'hypervisors.guestImages.centos-7.1',
    /names no qcow2 base image/,
  ],
  ['an unknown placement', (d) => (d.placement = 'containers'), 'placement', /auto|instances|hypervisors/],
  ['a CPU overcommit below 1', (d) => (d.hypervisors.cpuOvercommit = 0.5), 'hypervisors.cpuOvercommit', /greater than or equal to 1/],
  ['an emulator with no endpoint', (d) => (d.emulator = 'moto'), 'emulator', /no endpoint/],
  ['a tiny Swift device', (d) => (d.swiftDeviceSizeGiB = 0), 'swiftDeviceSizeGiB', /greater than or equal to 1/],
];

const targetDoc = (): Doc => parse(readFileSync(defaultTargetFile('aws'), 'utf8'));
let written = 0;
const writeDoc = (doc: Doc): string => {
  const file = join(dir, `input-${++written}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
};

test('the corpus holds at least 40 inputs', () => {
  expect(PROFILE_CASES.length + TARGET_CASES.length).toBeGreaterThanOrEqual(40);
});

describe('profiles', () => {
  test.each(PROFILE_CASES)('%s', (_name, vary, field, reason) => {
    const doc = referenceDoc();
    vary(doc);
    const [, gotField, gotReason] = refusal(() => buildPlan(profileFrom(doc), loadTarget(defaultTargetFile('aws'))));
    if (typeof field === 'string') expect(gotField).toBe(field);
    else expect(gotField).toMatch(field);
    expect(gotReason).toMatch(reason);
  });
});

describe('target configs', () => {
  const profile = loadProfile();
  test.each(TARGET_CASES)('%s', (_name, vary, field, reason) => {
    const doc = targetDoc();
    vary(doc);
    const file = writeDoc(doc);
    const [source, gotField, gotReason] = refusal(() => buildPlan(profile, loadTarget(file)));
    expect(source).toBe(file);
    if (typeof field === 'string') expect(gotField).toBe(field);
    else expect(gotField).toMatch(field);
    expect(gotReason).toMatch(reason);
  });

  test('a wide admin range is taken when the config says so', () => {
    const doc = targetDoc();
    doc.adminCidrs = ['0.0.0.0/0'];
    doc.allowWideAdminCidrs = true;
    expect(loadTarget(writeDoc(doc)).adminCidrs).toEqual(['0.0.0.0/0']);
  });
});

describe('through every command', () => {
  const badProfile = (() => {
    const doc = referenceDoc();
    doc.monitoring.logIgnorePatterns = join(ROOT, 'profile/log-ignore.txt');
    doc.swift.replicas = 4;
    return writeDoc(doc);
  })();
  const badTarget = (() => {
    const doc = targetDoc();
    doc.adminCidrs = ['203.0.113.0/99'];
    return writeDoc(doc);
  })();
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['-r', './bin/register.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });

  test.each<[string, string[]]>([
    ['npm run plan', ['bin/plan.ts']],
    ['the cdktf app (npm run synth)', ['main.ts']],
    ['npm run assets', ['bin/assets.ts', '--out', join(dir, 'assets-out')]],
    ['npm run rehearse', ['bin/rehearse.ts']],
    ['npm run report', ['bin/report.ts', '--out', join(dir, 'report-out')]],
  ])('%s: exit 2, the file, field and reason, nothing written', (_name, args) => {
    for (const [env, file, field] of [
      [{ STAGING_PROFILE: badProfile }, badProfile, 'swift.replicas'],
      [{ STAGING_TARGET_CONFIG: badTarget }, badTarget, 'adminCidrs[0]'],
    ] as const) {
      const out = join(dir, `cdktf-out-${++written}`);
      const result = run(args, { ...env, CDKTF_OUTDIR: out });
      expect([args[0], result.status]).toEqual([args[0], 2]);
      expect(result.stderr).toContain(`error: ${file}: ${field}: `);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      expect(existsSync(join(dir, 'assets-out'))).toBe(false);
      expect(existsSync(join(dir, 'report-out'))).toBe(false);
    }
  });

  test('npx cdktf synth: exit 2, the file, field and reason, cdktf.out left as it was', () => {
    const out = join(dir, `cdktf-out-${++written}`);
    mkdirSync(join(out, 'stacks'), { recursive: true });
    writeFileSync(join(out, 'stacks', 'earlier.json'), '{}\n');
    for (const [env, file, field] of [
      [{ STAGING_PROFILE: badProfile }, badProfile, 'swift.replicas'],
      [{ STAGING_TARGET_CONFIG: badTarget }, badTarget, 'adminCidrs[0]'],
    ] as const) {
      const result = spawnSync('npx', ['cdktf', 'synth', '--output', out], {
        cwd: ROOT,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', ...env },
        encoding: 'utf8',
      });
      expect([field, result.status]).toEqual([field, 2]);
      expect(result.stdout + result.stderr).toContain(`error: ${file}: ${field}: `);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(out, { recursive: true }).sort()).toEqual(['stacks', join('stacks', 'earlier.json')]);
    }
  });
});
