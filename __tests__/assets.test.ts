/**
 * The rendered assets as data: what each node's user data says (repositories,
 * disks, Nova cells settings, the Puppet hand-off), that no secret and no
 * Terraform interpolation is in any of them, the user-data size limit and its
 * bucket fallback, determinism, and the `assets` command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { cloudConfig, userData, type UserDataOptions } from '../assets/cloud-init';
import { devicePathsFrom, type DevicePath } from '../assets/devices';
import { HANDOFF_SCRIPT } from '../assets/handoff';
import { assetOptionsFor } from '../assets/options';
import { renderAssets } from '../assets/render';
import { PLACEHOLDER, RUNBOOK_SECRETS, SECRET_NAMES } from '../assets/secrets';
import { TERRAFORM_TEMPLATE } from '../assets/shell';
import { fitsUserDataLimit, userDataBytes, userDataParts } from '../assets/user-data-limit';
import { AWS_USER_DATA_LIMIT } from '../targets/aws/facts';
import { buildPlan } from '../plan/plan';
import { loadProfile } from '../profile/load';
import { target } from './support/shapes';
import { InputError } from '../profile/errors';
import type { NodePlan, StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import { PROFILE_NAMES, rendered, ROOT, run, TWO_REGIONS_PROFILE, writeTree, type Rendered } from './fixtures/assets';
import { secretLiterals } from './support/secrets';

/** The bootcmd entry that formats and mounts a node's volumes. */
const diskScript = (d: any): string => (d.bootcmd as string[][]).map((c) => c[2]).find((c) => c.includes('mkfs.xfs'))!;
/** The fstab lines that script adds (one `vol DEVICE LABEL MOUNT-POINT OPTIONS` call per volume), as fields. */
const fstabOf = (d: any): string[][] =>
  [...diskScript(d).matchAll(/^vol (\S+) \S+ (\S+) (\S+) /gm)].map((m) => [m[1], m[2], 'xfs', m[3], '0', '2']);

jest.setTimeout(30_000);

const ref = rendered('reference');
const two = rendered('two-regions');

const doc = (r: Rendered, node: string): any => parse(r.assets.find((a) => a.path === `nodes/${node}.cloud-init.yaml`)!.content);
const fileIn = (d: any, path: string): string => {
  const file = (d.write_files ?? []).find((f: any) => f.path === path);
  if (!file) throw new Error(`no ${path} in the user data`);
  return file.content;
};
const nodeOf = (plan: StagingPlan, pick: (n: NodePlan) => boolean): NodePlan => {
  const node = plan.nodes.find(pick);
  if (!node) throw new Error('no such node in the plan');
  return node;
};
const ipOf = (plan: StagingPlan, name: string, network: 'management' | 'storage' = 'management') =>
  plan.nodes.find((n) => n.name === name)!.addresses[network]!;
const cell = (plan: StagingPlan, name: string) => plan.cells.find((c) => c.name === name)!;

