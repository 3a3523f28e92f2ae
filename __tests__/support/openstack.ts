/** The reference synthesized on OpenStack, once per test file: what the per-module OpenStack target tests read. */
import { loadProfile } from '../../profile/load';
import { buildPlan } from '../../plan/plan';
import { target } from './shapes';
import { members, synthesize, type StackJson } from './synth';

export const profile = loadProfile();
export const config = target('openstack');
export const plan = buildPlan(profile, config);
export const { stacks } = synthesize(plan, config);

export const instances = (stack: StackJson) => Object.values(members(stack, 'openstack_compute_instance_v2')) as any[];
// The canary stack's servers live inside the staging cloud, not on the target.
export const all = Object.entries(stacks)
  .filter(([name]) => name !== 'canary')
  .flatMap(([, stack]) => instances(stack));
