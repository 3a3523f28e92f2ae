/**
 * Picks the realization of the plan's cloud. Only the chosen cloud's module is
 * loaded: its provider bindings are most of a synthesis's start-up time.
 */
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from './config';
import type { CloudTarget } from './target';

export function cloudTarget(plan: StagingPlan, config: TargetConfig): CloudTarget {
  switch (config.cloud) {
    case 'aws': {
      const { awsTarget } = require('./aws') as typeof import('./aws');
      return awsTarget(plan, config);
    }
    case 'openstack': {
      const { openstackTarget } = require('./openstack') as typeof import('./openstack');
      return openstackTarget(plan, config);
    }
  }
}