describe('user data per node', () => {
  test.each(PROFILE_NAMES)('%s: one cloud-config per node, named after it', (name) => {
    const r = rendered(name);
    for (const node of r.plan.nodes) {
      const text = r.assets.find((a) => a.path === `nodes/${node.name}.cloud-init.yaml`)!.content;
      expect(text.split('\n')[0]).toBe('#cloud-config');
      const d = parse(text);
      expect([d.hostname, d.fqdn]).toEqual([node.name, `${node.name}.${r.plan.rehearsalId}.internal`]);
      expect(d.package_upgrade).toBe(false);
    }
  });

  test("each node installs from its release's archive; the toolbox also carries the migration's releases, disabled", () => {
    const oldKeystone = doc(ref, 'old-keystone-1');
    expect(oldKeystone.yum_repos).toEqual({
      'openstack-icehouse': expect.objectContaining({ baseurl: `${ref.target.packageArchives.icehouse}epel-7/`, enabled: true }),
    });
    const swift6 = doc(ref, 'old-swift-r1z1-1');
    expect(swift6.yum_repos['openstack-icehouse'].baseurl).toBe(`${ref.target.packageArchives.icehouse}epel-6/`);
    expect(doc(ref, 'new-keystone-1').yum_repos).toEqual({
      'openstack-liberty': expect.objectContaining({ baseurl: `${ref.target.packageArchives.liberty}el7/`, enabled: true }),
    });
    const toolbox = doc(ref, 'migration-toolbox').yum_repos;
    expect(Object.keys(toolbox)).toEqual(['openstack-icehouse', 'openstack-kilo', 'openstack-liberty']);
    expect(Object.values(toolbox).map((r: any) => r.enabled)).toEqual([true, false, false]);
    expect(toolbox['openstack-kilo'].baseurl).toBe(`${ref.target.packageArchives.kilo}el7/`);
  });

  test('a release without an archive is refused, naming the target field', () => {
    const node = nodeOf(ref.plan, (n) => n.side === 'new');
    const { liberty: _dropped, ...archives } = ref.target.packageArchives;
    expect(() => userData(ref.plan, node, { ...ref.options, packageArchives: archives })).toThrow(InputError);
    expect(() => userData(ref.plan, node, { ...ref.options, packageArchives: archives })).toThrow(/packageArchives\.liberty: is required/);
  });

  test.each(PROFILE_NAMES)(
    '%s: every Swift device is formatted XFS and mounted under /srv/node/<device>, by the stable path the target gives',
    (name) => {
      const r = rendered(name);
      const table: DevicePath = (node, volume, index) => `/dev/disk/by-id/test-${node.name}-${index}-${volume.name}`;
      for (const node of r.plan.nodes.filter((n) => n.role === 'swift-storage')) {
        const d = cloudConfig(r.plan, node, { ...r.options, devicePath: table }).doc as any;
        const devices = node.volumes.map((v, i) => ({ path: `/dev/disk/by-id/test-${node.name}-${i}-${v.name}`, name: v.name }));
        expect(devices.length).toBe(r.plan.swift.devicesPerNode);
        // Formatted by the node itself: EL's cloud-init 0.7.5 runs no disk_setup.
        expect([d.fs_setup, d.disk_setup, d.mounts]).toEqual([undefined, undefined, undefined]);
        const script = diskScript(d);
        for (const v of devices)
          expect(script).toContain(`\nvol ${v.path} ${v.name} /srv/node/${v.name} noatime,nodiratime,logbufs=8,nofail '-i size=512'`);
        expect(fstabOf(d)).toEqual(
          devices.map((v) => [v.path, `/srv/node/${v.name}`, 'xfs', 'noatime,nodiratime,logbufs=8,nofail', '0', '2']),
        );
        expect(fileIn(d, HANDOFF_SCRIPT)).toContain(`check_mounts ${devices.map((v) => `/srv/node/${v.name}`).join(' ')}`);
      }
    },
  );

  test("KVM guests see their volumes as virtio disks named by the volume's serial", () => {
    expect(ref.plan.placement.kind).toBe('hypervisors');
    expect(fstabOf(doc(ref, 'old-swift-r1z1-1')).map((line) => line[0])).toEqual(['virtio:d1:vdb', 'virtio:d2:vdc']);
  });

  test("on AWS instances the review paths are the devices of the node's type; stacks pass the real ones in volume order", () => {
    const plan = buildPlan(loadProfile(), target('aws', { placement: 'instances' }));
    const options = assetOptionsFor(plan, target('aws', { placement: 'instances' }));
    // Stock EL 6.7 on a Xen type: its disks by their Xen device numbers (/dev/sdf, /dev/sdg: 8:80 or 202:80, 8:96 or 202:96).
    const swift = nodeOf(plan, (n) => n.name === 'old-swift-r1z1-1');
    expect([swift.os, swift.size.offer]).toEqual(['centos-6.7', 'm4.large']);
    expect(fstabOf(cloudConfig(plan, swift, options).doc).map((line) => line[0])).toEqual([
      'xen:vbd-2128:vbd-51792',
      'xen:vbd-2144:vbd-51808',
    ]);
    // A Nitro-ready EL 7.1 image on a Nitro type: by the volume's id.
    const database = nodeOf(plan, (n) => n.name === 'old-database-1');
    expect(database.size.offer).toMatch(/^[cmr]7i\./);
    expect(fstabOf(cloudConfig(plan, database, options).doc)[0][0]).toBe(
      '/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_ID-OF-old-database-1-sdb',
    );
    const node = nodeOf(plan, (n) => n.role === 'cell-database');
    const d = cloudConfig(plan, node, {
      ...options,
      devicePath: devicePathsFrom(['/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc']),
    }).doc as any;
    expect(fstabOf(d)).toEqual([
      ['/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc', '/var/lib/mysql', 'xfs', 'noatime,nofail', '0', '2'],
    ]);
    expect(() => cloudConfig(plan, node, { ...options, devicePath: devicePathsFrom([]) })).toThrow(/no device path for volume sdb/);
  });

  test("nova-api nodes are in the API cell with their side's API database and broker", () => {
    for (const side of ['old', 'new'] as const) {
      const api = ref.plan.cells.find((c) => c.type === 'api')!;
      const conf = fileIn(doc(ref, `${side}-nova-api-1`), '/etc/nova/nova.conf.d/cells.conf');
      expect(conf).toContain(`[cells]\nenable = True\nname = ${api.name}\ncell_type = api`);
      expect(conf).toContain(`connection = mysql://nova:{{NOVA_DB_PASSWORD}}@${ipOf(ref.plan, api.database[side][0])}/nova`);
      expect(conf).toContain(`rabbit_hosts = ${ipOf(ref.plan, api.rabbitmq[side][0])}:5672`);
      // Kilo moved the broker settings out of [DEFAULT].
      expect(conf).toContain(side === 'old' ? '[DEFAULT]\nrabbit_hosts' : '[oslo_messaging_rabbit]\nrabbit_hosts');
    }
  });

  test.each(PROFILE_NAMES)("%s: cell services use their own cell's database and broker on their side", (name) => {
    const r = rendered(name);
    for (const node of r.plan.nodes.filter((n) => n.role === 'cell-services')) {
      const c = cell(r.plan, node.cell!);
      const side = node.side as 'old' | 'new';
      const conf = fileIn(doc(r, node.name), '/etc/nova/nova.conf.d/cells.conf');
      expect(conf).toContain(`name = ${c.name}\ncell_type = compute`);
      expect(conf).toContain(`@${ipOf(r.plan, c.database[side][0])}/nova`);
      expect(conf).toContain(`rabbit_hosts = ${c.rabbitmq[side].map((mq) => `${ipOf(r.plan, mq)}:5672`).join(',')}`);
      expect(fileIn(doc(r, node.name), HANDOFF_SCRIPT)).toContain('merge_ini /etc/nova/nova.conf /etc/nova/nova.conf.d/cells.conf');
    }
  });

  test("compute nodes start on the old side's cell database and broker, with the planned virt_type", () => {
    for (const node of ref.plan.nodes.filter((n) => n.role === 'compute')) {
      const c = cell(ref.plan, node.cell!);
      const d = doc(ref, node.name);
      const conf = fileIn(d, '/etc/nova/nova.conf.d/cells.conf');
      expect(conf).toContain(`name = ${c.name}\ncell_type = compute`);
      expect(conf).toContain(`@${ipOf(ref.plan, c.database.old[0])}/nova`);
      expect(conf).not.toContain(`@${ipOf(ref.plan, c.database.new[0])}/nova`);
      expect(fileIn(d, '/etc/nova/nova.conf.d/libvirt.conf')).toContain('[libvirt]\nvirt_type = kvm');
      expect(fileIn(d, HANDOFF_SCRIPT)).toContain(
        'merge_ini /etc/nova/nova.conf /etc/nova/nova.conf.d/cells.conf /etc/nova/nova.conf.d/libvirt.conf',
      );
    }
    const compute = nodeOf(ref.plan, (n) => n.role === 'compute');
    const { hypervisor: _none, ...withoutKvm } = compute;
    expect(() => userData(ref.plan, withoutKvm as NodePlan, ref.options)).toThrow(/virt_type=qemu/);
  });

  test('roles without Nova carry no nova.conf fragment', () => {
    for (const name of ['old-keystone-1', 'old-swift-r1z1-1', 'old-cell01-db-1', 'migration-toolbox', 'monitoring']) {
      expect((doc(ref, name).write_files ?? []).filter((f: any) => f.path.startsWith('/etc/nova/'))).toEqual([]);
    }
  });

  test("the role manifest names this host for its role and its side's endpoints for the rest", () => {
    const manifest = '/etc/openstack-staging/site.pp';
    const oldCellDb = fileIn(doc(ref, 'old-cell02-db-1'), manifest);
    expect(oldCellDb).toContain(`'bind_address' => '${ipOf(ref.plan, 'old-cell02-db-1')}'`);
    expect(oldCellDb).toContain("class { '::nova::db::mysql':");
    expect(oldCellDb).not.toContain('keystone');
    const newServices = fileIn(doc(ref, 'new-cell01-services-1'), manifest);
    expect(newServices).toContain(`@${ipOf(ref.plan, 'new-cell01-db-1')}/nova'`);
    expect(newServices).toContain(`'${ipOf(ref.plan, 'new-cell01-mq-1')}:5672'`);
    const storage = fileIn(doc(two, 'old-swift-r2z1-1'), manifest);
    expect(storage).toContain(`storage_local_net_ip => '${ipOf(two.plan, 'old-swift-r2z1-1', 'storage')}'`);
    for (const name of ['migration-toolbox', 'monitoring'])
      expect(JSON.stringify(doc(ref, name).runcmd)).not.toContain('staging-configure');
  });

  test('the monitoring node receives every log with production ignore list; every other node ships to it', () => {
    const monitoring = doc(ref, 'monitoring');
    const list = fileIn(monitoring, '/etc/openstack-staging/log-ignore.txt');
    for (const pattern of ref.profile.logIgnorePatterns) expect(list.split('\n')).toContain(pattern);
    expect(fileIn(monitoring, '/etc/rsyslog.d/10-staging-receive.conf')).toContain('$InputTCPServerRun 514');
    expect(fileIn(monitoring, '/usr/local/sbin/staging-log-check')).toContain('pattern matched nothing');
    const address = ipOf(ref.plan, 'monitoring');
    for (const name of ['old-keystone-1', 'new-cell03-db-1', 'compute-cell04-1', 'migration-toolbox']) {
      expect(fileIn(doc(ref, name), '/etc/rsyslog.d/90-staging-forward.conf')).toContain(`*.* @@${address}:514`);
    }
  });

  test('the migration toolbox has the database client and a dummy broker it does not start at boot', () => {
    const toolbox = doc(ref, 'migration-toolbox');
    expect(toolbox.packages).toEqual(expect.arrayContaining(['mariadb', 'rabbitmq-server']));
    expect(fileIn(toolbox, '/usr/local/sbin/staging-dummy-rabbit')).toContain('systemctl start rabbitmq-server');
    expect(JSON.stringify(toolbox.runcmd)).toContain('systemctl disable rabbitmq-server');
  });
});

