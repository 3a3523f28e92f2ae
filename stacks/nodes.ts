/**
 * A stack of planned nodes: one per concern and side, so that each side can be
 * deployed and destroyed alone (control plane, cells, Swift), plus the shared
 * compute, migration toolbox and monitoring stacks.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { ROLES, type RoleStack } from '../plan/roles';
import type { NodePlan, NodeSide, StagingPlan } from '../plan/types';
import type { CloudTarget, Foundation } from '../targets/target';
import type { NodeUserData } from './user-data';

export interface NodeStackProps<F extends Foundation> {
  readonly target: CloudTarget<F>;
  readonly foundation: F;
  /** The nodes this stack owns. */
  readonly nodes: readonly NodePlan[];
  /** Bootstrap user data of a node, given its volumes' device paths. */
  readonly userData: NodeUserData;
}

export class NodeStack<F extends Foundation = Foundation> extends TerraformStack {
  public readonly nodes: readonly NodePlan[];

  constructor(scope: Construct, id: string, props: NodeStackProps<F>) {
    super(scope, id);
    props.target.configure(this, id);
    this.nodes = props.nodes;
    const upload = (key: string, content: string) => props.target.upload(this, props.foundation, key, content);
    const handles = props.target.nodes(this, props.nodes, props.foundation, (node) => props.userData(node, props.foundation, upload));
    new TerraformOutput(this, 'instances', { value: Object.fromEntries(handles.map((h) => [h.name, h.id])) });
  }
}

/** Which nodes each node stack owns, by concern and side. */
export interface NodeStackSpec {
  readonly id: string;
  readonly concern: string;
  readonly side: NodeSide;
  readonly select: (node: NodePlan) => boolean;
}

const inStack = (node: NodePlan, stack: RoleStack): boolean => ROLES[node.role].stack === stack;

export function nodeStackSpecs(plan: StagingPlan): NodeStackSpec[] {
  const perSide = plan.sides.flatMap(({ name: side }) => [
    { id: `control-${side}`, concern: 'control plane', side, select: (n: NodePlan) => n.side === side && inStack(n, 'control') },
    { id: `cells-${side}`, concern: 'nova cells', side, select: (n: NodePlan) => n.side === side && inStack(n, 'cells') },
    { id: `swift-${side}`, concern: 'swift', side, select: (n: NodePlan) => n.side === side && inStack(n, 'swift') },
  ]);
  const shared: NodeStackSpec[] = [
    { id: 'compute', concern: 'compute (upgraded in place)', side: 'shared', select: (n) => inStack(n, 'compute') },
    { id: 'migration', concern: 'migration toolbox', side: 'shared', select: (n) => inStack(n, 'migration') },
    { id: 'monitoring', concern: 'monitoring', side: 'shared', select: (n) => inStack(n, 'monitoring') },
  ];
  return [...perSide, ...shared];
}
