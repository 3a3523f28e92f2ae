/**
 * The guests' NoCloud meta-data. The interfaces text is read back by cloud-init's
 * own parser of that syntax (Debian's cloud-init, cloudinit/net/eni.py), and checked
 * for the keys the era's cloud-init 0.7.5 reads (distros/net_util.py translate_network).
 */
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import { managementInterface, nocloudMetaData } from '../assets/nocloud';
import { buildPlan } from '../plan/plan';
import { loadProfile } from '../profile/load';
import { interpreterOf, requireTool } from './fixtures/assets';
import { target } from './support/shapes';

const plan = buildPlan(loadProfile(), target('aws'));
const options = { nameservers: ['10.42.0.2'], publicKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample operator'] };

/** A dotted mask from a prefix length, by its bit string (independent of the module's arithmetic). */
const maskOf = (prefix: number) =>
  ('1'.repeat(prefix) + '0'.repeat(32 - prefix))
    .match(/.{8}/g)!
    .map((octet) => parseInt(octet, 2))
    .join('.');

/** cloud-init's ENI parser over every guest's text at once: name -> its physical config. */
function parsed(texts: Record<string, string>): Record<string, { name: string; subnets: Record<string, unknown>[] }[]> {
  requireTool('cloud-init');
  const program = [
    'import json, sys',
    'from cloudinit.net import eni',
    'texts = json.load(sys.stdin)',
    'print(json.dumps({k: eni.convert_eni_data(v)["config"] for k, v in texts.items()}))',
  ].join('\n');
  const r = spawnSync(interpreterOf('cloud-init'), ['-c', program], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

test("every guest's eth0 is static at its planned management address, with its subnet's gateway and mask", () => {
  const texts = Object.fromEntries(plan.nodes.map((n) => [n.name, managementInterface(plan, n, options.nameservers)]));
  const configs = parsed(texts);
  for (const node of plan.nodes) {
    const subnet = plan.networks.find((n) => n.role === 'management')!.subnets.find((s) => s.zone === node.zone)!;
    const [base, prefix] = subnet.cidr.split('/');
    const gateway = base.replace(/\d+$/, (last) => String(Number(last) + 1));
    expect([node.name, configs[node.name]]).toEqual([
      node.name,
      [
        expect.objectContaining({
          name: 'eth0',
          subnets: [
            expect.objectContaining({
              type: 'static',
              control: 'auto',
              address: node.addresses.management,
              netmask: maskOf(Number(prefix)),
              gateway,
              dns_nameservers: ['10.42.0.2'],
            }),
          ],
        }),
      ],
    ]);
  }
});

test('the text holds only lines 0.7.5 reads: auto, iface … inet static, address, netmask, gateway, dns-nameservers', () => {
  const text = managementInterface(plan, plan.nodes[0], options.nameservers);
  expect(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]),
  ).toEqual(['auto', 'iface', 'address', 'netmask', 'gateway', 'dns-nameservers']);
  expect(text).toContain('iface eth0 inet static\n');
});

test('the meta-data is YAML with the guest identity, its interfaces and the operator keys', () => {
  const node = plan.nodes.find((n) => n.role === 'keystone')!;
  const doc = parse(nocloudMetaData(plan, node, options));
  expect(doc).toEqual({
    'instance-id': `${plan.rehearsalId}-${node.name}`,
    'local-hostname': `${node.name}.${plan.rehearsalId}.internal`,
    'network-interfaces': managementInterface(plan, node, options.nameservers),
    'public-keys': options.publicKeys,
  });
});