describe('secrets', () => {
  test('no asset of either profile holds a secret-looking literal', () => {
    for (const name of PROFILE_NAMES) {
      for (const a of rendered(name).assets) expect([a.path, secretLiterals(a.content)]).toEqual([a.path, []]);
    }
  });

  test('the scan finds literals (it can fail)', () => {
    expect(secretLiterals('CONFIG_NOVA_DB_PW=hunter2')).toEqual(['_PW=hunter2']);
    expect(secretLiterals('connection = mysql://nova:s3cret@10.0.0.1/nova')).toHaveLength(1);
    expect(secretLiterals('rabbit_password = guest')).toHaveLength(1);
    expect(
      secretLiterals('CONFIG_NOVA_DB_PW={{NOVA_DB_PASSWORD}} mysql://nova:{{NOVA_DB_PASSWORD}}@10.0.0.1/nova --password="$p"'),
    ).toEqual([]);
  });

  test('every placeholder names a known secret, and secrets are fetched at boot on AWS', () => {
    for (const name of PROFILE_NAMES) {
      const r = rendered(name);
      const used = new Set(r.assets.flatMap((a) => a.content.match(PLACEHOLDER) ?? []));
      expect([...used].filter((p) => !(SECRET_NAMES as readonly string[]).includes(p.slice(2, -2)))).toEqual([]);
      // The runbook's own secrets are in no asset, but the directory stand-in's seed, which holds the canary user.
      const expected = SECRET_NAMES.filter((n) => r.plan.keystone.directory !== undefined || !RUNBOOK_SECRETS.includes(n));
      expect([...used].sort()).toEqual(expected.map((n) => `{{${n}}}`).sort());
    }
    expect(fileIn(doc(ref, 'old-keystone-1'), HANDOFF_SCRIPT)).toContain(
      `aws ssm get-parameter --region ${ref.plan.region} --with-decryption --name /openstack-staging/${ref.plan.rehearsalId}/secrets`,
    );
  });

  test('the boot-time fill replaces every placeholder, and refuses bad values and leftovers', () => {
    const script = fileIn(doc(ref, 'old-cell01-services-1'), HANDOFF_SCRIPT);
    const fn = (name: string) => new RegExp(`^${name}\\(\\) \\{\\n[\\s\\S]*?^\\}\\n`, 'm').exec(script)![0];
    const dir = mkdtempSync(join(tmpdir(), 'fill-'));
    const conf = fileIn(doc(ref, 'old-cell01-services-1'), '/etc/nova/nova.conf.d/cells.conf');
    const fill = (secrets: string) =>
      spawnSync(
        'bash',
        [
          '-c',
          [
            fn('log'),
            fn('fail'),
            fn('fill_placeholders'),
            `SECRETS=${dir}/secrets.env`,
            `printf '%s' "$1" > $SECRETS`,
            `printf '%s' "$2" > ${dir}/cells.conf`,
            `fill_placeholders ${dir}/cells.conf`,
            `cat ${dir}/cells.conf`,
          ].join('\n'),
          'fill',
          secrets,
          conf,
        ],
        { encoding: 'utf8' },
      );
    const ok = fill('# generated at deploy\nRABBIT_PASSWORD=Rabbit123\nNOVA_DB_PASSWORD=Nova_456\n');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('rabbit_password = Rabbit123\n');
    expect(ok.stdout).toContain(`connection = mysql://nova:Nova_456@${ipOf(ref.plan, 'old-cell01-db-1')}/nova`);
    expect(ok.stdout).not.toMatch(PLACEHOLDER);
    // The last line counts even without a newline (as `--output text` may print it).
    const unterminated = fill('RABBIT_PASSWORD=Rabbit123\nNOVA_DB_PASSWORD=Nova_456');
    expect([unterminated.status, unterminated.stderr]).toEqual([0, '']);
    const leftover = fill('RABBIT_PASSWORD=Rabbit123\n');
    expect([leftover.status, leftover.stderr]).toEqual([1, expect.stringContaining('placeholders left unfilled')]);
    const unsafe = fill('RABBIT_PASSWORD=a|b\nNOVA_DB_PASSWORD=x\n');
    expect([unsafe.status, unsafe.stderr]).toEqual([1, expect.stringContaining('letters, digits and underscores only')]);
  });
});

