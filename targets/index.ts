/** Picks the realization of the plan's cloud. */
import type { StagingPlan } from '../plan/types';
import { awsTarget } from './aws';
import type { TargetConfig } from './config';
import { openstackTarget } from './openstack';
import type { CloudTarget } from './target';

export function cloudTarget(plan: StagingPlan, config: TargetConfig): CloudTarget {
  switch (config.cloud) {
    case 'aws':
      return awsTarget(plan, config);
    case 'openstack':
      return openstackTarget(plan, config);
  }
}
