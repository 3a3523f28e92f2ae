/** Composes every stack of a staging clone from one plan. */
import type { App } from 'cdktf';
import type { StagingPlan } from '../plan/types';
import type { CloudTarget, Foundation } from '../targets/target';
import type { NodeUserData } from './user-data';
import type { TargetConfig } from '../targets/config';
import { CanaryStack } from './canary';
import { CanaryProjectsStack } from './canary-projects';
import { EdgeStack } from './edge';
import { FoundationStack } from './foundation';
import { HostStack, hostStackSpecs } from './hosts';
import { NodeStack, nodeStackSpecs } from './nodes';
import { hostUserData } from './user-data';

export interface StagingAppProps<F extends Foundation> {
  readonly plan: StagingPlan;
  readonly target: CloudTarget<F>;
  readonly config: TargetConfig;
  readonly userData: NodeUserData;
}

export interface StagingStacks {
  readonly foundation: FoundationStack;
  /** The nodes' stacks where each node is an instance; none where they are KVM guests. */
  readonly nodeStacks: readonly NodeStack[];
  /** The hypervisor hosts' stacks where the nodes are their guests; none otherwise. */
  readonly hostStacks: readonly HostStack[];
  readonly edge: EdgeStack;
  readonly canaryProjects: CanaryProjectsStack;
  readonly canary: CanaryStack;
}

export function buildStacks<F extends Foundation>(app: App, props: StagingAppProps<F>): StagingStacks {
  const foundation = new FoundationStack(app, 'foundation', { target: props.target });
  const guests = props.plan.placement.kind === 'hypervisors';
  const hostData = guests ? hostUserData(props.plan, props.config) : undefined;
  const hostStacks = hostStackSpecs(props.plan).map((spec) => {
    const stack = new HostStack(app, spec.id, {
      target: props.target,
      foundation: foundation.foundation,
      hosts: spec.hosts,
      userData: hostData!,
    });
    stack.addDependency(foundation);
    return stack;
  });
  const nodeStacks = (guests ? [] : nodeStackSpecs(props.plan)).map((spec) => {
    const stack = new NodeStack(app, spec.id, {
      target: props.target,
      foundation: foundation.foundation,
      nodes: props.plan.nodes.filter(spec.select),
      userData: props.userData,
    });
    stack.addDependency(foundation);
    return stack;
  });
  const edge = new EdgeStack(app, 'edge', { target: props.target, foundation: foundation.foundation, activeSide: props.plan.activeSide });
  edge.addDependency(foundation);
  const canaryProjects = new CanaryProjectsStack(app, 'canary-projects', {
    plan: props.plan,
    config: props.config,
    endpoint: edge.endpoint,
  });
  const canary = new CanaryStack(app, 'canary', {
    plan: props.plan,
    config: props.config,
    endpoint: edge.endpoint,
    projects: canaryProjects,
  });
  return { foundation, nodeStacks, hostStacks, edge, canaryProjects, canary };
}