test('no asset holds text Terraform would interpolate (${ or %{): user data and bucket objects travel as Terraform strings', () => {
  for (const name of PROFILE_NAMES) {
    for (const a of rendered(name).assets) expect([a.path, TERRAFORM_TEMPLATE.test(a.content)]).toEqual([a.path, false]);
  }
});

describe('user-data size', () => {
  test.each(PROFILE_NAMES)('%s: every node fits the 16 KiB AWS limit inline', (name) => {
    const r = rendered(name);
    const docs = r.assets.filter((a) => a.path.startsWith('nodes/'));
    expect(docs).toHaveLength(r.plan.nodes.length);
    const over = docs
      .filter((a) => !fitsUserDataLimit(a.content, AWS_USER_DATA_LIMIT))
      .map((a) => `${a.path}: ${userDataBytes(a.content)}`);
    expect(over).toEqual([]);
    expect(r.assets.filter((a) => a.path.startsWith('bucket/'))).toEqual([]);
    expect(Math.max(...docs.map((a) => userDataBytes(a.content)))).toBeLessThan(AWS_USER_DATA_LIMIT);
  });

  test('the limit counts bytes, not characters', () => {
    expect(fitsUserDataLimit('a'.repeat(16384), AWS_USER_DATA_LIMIT)).toBe(true);
    expect(fitsUserDataLimit('a'.repeat(16385), AWS_USER_DATA_LIMIT)).toBe(false);
    expect(fitsUserDataLimit('é'.repeat(8193), AWS_USER_DATA_LIMIT)).toBe(false);
    expect(fitsUserDataLimit('a'.repeat(100), 99)).toBe(false);
  });

  test('a document over the limit keeps a small inline part that fetches its files from the bucket first', () => {
    const node = nodeOf(ref.plan, (n) => n.role === 'compute');
    const options: UserDataOptions & { limit: number; bucketFetch: (key: string, dest: string) => string } = {
      ...ref.options,
      limit: 7000,
      bucketFetch: (key, dest) => `aws s3 cp s3://assets-bucket/${key} ${dest}`,
    };
    const full = userData(ref.plan, node, options);
    expect(fitsUserDataLimit(full, 7000)).toBe(false);
    const parts = userDataParts(ref.plan, node, options);
    expect(fitsUserDataLimit(parts.inline, 7000)).toBe(true);
    const inline = parse(parts.inline);
    expect(inline.write_files).toBeUndefined();
    const files = (parse(full).write_files as any[]).map((f) => f.path);
    expect(parts.bucketObjects.map((o) => o.path)).toEqual(files);
    expect(parts.bucketObjects.map((o) => o.key)).toEqual(files.map((f) => `nodes/${node.name}${f}`));
    expect(inline.runcmd.slice(0, files.length).map((c: string[]) => c[2])).toEqual(
      parts.bucketObjects.map(
        (o) =>
          `umask 077 && mkdir -p ${o.path.replace(/\/[^/]+$/, '')} && aws s3 cp s3://assets-bucket/${o.key} ${o.path} && chmod ${o.permissions} ${o.path}`,
      ),
    );
    // After the fetches, the role's own commands, the hand-off last.
    expect(inline.runcmd.slice(files.length)).toEqual(parse(full).runcmd);
    expect(inline.runcmd[inline.runcmd.length - 1]).toEqual([HANDOFF_SCRIPT]);
    expect(() => userDataParts(ref.plan, node, { ...options, bucketFetch: undefined })).toThrow(
      /exceeds 7000 and no bucket fetch is configured/,
    );
    expect(() => userDataParts(ref.plan, node, { ...options, limit: 500 })).toThrow(/even without its files/);
  });
});

