/**
 * Picks the realization of the plan's cloud. Only the chosen cloud's module is
 * loaded: each cloud's provider bindings take tens of milliseconds to load.
 */
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from './config';
import type { CloudTarget, Foundation } from './target';

/**
 * Hands the plan's cloud target to `use`, typed by that cloud's own foundation
 * handles, so that nothing between the foundation and the other stacks downcasts.
 */
export function withCloudTarget<R>(plan: StagingPlan, config: TargetConfig, use: <F extends Foundation>(target: CloudTarget<F>) => R): R {
  switch (config.cloud) {
    case 'aws': {
      const { awsTarget } = require('./aws') as typeof import('./aws');
      return use(awsTarget(plan, config));
    }
    case 'openstack': {
      const { openstackTarget } = require('./openstack') as typeof import('./openstack');
      return use(openstackTarget(plan, config));
    }
  }
}
