/** The stacks' commands as the runbook runs them (`npm run stacks`), and which stacks each phase deploys. */
import { shQuote } from '../assets/shell';
import { hostStackOf } from '../plan/placement';
import type { Side, StagingPlan } from '../plan/types';
import { work, type Context } from './remote';

/** The stacks' own command: a saved plan per stack, counted and checked (nothing destroyed), then applied; in parallel where the stacks allow. */
export const deployStacks = (ctx: Context, stacks: readonly string[]): string =>
  `npm run stacks -- deploy ${stacks.join(' ')} --timings ${work(ctx, 'stacks-timings.json')} --log-dir ${work(ctx, 'logs', 'stacks')}`;
export const destroyStacks = (ctx: Context, stacks: readonly string[]): string =>
  `npm run stacks -- destroy ${stacks.map(shQuote).join(' ')} --timings ${work(ctx, 'stacks-timings.json')} --log-dir ${work(ctx, 'logs', 'stacks')}`;
/** The stacks of one side's nodes: per concern (control plane, cells, Swift), or its hypervisor hosts. */
export const sideStacks = (plan: Pick<StagingPlan, 'placement'>, side: Side): string[] =>
  plan.placement.kind === 'hypervisors' ? [hostStackOf(side)] : [`control-${side}`, `cells-${side}`, `swift-${side}`];
/** The stacks of the nodes both sides share: compute, monitoring, the toolbox; or the hosts that run them. */
export const sharedStacks = (plan: Pick<StagingPlan, 'placement'>): string[] =>
  plan.placement.kind === 'hypervisors' ? [hostStackOf('shared')] : ['compute', 'monitoring', 'migration'];
/** What the first deploy builds: everything but the new side and the canary workload. */
export const firstDeploy = (plan: Pick<StagingPlan, 'placement'>): string[] => [
  'foundation',
  ...sideStacks(plan, 'old'),
  ...sharedStacks(plan),
  'edge',
];
/** Every resource of a stack read back from its API: fails naming what changed or disappeared outside Terraform. */
export const driftCommand = (stack: string): string => `npm run -s stacks -- drift ${stack}`;
/** Stack outputs as `cdktf output --outputs-file` writes them. */
export const outputsCommand = (stack: string, file: string): string => `npm run -s stacks -- output ${stack} --out ${file}`;
