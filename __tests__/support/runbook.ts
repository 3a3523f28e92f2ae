/** The rehearsal steps of the test plans, built once per plan. */
import { loadProfile, REFERENCE_PROFILE } from '../../profile/load';
import { buildPlan } from '../../plan/plan';
import type { StagingPlan } from '../../plan/types';
import { runbookOptionsFor } from '../../runbook/options';
import { rehearsalSteps } from '../../runbook/steps';
import type { Step } from '../../runbook/types';
import { planShape, target } from './shapes';

export function stepsOf(plan: StagingPlan, cloud: 'aws' | 'openstack' = 'aws'): Step[] {
  return rehearsalSteps(plan, runbookOptionsFor(target(cloud), loadProfile(REFERENCE_PROFILE)));
}

export const PLANS: Record<string, () => StagingPlan> = {
  reference: () => buildPlan(loadProfile(REFERENCE_PROFILE), target()),
  '24 cells': () => planShape('24 cells').plan,
};

const cache = new Map<string, Step[]>();
export const stepsFor = (name: string): Step[] => cache.get(name) ?? (cache.set(name, stepsOf(PLANS[name]())), cache.get(name)!);
