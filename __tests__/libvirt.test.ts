import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewDevicePath } from '../assets/devices';
import { BRIDGE_OF, domainXml, guestDevicePath, guestMacs, networkXml } from '../assets/libvirt';
import { networksOf } from '../plan/network';
import { buildPlan } from '../plan/plan';
import { NETWORK_ROLES, type NodePlan } from '../plan/types';
import { loadProfile } from '../profile/load';
import { NODE_ROLES } from '../profile/schema';
import { target } from './support/shapes';

const plan = buildPlan(loadProfile(), target('aws', { placement: 'hypervisors' }));
if (plan.placement.kind !== 'hypervisors') throw new Error('the hypervisor placement is planned');
const hosts = plan.placement.hosts;
const macs = guestMacs(plan.nodes);
const hostOf = (node: NodePlan) => hosts.find((h) => h.guests.includes(node.name))!;
const domainOf = (node: NodePlan) => domainXml(node, hostOf(node), reviewDevicePath('aws'), macs);

const dir = mkdtempSync(join(tmpdir(), 'libvirt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** libvirt's own RelaxNG schemas (Debian's libvirt-clients): exit 0 and "validates" for a valid definition. */
function validate(kind: 'domain' | 'network', name: string, xml: string): string {
  const file = join(dir, `${name}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync('virt-xml-validate', [file, kind], { encoding: 'utf8' });
  if (r.error) throw new Error(`virt-xml-validate is needed (Debian's libvirt-clients): ${r.error.message}`);
  return r.status === 0 ? 'valid' : `${r.stdout}${r.stderr}`;
}

describe("the guests' libvirt definitions", () => {
  const oneOfEachRole = NODE_ROLES.map((role) => plan.nodes.find((n) => n.role === role)).filter((n): n is NodePlan => !!n);

  test.each(oneOfEachRole.map((n) => [n.role, n] as const))("the %s guest's domain passes libvirt's schema", (_role, node) => {
    expect(validate('domain', node.name, domainOf(node))).toBe('valid');
  });

  test.each([...NETWORK_ROLES])('the %s network passes libvirt schema, bridged to the host bridge', (role) => {
    const xml = networkXml(role);
    expect(validate('network', role, xml)).toBe('valid');
    expect(xml).toContain(`<bridge name='${BRIDGE_OF[role]}'/>`);
    expect(Buffer.byteLength(BRIDGE_OF[role])).toBeLessThan(16);
  });

  test('the schema check can fail: a disk on a bus libvirt does not know is refused', () => {
    const node = oneOfEachRole[0];
    expect(validate('domain', 'broken', domainOf(node).replace("bus='virtio'", "bus='nvme-of'"))).not.toBe('valid');
  });

  test('compute guests get the host CPU (nested KVM for the canary), the others host-model', () => {
    for (const node of plan.nodes) {
      const mode = node.hypervisor ? 'host-passthrough' : 'host-model';
      expect(domainOf(node)).toContain(`<cpu mode='${mode}'/>`);
    }
  });

  test('a guest has its planned size, one virtio NIC per planned network in order, and its volumes as serial-named virtio disks', () => {
    const storage = plan.nodes.find((n) => n.role === 'swift-storage')!;
    const xml = domainOf(storage);
    expect(xml).toContain(`<memory unit='MiB'>${storage.size.memoryGiB * 1024}</memory>`);
    expect(xml).toContain(`<vcpu placement='static'>${storage.size.vcpus}</vcpu>`);
    const networks = [...xml.matchAll(/<source network='staging-(\w+)'\/>/g)].map((m) => m[1]);
    expect(networks).toEqual(networksOf(storage.role));
    expect(networks[0]).toBe('management');
    expect([...xml.matchAll(/<model type='(\w+)'\/>/g)].every((m) => m[1] === 'virtio')).toBe(true);
    const serials = [...xml.matchAll(/<serial>([^<]+)<\/serial>/g)].map((m) => m[1]);
    expect(serials).toEqual(storage.volumes.map((v) => v.name));
    expect(storage.volumes.map((v, i) => guestDevicePath(storage, v, i))).toEqual(
      // The serial, and the disk's place in the domain (the root disk is vda).
      storage.volumes.map((v, i) => `virtio:${v.name}:vd${'bcdefghijklmnopqrstuvwxyz'[i]}`),
    );
    // Each locator's place is the target of the disk holding its serial.
    const disks = [...xml.matchAll(/<target dev='(vd\w+)' bus='virtio'\/>\s*<serial>([^<]+)<\/serial>/g)].map(
      (m) => `virtio:${m[2]}:${m[1]}`,
    );
    expect(disks).toEqual(storage.volumes.map((v, i) => guestDevicePath(storage, v, i)));
    expect(xml).toContain(`<source dev='${reviewDevicePath('aws')(storage, storage.volumes[0], 0)}'/>`);
    expect([...xml.matchAll(/<target dev='(vd\w+)' bus='virtio'\/>/g)].map((m) => m[1])).toEqual(
      ['vda', 'vdb', 'vdc', 'vdd', 'vde', 'vdf', 'vdg', 'vdh'].slice(0, storage.volumes.length + 1),
    );
  });

  test('every MAC in the plan is unique, locally administered, and stable when a node is removed', () => {
    const all = [...macs.values()];
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((m) => /^52:54:00(:[0-9a-f]{2}){3}$/.test(m))).toBe(true);
    const fewer = guestMacs(plan.nodes.slice(1));
    for (const [key, mac] of fewer) expect(macs.get(key)).toBe(mac);
  });

  test('a node placed elsewhere is refused', () => {
    const node = plan.nodes[0];
    const other = hosts.find((h) => !h.guests.includes(node.name))!;
    expect(() => domainXml(node, other, reviewDevicePath('aws'), macs)).toThrow(`${node.name} is not a guest of ${other.name}`);
  });
});
