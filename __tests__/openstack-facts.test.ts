/** targets/openstack/facts.ts: what an OpenStack public cloud is for the planner and the assets. */
import type { OpenstackTargetConfig } from '../targets/config';
import { OPENSTACK_FACTS, OPENSTACK_USER_DATA_LIMIT } from '../targets/openstack/facts';
import { planShape, target } from './support/shapes';
import { synthesize } from './support/synth';

const config = target('openstack') as OpenstackTargetConfig;

test("Cinder volumes are found by their virtio serial link; guests resolve through the config's resolvers", () => {
  expect(OPENSTACK_FACTS.volumeDevice('any', 3, 'abc')).toBe('/dev/disk/by-id/virtio-abc');
  expect(OPENSTACK_FACTS.guestNameservers({ ...config, dnsNameservers: ['192.0.2.53'] })).toEqual(['192.0.2.53']);
});

test("flavors are the config's, with KVM where it says so and Neutron's address-pair limit per port", () => {
  const prices = OPENSTACK_FACTS.prices(config);
  expect(prices.offers.map((o) => o.name)).toEqual(config.flavors.map((f) => f.name));
  for (const o of prices.offers) expect(o.network?.addressesPerInterface).toBe(config.maxAllowedAddressPairs + 1);
  const metal = config.flavors.find((f) => f.baremetal);
  if (metal) expect(prices.offers.find((o) => o.name === metal.name)?.kvm).toBe('hardware');
});

test("the production-data containers it names are the foundation's; Nova's user_data limit is 65535 base64 bytes", () => {
  const { plan } = planShape('reference', 'openstack');
  const foundation = synthesize(plan, config).stacks.foundation;
  const addresses = Object.entries(foundation.resource as Record<string, object>).flatMap(([type, rs]) =>
    Object.keys(rs).map((name) => `${type}.${name}`),
  );
  expect(addresses).toEqual(expect.arrayContaining([...OPENSTACK_FACTS.productionDataAddresses]));
  expect(Math.floor(65535 / 4) * 3).toBe(OPENSTACK_USER_DATA_LIMIT);
});
