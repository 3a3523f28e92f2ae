/**
 * Picks the realization of the plan's cloud. Only the chosen cloud's module is
 * loaded: each cloud's provider bindings take tens of milliseconds to load.
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
