/**
 * Rollback: the old side serves again from the databases it never stopped
 * holding. Nothing is migrated backwards (schema downgrades are unsupported
 * since Kilo): the new side is stopped, compute nodes get their old packages and
 * configuration back, the old side's services start, and the edge alone is
 * switched back to it (a plan prepared first, while the new side still serves). Writes made on the new side since the cut-over are
 * lost; the dumps in the bucket are the backup.
 */
import { computeRollbackStep } from './compute';
import { prepareSwitchStep, switchStep } from './edge';
import type { Context } from './remote';
import { sideServicesStep } from './sides';
import type { Step } from './types';

/** `round` is the upgrade being rolled back (its compute packages and configuration are undone). */
export function rollbackSteps(ctx: Context, round: string): Step[] {
  const phase = 'rollback' as const;
  return [
    prepareSwitchStep(ctx, phase, 'rollback.prepare-edge', 'rollback', 'old'),
    sideServicesStep(ctx, phase, 'rollback.stop-new', 'new', 'stop'),
    computeRollbackStep(ctx, phase, round),
    sideServicesStep(ctx, phase, 'rollback.start-old', 'old', 'start'),
    switchStep(ctx, phase, 'rollback.edge', 'rollback', 'Point the edge back at the old side (the prepared plan)'),
  ];
}
