/**
 * targets/aws/catalog.ts: the instance types as data (what each needs of the guest kernel
 * is checked with the planner in offers.test.ts); here the bus each shows its volumes on,
 * and the price list's own facts.
 */
import { AWS_INSTANCE_TYPES, AWS_PRICES, ebsBusOf } from '../targets/aws/catalog';

test('Xen types show their volumes as Xen virtual disks, every other type as NVMe', () => {
  expect(['m4.large', 'c4.xlarge', 'r4.2xlarge'].map(ebsBusOf)).toEqual(['xen', 'xen', 'xen']);
  expect(['m7i.large', 'c8i.2xlarge', 'm5.metal'].map(ebsBusOf)).toEqual(['nvme', 'nvme', 'nvme']);
  for (const offer of AWS_INSTANCE_TYPES) expect(ebsBusOf(offer.name)).toBe(offer.needs?.includes('xen-pv') ? 'xen' : 'nvme');
});

test('every row is a priced size with its interface limit, and names are unique', () => {
  expect(new Set(AWS_INSTANCE_TYPES.map((o) => o.name)).size).toBe(AWS_INSTANCE_TYPES.length);
  for (const o of AWS_INSTANCE_TYPES) {
    expect([o.name, o.vcpus > 0, o.memoryGiB > 0, o.pricePerHour > 0, (o.network?.interfaces ?? 0) >= 2]).toEqual([
      o.name,
      true,
      true,
      true,
      true,
    ]);
  }
  expect(AWS_PRICES).toEqual(expect.objectContaining({ region: 'us-east-1', currency: 'USD' }));
});