describe('rendering', () => {
  test('the same plan renders the same files byte for byte, in a fixed order', () => {
    const again = renderAssets(ref.plan, ref.options);
    expect(again).toEqual(ref.assets);
  });

  test.each(PROFILE_NAMES)(
    '%s: one file per node, per side a ring script, a cells script and a cells_config per cell, and the secrets script',
    (name) => {
      const r = rendered(name);
      const expected = [
        ...r.plan.nodes.map((n) => `nodes/${n.name}.cloud-init.yaml`),
        ...['old', 'new'].flatMap((side) => [
          `rings/${side}-build-rings.sh`,
          `cells/${side}-link-cells.sh`,
          ...r.plan.cells.map((c) => `cells/${side}-${c.name}-cells.json`),
        ]),
        'secrets/create-secrets.sh',
      ];
      expect(r.assets.map((a) => a.path).sort()).toEqual(expected.sort());
      for (const a of r.assets) expect([a.path, a.mode]).toEqual([a.path, a.path.endsWith('.sh') ? 0o755 : 0o644]);
    },
  );

  test('the secrets script draws every secret at random and never overwrites existing ones', () => {
    const script = renderAssets(ref.plan, ref.options).find((a) => a.path === 'secrets/create-secrets.sh')!.content;
    for (const name of SECRET_NAMES) expect(script).toContain(`printf '%s=%s\\n' ${name} "$(openssl rand -hex 20)"`);
    expect(script).toMatch(/if aws ssm get-parameter [^\n]+; then\n\s+echo "\$PARAMETER exists already; nothing to do"\n\s+exit 0/);
    expect(script).not.toMatch(/[0-9a-f]{20,}/);
  });

  test("run by hand, the secrets script uses the target config's AWS profile and endpoint, not the shell's", () => {
    const options = assetOptionsFor(ref.plan, {
      ...ref.target,
      profile: 'staging-admin',
      endpoint: 'http://127.0.0.1:4566',
    } as TargetConfig);
    const script = renderAssets(ref.plan, options).find((a) => a.path === 'secrets/create-secrets.sh')!.content;
    const dir = writeTree(
      [
        { path: 'create-secrets.sh', content: script, mode: 0o755 },
        // A stand-in AWS CLI: records the profile it runs under and its arguments; the parameter does not exist yet.
        {
          path: 'bin/aws',
          content: '#!/bin/sh\necho "$AWS_PROFILE $*" >> "$CALLS"\ncase "$*" in *get-parameter*) exit 254 ;; esac\n',
          mode: 0o755,
        },
      ],
      'secrets-by-hand-',
    );
    const calls = join(dir, 'calls');
    execFileSync('bash', [join(dir, 'create-secrets.sh')], {
      env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, AWS_PROFILE: 'someone-else', CALLS: calls },
      encoding: 'utf8',
    });
    const lines = readFileSync(calls, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^staging-admin --endpoint-url http:\/\/127\.0\.0\.1:4566 ssm (get|put)-parameter /);
  });
});

