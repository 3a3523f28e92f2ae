/**
 * Cut-over and rollback: the edge stack alone, with the other side as its
 * `active_side`. The plan is prepared while the API still serves (it may only
 * update the listeners; anything else refuses it), and the switch applies exactly
 * that plan: the shortest time Terraform allows inside the downtime window.
 */
import type { Side } from '../plan/types';
import { ACTIVE_SIDE_VARIABLE } from '../stacks/edge-variable';
import { factsOf } from '../targets/facts';
import { work, type Context } from './remote';
import type { Phase, Step } from './types';

/** Where a switch's saved plan is kept: one per switch of the rehearsal. */
const planDir = (ctx: Context, switchId: string) => work(ctx, 'plans', switchId);

/** The plan that sends users to `side`, counted and checked; applied by the matching switch step. */
export function prepareSwitchStep(ctx: Context, phase: Phase, id: string, switchId: string, side: Side): Step {
  return {
    id,
    phase,
    title: `Prepare the switch to the ${side} side: plan the edge, listeners only`,
    where: 'operator',
    commands: [
      `npm run stacks -- plan edge --var ${ACTIVE_SIDE_VARIABLE}=${side} --plans ${planDir(ctx, switchId)} --only-update ${factsOf(ctx.plan.cloud).listenerType}`,
    ],
    checks: ['the plan updates the listeners in place and nothing else'],
    rollbackSafe: true,
  };
}

/** Applies the prepared plan: the edge sends users to the other side. */
export function switchStep(ctx: Context, phase: Phase, id: string, switchId: string, title: string): Step {
  return {
    id,
    phase,
    title,
    where: 'operator',
    commands: [`npm run stacks -- apply-plan edge --plans ${planDir(ctx, switchId)}`],
    rollbackSafe: true,
  };
}
