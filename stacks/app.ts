/** Composes every stack of a staging clone from one plan. */
import type { App } from 'cdktf';
import type { NodePlan, StagingPlan } from '../plan/types';
import type { CloudTarget, UserDataFor } from '../targets/target';
import { EdgeStack } from './edge';
import { FoundationStack } from './foundation';
import { NodeStack, nodeStackSpecs } from './nodes';

export interface StagingAppProps {
  readonly plan: StagingPlan;
  readonly target: CloudTarget;
  readonly userData: (node: NodePlan) => UserDataFor;
}

export interface StagingStacks {
  readonly foundation: FoundationStack;
  readonly nodeStacks: readonly NodeStack[];
  readonly edge: EdgeStack;
}

export function buildStacks(app: App, props: StagingAppProps): StagingStacks {
  const foundation = new FoundationStack(app, 'foundation', { target: props.target });
  const nodeStacks = nodeStackSpecs(props.plan).map((spec) => {
    const stack = new NodeStack(app, spec.id, { target: props.target, foundation: foundation.foundation, nodes: props.plan.nodes.filter(spec.select), userData: props.userData });
    stack.addDependency(foundation);
    return stack;
  });
  const edge = new EdgeStack(app, 'edge', { target: props.target, foundation: foundation.foundation, activeSide: props.plan.activeSide });
  edge.addDependency(foundation);
  return { foundation, nodeStacks, edge };
}
