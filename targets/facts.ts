/**
 * What each cloud is, as plain data (no cdktf, no provider classes), for the parts of
 * the project that must know a cloud without building on it: the planner, the
 * assets, the runbook. `Record<CloudName, …>` makes a new cloud fill every fact.
 */
import type { CloudName } from './config';

export interface CloudFacts {
  /** Terraform type of the edge's listeners: the only resources a cut-over or a rollback changes. */
  readonly listenerType: string;
}

export const CLOUD_FACTS: Readonly<Record<CloudName, CloudFacts>> = {
  aws: { listenerType: 'aws_lb_listener' },
  openstack: { listenerType: 'openstack_lb_listener_v2' },
};

export const factsOf = (cloud: CloudName): CloudFacts => CLOUD_FACTS[cloud];
