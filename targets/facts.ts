/**
 * Every cloud's facts in one table, and the two look-ups the rest of the project
 * uses: by cloud name (what a plan knows) and by target config (for what depends
 * on the config, such as prices). `Record<CloudName, …>` makes a new cloud fill
 * every fact.
 */
import { AWS_FACTS } from './aws/facts';
import type { CloudFacts } from './cloud-facts';
import type { CloudName, TargetConfig } from './config';
import { OPENSTACK_FACTS } from './openstack/facts';
import type { PriceList } from './prices';

export const CLOUD_FACTS: Readonly<Record<CloudName, CloudFacts<never>>> = { aws: AWS_FACTS, openstack: OPENSTACK_FACTS };

/** The facts of a cloud that hold whatever its target config says. */
export const factsOf = (cloud: CloudName): Omit<CloudFacts, 'prices' | 'guestNameservers'> => CLOUD_FACTS[cloud];

/** The name servers a KVM guest of the target is configured with. */
export function guestNameservers(target: TargetConfig): readonly string[] {
  switch (target.cloud) {
    case 'aws':
      return AWS_FACTS.guestNameservers(target);
    case 'openstack':
      return OPENSTACK_FACTS.guestNameservers(target);
  }
}

/** What the target config's cloud sells, at the prices it states or lists. */
export function priceList(target: TargetConfig): PriceList {
  switch (target.cloud) {
    case 'aws':
      return AWS_FACTS.prices(target);
    case 'openstack':
      return OPENSTACK_FACTS.prices(target);
  }
}
