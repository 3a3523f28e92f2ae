/** Tags every AWS resource carries: rehearsal id, side, role and cell. */
import type { NodePlan, StagingPlan } from '../../plan/types';

export function tagsFor(plan: StagingPlan, what: { name: string; side: string; role: string; cell?: string }): Record<string, string> {
  return {
    Name: `${plan.rehearsalId}-${what.name}`,
    rehearsal: plan.rehearsalId,
    side: what.side,
    role: what.role,
    cell: what.cell ?? 'none',
  };
}

export const nodeTags = (plan: StagingPlan, node: NodePlan, suffix = ''): Record<string, string> =>
  tagsFor(plan, { name: node.name + suffix, side: node.side, role: node.role, cell: node.cell });
