/** Bootstrap user data for each node, rendered from the plan by the assets. */
import type { NodePlan, StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import type { UserDataFor } from '../targets/target';

export function nodeUserData(plan: StagingPlan, _target: TargetConfig): (node: NodePlan) => UserDataFor {
  return (node) => (paths) => `#cloud-config\nhostname: ${node.name}\n# TODO(assets): ${plan.rehearsalId} ${paths.length}\n`;
}
