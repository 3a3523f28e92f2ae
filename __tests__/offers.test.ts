/**
 * The size each node gets on instances (targets/offers.ts): the cheapest that fits it and that
 * its image boots, by the drivers each size needs of the guest kernel (profile/kernels.ts) and
 * the drivers the image has. EC2's facts are DescribeInstanceTypes' (targets/aws/catalog.ts).
 */
import { loadProfile } from '../profile/load';
import { stockDrivers } from '../profile/kernels';
import { buildPlan } from '../plan/plan';
import { priceList } from '../targets/facts';
import { NITRO_READY_EL7, referenceDoc, profileFrom, target } from './support/shapes';

const profile = loadProfile();
const stock = { imageDrivers: {} };

test('stock EL kernels: Xen PV and virtio everywhere, ENA and NVMe from 7.4', () => {
  expect([...stockDrivers('centos-6.7')].sort()).toEqual(['virtio', 'xen-pv']);
  expect([...stockDrivers('centos-7.1')].sort()).toEqual(['virtio', 'xen-pv']);
  expect([...stockDrivers('rhel-7.4')].sort()).toEqual(['ena', 'nvme', 'virtio', 'xen-pv']);
});

test('the catalog: Nitro types need ENA and NVMe, the Xen types m4, c4, r4 Xen PV and take 11 volumes', () => {
  const offers = priceList(target('aws')).offers;
  const xen = offers.filter((o) => o.needs?.includes('xen-pv')).map((o) => o.name.split('.')[0]);
  expect([...new Set(xen)]).toEqual(['c4', 'm4', 'r4']);
  for (const o of offers) {
    if (xen.includes(o.name.split('.')[0]))
      expect([o.needs, o.maxVolumes, o.previousGeneration, o.kvm]).toEqual([['xen-pv'], 11, true, undefined]);
    else expect(o.needs).toEqual(['ena', 'nvme']);
  }
  // Every size with KVM is Nitro.
  expect(offers.filter((o) => o.kvm).every((o) => o.needs?.includes('ena'))).toBe(true);
});

test('on AWS instances a stock EL 7.1 compute node boots on no type with KVM: the plan names the node, its OS and the way out', () => {
  expect(() => buildPlan(profile, target('aws', { placement: 'instances', ...stock }))).toThrow(
    /placement: compute node compute-cell01-1 runs centos-7\.1: every size with KVM needs ENA and NVMe drivers, which its centos-7\.1 image lacks; set placement: hypervisors .*imageDrivers\.centos-7\.1/,
  );
});

test('nodes whose image lacks ENA take the Xen types, the others current types only', () => {
  const plan = buildPlan(profile, target('aws', { placement: 'instances', imageDrivers: NITRO_READY_EL7 }));
  const offers = new Map(priceList(target('aws')).offers.map((o) => [o.name, o]));
  for (const node of plan.nodes) {
    const offer = offers.get(node.size.offer)!;
    if (node.os === 'centos-6.7') expect([node.name, offer.needs]).toEqual([node.name, ['xen-pv']]);
    else expect([node.name, offer.previousGeneration]).toEqual([node.name, undefined]);
    // Each takes its volumes and its interfaces (m4.large has 2).
    expect(node.volumes.length).toBeLessThanOrEqual(offer.maxVolumes ?? 20);
    expect(Object.keys(node.addresses).length).toBeLessThanOrEqual(offer.network!.interfaces!);
  }
  expect(plan.nodes.filter((n) => n.role === 'swift-storage' && n.os === 'centos-6.7').map((n) => n.size.offer)).toContain('m4.large');
});

test('a Xen node with more volumes than sdf to sdp is refused, naming the node and the drivers missing for the rest', () => {
  const doc = referenceDoc();
  doc.swift.devicesPerNode = 12;
  expect(() =>
    buildPlan(profileFrom(doc), target('aws', { placement: 'instances', imageDrivers: NITRO_READY_EL7, scale: 1, budgetPerHour: 100000 })),
  ).toThrow(
    /placement: node old-swift-r1z1-1 \(swift-storage\) runs centos-6\.7: no size of 2 vCPU and 8 GiB with 12 volumes and 2 interfaces boots it \(each needs ENA and NVMe drivers\)/,
  );
});

test('a pinned size the image cannot boot is refused, naming the field', () => {
  expect(() =>
    buildPlan(
      profile,
      target('aws', { placement: 'instances', imageDrivers: NITRO_READY_EL7, instanceTypes: { 'swift-storage': 'm7i.large' } }),
    ),
  ).toThrow(/instanceTypes\.swift-storage: 'm7i\.large' needs ENA and NVMe drivers, which node old-swift-r1z1-1's centos-6\.7 image lacks/);
});

test('placement auto: hypervisors when some role boots on no type, instances when every one does', () => {
  const auto = buildPlan(profile, target('aws', stock));
  expect(auto.placement.kind).toBe('hypervisors');
  expect(auto.placement.kind === 'hypervisors' && auto.placement.reason).toMatch(
    /compute on centos-7\.1: every size with KVM needs ENA and NVMe/,
  );
  // EL 7.4 everywhere but Swift's EL 6.7: Swift on Xen types, the rest on Nitro, no hosts.
  const doc = referenceDoc();
  doc.os = { old: { default: 'centos-7.4', 'swift-storage': 'centos-6.7' }, new: { default: 'centos-7.4' } };
  const images = { imageByOs: { 'centos-6.7': 'CentOS 6*', 'centos-7.4': 'CentOS 7*' } };
  const el74 = buildPlan(profileFrom(doc), target('aws', { ...images, budgetPerHour: 1000 }));
  expect(el74.placement.kind).toBe('instances');
  expect(el74.nodes.find((n) => n.role === 'swift-storage')!.size.offer).toMatch(/^[cmr]4\./);
});

test('OpenStack flavors need nothing of the kernel: every EL image boots on them', () => {
  expect(priceList(target('openstack')).offers.every((o) => o.needs === undefined)).toBe(true);
});
