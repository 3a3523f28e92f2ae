/**
 * The hypervisor placement synthesized on OpenStack: one host stack per side, each host an
 * instance with a port per network at its own address, whose allowed address pairs are its
 * guests' addresses there, its guests' volumes attached to it, its files copied to it by
 * Terraform over SSH in one bundle. Terraform itself validates and plans the delivery.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { reviewDevicePath } from '../assets/devices';
import { HOST_BUNDLE, hostBundle } from '../assets/host-bundle';
import { hostDocuments } from '../assets/host-documents';
import { ROUTED_ROLES } from '../assets/host-network';
import { buildPlan } from '../plan/plan';
import { hostGroupOf } from '../plan/security';
import { NETWORK_ROLES, type HostPlan, type NetworkRole, type StagingPlan } from '../plan/types';
import { InputError } from '../profile/errors';
import { loadProfile } from '../profile/load';
import { defaultTargetFile, loadTarget, type TargetConfig } from '../targets/config';
import { OPENSTACK_USER_DATA_LIMIT } from '../targets/openstack/facts';
import { interpreterOf, requireTool, run } from './fixtures/assets';
import { schemaProblems } from './support/openstack-schema';
import { target } from './support/shapes';
import { members, resources, synthesize } from './support/synth';

jest.setTimeout(180_000);

const profile = loadProfile();
const base = target('openstack');
const GUEST_IMAGES = {
  'centos-6.7': 'https://cloud.centos.org/centos/6/images/CentOS-6-x86_64-GenericCloud-1508.qcow2',
  'centos-7.1': 'https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud-1503.qcow2',
  'centos-7.2': 'https://cloud.centos.org/centos/7/images/CentOS-7-x86_64-GenericCloud-1511.qcow2',
};
const hypervisorConfig = (changes: Record<string, unknown> = {}): TargetConfig =>
  target('openstack', {
    placement: 'hypervisors',
    budgetPerHour: 200,
    keyName: 'ops-key',
    dnsNameservers: ['192.0.2.53'],
    hypervisors: { ...base.hypervisors, hostImage: 'Debian 12', guestImages: GUEST_IMAGES },
    ...changes,
  });
const config = hypervisorConfig();
const plan = buildPlan(profile, config);
if (plan.placement.kind !== 'hypervisors') throw new Error('the hypervisor placement is planned');
const hosts: readonly HostPlan[] = plan.placement.hosts;
const { stacks } = synthesize(plan, config);
const routed = (network: NetworkRole) => (ROUTED_ROLES as readonly NetworkRole[]).includes(network);
const guestsOf = (p: StagingPlan, host: HostPlan) => host.guests.map((g) => p.nodes.find((n) => n.name === g)!);

test('the hosts replace the node stacks, one stack per side, and every openstack_* block fits the provider schema', () => {
  expect(Object.keys(stacks).sort()).toEqual(['canary', 'canary-projects', 'edge', 'foundation', 'hosts-new', 'hosts-old', 'hosts-shared']);
  for (const side of ['old', 'new', 'shared'] as const) {
    const instances = members(stacks[`hosts-${side}`], 'openstack_compute_instance_v2');
    const own = hosts.filter((h) => h.side === side);
    expect(Object.keys(instances).sort()).toEqual(own.map((h) => h.name).sort());
    for (const host of own) {
      expect([instances[host.name].flavor_name, instances[host.name].image_name]).toEqual([host.size.offer, 'Debian 12']);
      expect(instances[host.name].network).toHaveLength(NETWORK_ROLES.length);
    }
  }
  expect(schemaProblems(stacks)).toEqual([]);
});

test("each host port sits at the host's address; its allowed address pairs are exactly its guests' on that network", () => {
  for (const host of hosts) {
    const stack = stacks[`hosts-${host.side}`];
    const ports = members(stack, 'openstack_networking_port_v2');
    const pairsOf = resources(stack, 'openstack_networking_port_v2')['host-ports'].for_each;
    for (const network of NETWORK_ROLES) {
      const key = `${host.name}/${network}`;
      expect(ports[key].fixed_ip[0].ip_address).toBe(host.addresses[network]);
      if (routed(network)) {
        const guests = guestsOf(plan, host).flatMap((g) => (g.addresses[network] ? [g.addresses[network]] : []));
        expect([key, pairsOf[key].pairs]).toEqual([key, guests]);
        expect(ports[key].security_group_ids).toEqual([expect.stringContaining(`sg-${hostGroupOf(host.side)}`)]);
      } else {
        // The trunk port: Neutron refuses address pairs without port security, and the guests have no address there.
        expect(ports[key].port_security_enabled).toBe(false);
        expect(ports[key].dynamic).toBeUndefined();
      }
    }
  }
  // The pairs come from each member's own list.
  const dynamic = resources(stacks['hosts-old'], 'openstack_networking_port_v2')['host-ports'].dynamic.allowed_address_pairs;
  expect(dynamic.for_each).toBe('${toset(each.value.pairs)}');
});

test("Neutron's max_allowed_address_pair bounds the guests of a host", () => {
  const tight = hypervisorConfig({ maxAllowedAddressPairs: 3 });
  const packed = buildPlan(profile, tight);
  if (packed.placement.kind !== 'hypervisors') throw new Error('the hypervisor placement is planned');
  expect(Math.max(...packed.placement.hosts.map((h) => h.guests.length))).toBeLessThanOrEqual(3);
  expect(Math.max(...hosts.map((h) => h.guests.length))).toBeGreaterThan(3);
});

test("the guests' volumes are the host's, seen by virtio serial; the host boot waits for its bundle", () => {
  const storage = plan.nodes.find((n) => n.role === 'swift-storage' && n.side === 'old')!;
  const host = hosts.find((h) => h.guests.includes(storage.name))!;
  const stack = stacks['hosts-old'];
  const attachment = members(stack, 'openstack_compute_volume_attach_v2')[`${storage.name}/d1`];
  expect(attachment.instance_id).toBe(`\${openstack_compute_instance_v2.hosts["${host.name}"].id}`);
  const delivery = members(stack, 'terraform_data')[host.name];
  const bundle = resources(stack, 'terraform_data')['host-files'].for_each[host.name].bundle as string;
  expect(bundle).toContain(
    `/dev/disk/by-id/virtio-\${substr(openstack_blockstorage_volume_v3.guest-volumes["${storage.name}/d1"].id, 0, 20)}`,
  );
  expect(bundle).toContain(`/var/lib/staging/libvirt/domains/${storage.name}.xml`);
  expect(delivery.triggers_replace).toEqual({ instance: `\${openstack_compute_instance_v2.hosts["${host.name}"].id}` });
  expect(delivery.connection).toEqual(expect.objectContaining({ host: host.addresses.management, user: 'debian', type: 'ssh' }));
  const userData = members(stack, 'openstack_compute_instance_v2')[host.name].user_data as string;
  expect(userData).toContain(HOST_BUNDLE);
  expect(userData).not.toMatch(/swift |aws s3/);
  // The guests take the operators' key from Nova and the config's resolvers.
  expect(bundle).toContain('${data.openstack_compute_keypair_v2.operator-key.public_key}');
  expect(bundle).toContain('192.0.2.53');
});

describe('real tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openstack-hosts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const documents = hostDocuments(plan, config);
  const host = hosts[0];
  const parts = documents(host, { hostDevicePath: reviewDevicePath('openstack'), publicKeys: ['ssh-ed25519 AAAA ops'] });

  test("cloud-init's schema takes the host's user data, within Nova's limit, and shellcheck its wait", async () => {
    requireTool('cloud-init');
    const file = join(dir, 'host.yaml');
    writeFileSync(file, parts.inline);
    const r = await run(interpreterOf('cloud-init'), [join(__dirname, 'fixtures/cloud-init-schema.py'), file]);
    expect(r.code).toBe(0);
    expect(Object.values(JSON.parse(r.stdout) as Record<string, { error: string | null }>).map((x) => x.error)).toEqual([null]);
    expect(Buffer.byteLength(parts.inline)).toBeLessThan(OPENSTACK_USER_DATA_LIMIT);
    requireTool('shellcheck');
    const [, , wait] = (parse(parts.inline).runcmd as string[][])[0];
    const checked = await run('sh', ['-c', `printf '%s' "$0" | shellcheck -`, `#!/bin/sh\n${wait}\n`]);
    expect([checked.code, checked.stdout]).toEqual([0, '']);
  });

  test('the bundle passes shellcheck and writes every file whole, byte for byte, with its mode', async () => {
    requireTool('shellcheck');
    const odd = [
      { key: 'x', path: '/etc/staging/no-newline', content: 'last line without one', permissions: '0640' },
      { key: 'y', path: '/etc/staging/quoted', content: '$HOME `id` \'a\' "b" \\n $(x)\n', permissions: '0600' },
      { key: 'z', path: '/etc/staging/empty', content: '', permissions: '0644' },
    ];
    const files = [...parts.bucketObjects, ...odd];
    const bundle = hostBundle(host, files);
    const script = join(dir, 'bundle.sh');
    writeFileSync(script, bundle);
    const checked = await run('shellcheck', [script]);
    expect([checked.code, checked.stdout]).toEqual([0, '']);
    const root = join(dir, 'root');
    mkdirSync(root);
    const r = spawnSync('sh', [script], { env: { ...process.env, STAGING_ROOT: root }, encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    for (const f of files) {
      expect([f.path, readFileSync(join(root, f.path), 'utf8')]).toEqual([f.path, f.content]);
      expect([f.path, (statSync(join(root, f.path)).mode & 0o777).toString(8).padStart(4, '0')]).toEqual([f.path, f.permissions]);
    }
    // A file holding the end marker would end early: refused.
    expect(() => hostBundle(host, [{ ...odd[0], content: 'a\nSTAGING_HOST_FILE_END\nb\n' }])).toThrow(/end marker/);
  });

  test('Terraform validates the delivery and plans one copy per host, its bundle templates evaluated', () => {
    requireTool('terraform');
    const stack = stacks['hosts-old'];
    const delivery = resources(stack, 'terraform_data')['host-files'];
    // The other resources are the provider's, which this machine does not have: their ids become a local.
    const standIn = (text: string) =>
      text.replace(/(?:data\.)?openstack_[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\["[^"]*"\])?\.(?:id|public_key)/g, 'local.stand_in');
    const forEach = Object.fromEntries(
      Object.entries<Record<string, string>>(delivery.for_each).map(([k, v]) => [
        k,
        Object.fromEntries(Object.entries(v).map(([f, value]) => [f, standIn(value)])),
      ]),
    );
    const work = join(dir, 'terraform');
    mkdirSync(work);
    writeFileSync(
      join(work, 'main.tf.json'),
      JSON.stringify({
        locals: { stand_in: '0123456789abcdefghijklmnopqrstuv' },
        resource: { terraform_data: { 'host-files': { ...delivery, for_each: forEach } } },
      }),
    );
    const env = { ...process.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' };
    const tf = (...args: string[]) => spawnSync('terraform', [`-chdir=${work}`, ...args], { env, encoding: 'utf8' });
    expect(tf('init', '-backend=false', '-input=false').status).toBe(0);
    const validated = tf('validate', '-no-color');
    expect([validated.status, validated.stderr]).toEqual([0, '']);
    const planned = tf('plan', '-input=false', '-no-color', '-lock=false');
    expect([planned.status, planned.stderr]).toEqual([0, '']);
    const own = hosts.filter((h) => h.side === 'old').length;
    expect(planned.stdout).toContain(`Plan: ${own} to add, 0 to change, 0 to destroy.`);
    // The check can fail: a template directive in a bundle.
    const broken = JSON.parse(readFileSync(join(work, 'main.tf.json'), 'utf8'));
    const first = Object.keys(broken.resource.terraform_data['host-files'].for_each)[0];
    broken.resource.terraform_data['host-files'].for_each[first].bundle += '%{ if }';
    writeFileSync(join(work, 'main.tf.json'), JSON.stringify(broken));
    expect(tf('validate', '-no-color').status).not.toBe(0);
  });
});

describe('the target config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openstack-hosts-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const refusal = (changes: Record<string, unknown>): [string, string] => {
    const doc = { ...parse(readFileSync(defaultTargetFile('openstack'), 'utf8')), placement: 'hypervisors', ...changes };
    const file = join(dir, `${Object.keys(changes).join('-') || 'none'}.yaml`);
    writeFileSync(file, stringify(doc));
    try {
      loadTarget(file);
    } catch (e) {
      if (e instanceof InputError) return [e.field, e.reason];
      throw e;
    }
    throw new Error('taken');
  };

  test('hypervisors on OpenStack need the resolvers the guests take, and take only addresses there', () => {
    expect(refusal({ hypervisors: { hostImage: 'Debian 12' } })).toEqual([
      'dnsNameservers',
      expect.stringMatching(/no resolver from DHCP/),
    ]);
    expect(refusal({ dnsNameservers: ['192.0.2.300'] })).toEqual(['dnsNameservers[0]', expect.stringMatching(/IPv4 address/)]);
    expect(refusal({ maxAllowedAddressPairs: 0 })).toEqual(['maxAllowedAddressPairs', expect.stringMatching(/greater than or equal to 1/)]);
    expect(refusal({ hostLogin: { user: 'root; rm' } })).toEqual(['hostLogin.user', expect.stringMatching(/Unix user name/)]);
  });
});
