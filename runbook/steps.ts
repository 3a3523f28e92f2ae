/**
 * The whole rehearsal, derived from the plan: deploy, seed canaries, upgrade,
 * verify, roll back, verify, upgrade again on a rebuilt new side, verify, tear
 * down. Every cell's database gets its own restore and migration steps.
 */
import type { StagingPlan } from '../plan/types';
import { deploySteps, seedSteps, teardownSteps } from './build';
import type { Context } from './remote';
import { rollbackSteps } from './rollback';
import { PHASES, type RunbookOptions, type Step } from './types';
import { upgradeSteps } from './upgrade';
import { verifySteps } from './verify';

export function rehearsalSteps(plan: StagingPlan, options: RunbookOptions): Step[] {
  const ctx: Context = { plan, options };
  const steps = [
    ...deploySteps(ctx),
    ...seedSteps(ctx),
    ...upgradeSteps(ctx, 'upgrade-1', 'upgrade-1', false),
    ...verifySteps(ctx, 'verify-upgrade-1', 'new'),
    ...rollbackSteps(ctx, 'upgrade-1'),
    ...verifySteps(ctx, 'verify-rollback', 'old'),
    ...upgradeSteps(ctx, 'upgrade-2', 'upgrade-2', true),
    ...verifySteps(ctx, 'verify-upgrade-2', 'new'),
    ...teardownSteps(ctx),
  ];
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id)) throw new Error(`runbook step id ${step.id} is not unique`);
    seen.add(step.id);
  }
  // Phases never interleave: `--only` and the report rely on it.
  const order = steps.map((s) => PHASES.indexOf(s.phase));
  if (order.some((p, i) => i > 0 && p < order[i - 1])) throw new Error('runbook phases out of order');
  return steps;
}
