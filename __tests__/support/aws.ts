/**
 * The reference synthesized on AWS with one instance per node (Nitro and Xen types both
 * present), once per test file: what the per-module AWS target tests read.
 */
import { loadProfile } from '../../profile/load';
import { buildPlan } from '../../plan/plan';
import type { StagingPlan } from '../../plan/types';
import { target } from './shapes';
import { members, synthesize, type StackJson } from './synth';

export const profile = loadProfile();
export const config = target('aws', { placement: 'instances' });
export const plan = buildPlan(profile, config);
export const { stacks, manifest } = synthesize(plan, config);

export const instances = (stack: StackJson) => Object.values(members(stack, 'aws_instance')) as any[];
export const allInstances = Object.values(stacks).flatMap(instances);
export const planned = (p: StagingPlan, role: string, side: string) => p.nodes.filter((n) => n.role === role && n.side === side).length;