test('on OpenStack, --distribute waits for each node to answer SSH, then installs the file root-only', () => {
  const openstack = target('openstack');
  const plan = buildPlan(loadProfile(), openstack);
  const script = renderAssets(plan, assetOptionsFor(plan, openstack)).find((a) => a.path === 'secrets/create-secrets.sh')!.content;
  const first = plan.nodes[0].addresses.management;
  const dir = writeTree(
    [
      { path: 'create-secrets.sh', content: script, mode: 0o755 },
      // Stand-ins: the first node refuses the copy twice (still booting), every other answers at once.
      {
        path: 'bin/scp',
        content: `#!/bin/sh\nfor a; do t=$a; done\necho "scp $t" >> "$CALLS"\ncase "$t" in *@${first}:*) n=$(grep -c "@${first}:" "$CALLS"); [ "$n" -gt 2 ] || exit 1 ;; esac\n`,
        mode: 0o755,
      },
      { path: 'bin/ssh', content: '#!/bin/sh\necho "ssh $*" >> "$CALLS"\n', mode: 0o755 },
    ],
    'secrets-distribute-',
  );
  const calls = join(dir, 'calls');
  const env = { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, CALLS: calls, SECRETS_SSH_INTERVAL: '0' };
  const ran = spawnSync('bash', [join(dir, 'create-secrets.sh'), '--distribute'], { cwd: dir, env, encoding: 'utf8' });
  expect([ran.status, ran.stderr]).toEqual([0, '']);
  const lines = readFileSync(calls, 'utf8').trim().split('\n');
  expect(lines.filter((l) => l === `scp centos@${first}:/tmp/secrets.env`)).toHaveLength(3);
  expect(lines.filter((l) => l.startsWith('ssh '))).toHaveLength(plan.nodes.length);
  expect(lines.find((l) => l.startsWith('ssh '))).toContain('sudo install -D -m 0600 -o root -g root /tmp/secrets.env');
  // A node that never answers stops the copy, named, after the tries allowed.
  const refused = spawnSync('bash', [join(dir, 'create-secrets.sh'), '--distribute'], {
    cwd: dir,
    env: { ...env, SECRETS_SSH_TRIES: '1', CALLS: join(dir, 'calls-2') },
    encoding: 'utf8',
  });
  expect([refused.status, refused.stderr.trim()]).toEqual([1, `${first}: no SSH after 1 tries`]);
});

