/** targets/aws/facts.ts: what AWS is for the planner and the assets, each fact checked against what it stands for. */
import { AWS_FACTS, AWS_USER_DATA_LIMIT } from '../targets/aws/facts';
import type { AwsTargetConfig } from '../targets/config';
import { InputError } from '../profile/errors';
import { plan, stacks } from './support/aws';
import { target } from './support/shapes';

const aws = target('aws') as AwsTargetConfig;

test("a volume is found by its id on Nitro, by its attachment's Xen device numbers on Xen", () => {
  expect(AWS_FACTS.volumeDevice('m7i.large', 0, 'vol0abc')).toBe('/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0abc');
  expect(AWS_FACTS.volumeDevice('m4.large', 0, 'vol0abc')).toBe('xen:vbd-2128:vbd-51792');
  expect(AWS_FACTS.volumeDevice('m4.large', 1, 'vol0abc')).toBe('xen:vbd-2144:vbd-51808');
});

test("guests resolve through the VPC's resolver, at the network's base address plus two", () => {
  expect(AWS_FACTS.guestNameservers({ ...aws, networkCidr: '10.42.0.0/16' })).toEqual(['10.42.0.2']);
});

test('prices exist for the catalog region only; another region is refused with the field named', () => {
  expect(AWS_FACTS.prices(aws).source).toMatch(/^AWS on-demand list prices, us-east-1, /);
  const other = () => AWS_FACTS.prices({ ...aws, region: 'eu-west-1' });
  expect(other).toThrow(InputError);
  expect(other).toThrow(/'eu-west-1' has no prices in targets\/aws\/catalog\.ts/);
});

test("the production-data resources it names are the foundation's, and the user-data limit is EC2's 16 KiB", () => {
  const addresses = Object.entries(stacks.foundation.resource as Record<string, object>).flatMap(([type, rs]) =>
    Object.keys(rs).map((name) => `${type}.${name}`),
  );
  expect(addresses).toEqual(expect.arrayContaining([...AWS_FACTS.productionDataAddresses]));
  expect(AWS_USER_DATA_LIMIT).toBe(16 * 1024);
  expect(plan.cloud).toBe('aws');
});