describe('npm run assets', () => {
  const cli = (args: string[]) =>
    run(process.execPath, ['-r', join(ROOT, 'bin/register.js'), join(ROOT, 'bin/assets.ts'), ...args], { cwd: ROOT });

  test('writes every asset with its mode, and a later run removes what it no longer renders', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'assets-cli-')), 'out');
    const first = await cli(['--out', out]);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(readdirSync(join(out, 'nodes')).length).toBe(ref.plan.nodes.length);
    expect(statSync(join(out, 'rings/old-build-rings.sh')).mode & 0o777).toBe(0o755);
    // The reference's nodes are KVM guests: each host's user data, and the files it fetches with its manifest.
    const hosts = ref.plan.placement.kind === 'hypervisors' ? ref.plan.placement.hosts : [];
    expect(readdirSync(join(out, 'hosts')).sort()).toEqual(hosts.map((h) => `${h.name}.cloud-init.yaml`).sort());
    const manifest = readFileSync(join(out, `bucket/hosts/${hosts[0].name}/etc/staging/files`), 'utf8');
    for (const line of manifest.trim().split('\n')) {
      const [mode, path] = line.split(' ');
      expect(statSync(join(out, `bucket/hosts/${hosts[0].name}${path}`)).isFile()).toBe(true);
      expect(mode).toMatch(/^0(755|644|600)$/);
    }
    expect(execFileSync('cat', [join(out, 'cells/new-link-cells.sh')], { encoding: 'utf8' })).toBe(
      ref.assets.find((a) => a.path === 'cells/new-link-cells.sh')!.content,
    );
    const second = await cli(['--profile', TWO_REGIONS_PROFILE, '--out', out]);
    expect(second.code).toBe(0);
    expect(existsSync(join(out, 'cells/old-cell01-cells.json'))).toBe(false);
    expect(existsSync(join(out, 'cells/old-site-east-cells.json'))).toBe(true);
    expect(readdirSync(join(out, 'nodes')).length).toBe(two.plan.nodes.length);
  });

  test('a bad profile writes nothing and exits 2 with one line per problem', async () => {
    const dir = writeTree([{ path: 'bad.yaml', content: 'name: Not A Name\n', mode: 0o644 }], 'assets-bad-');
    const out = join(dir, 'out');
    const result = await cli(['--profile', join(dir, 'bad.yaml'), '--out', out]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: .*bad\.yaml: name: must be lower-case/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => /^error: .*bad\.yaml: [\w.[\]]+: /.test(line))).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  test('--out is required', async () => {
    const result = await cli([]);
    expect([result.code, result.stderr]).toEqual([2, expect.stringMatching(/^error: --out: out: is required/)]);
  });
});

describe("Glance keeps its images in its side's Swift, as production does", () => {
  test.each(['old', 'new'] as const)('the %s side: the store settings of its release, merged after Puppet, Glance restarted', (side) => {
    const node = ref.plan.nodes.find((n) => n.role === 'glance' && n.side === side)!;
    const d = doc(ref, node.name);
    const conf = fileIn(d, '/etc/glance/glance-api.conf.d/swift-store.conf');
    const keystone = ipOf(ref.plan, `${side}-keystone-1`);
    expect(conf).toContain(
      side === 'old'
        ? '[DEFAULT]\nknown_stores = glance.store.filesystem.Store,glance.store.http.Store,glance.store.swift.Store\n'
        : '[glance_store]\nstores = file,http,swift\n',
    );
    for (const line of [
      'default_store = swift',
      `swift_store_auth_address = http://${keystone}:5000/v2.0/`,
      'swift_store_user = services:glance',
      'swift_store_key = {{GLANCE_KS_PASSWORD}}',
      'swift_store_create_container_on_put = True',
    ])
      expect(conf).toContain(`${line}\n`);
    const handoff = fileIn(d, HANDOFF_SCRIPT);
    expect(handoff).toContain('merge_ini /etc/glance/glance-api.conf /etc/glance/glance-api.conf.d/swift-store.conf\n');
    expect(handoff).toContain('chkconfig openstack-glance-api on && service openstack-glance-api restart');
    expect(handoff.indexOf('merge_ini /etc/glance')).toBeGreaterThan(handoff.indexOf('\npuppet_apply '));
  });
});
