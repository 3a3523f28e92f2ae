/**
 * A stack of hypervisor hosts (plan/placement.ts): one per side and one for the
 * shared nodes, so that destroying the new side destroys its hosts, their guests
 * and their volumes, and nothing of the old side.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { hostStackOf } from '../plan/placement';
import type { HostPlan, NodeSide, StagingPlan } from '../plan/types';
import type { CloudTarget, Foundation } from '../targets/target';
import type { HostUserData } from './user-data';

export interface HostStackProps<F extends Foundation> {
  readonly target: CloudTarget<F>;
  readonly foundation: F;
  /** The hosts this stack owns. */
  readonly hosts: readonly HostPlan[];
  /** A host's user data, given where it sees its guests' volumes. */
  readonly userData: HostUserData;
}

export class HostStack<F extends Foundation = Foundation> extends TerraformStack {
  public readonly hosts: readonly HostPlan[];

  constructor(scope: Construct, id: string, props: HostStackProps<F>) {
    super(scope, id);
    props.target.configure(this, id);
    this.hosts = props.hosts;
    const upload = (key: string, content: string) => props.target.upload(this, props.foundation, key, content);
    const handles = props.target.hosts(this, props.hosts, props.foundation, (host) => props.userData(host, props.foundation, upload));
    new TerraformOutput(this, 'instances', { value: Object.fromEntries(handles.map((h) => [h.name, h.id])) });
  }
}

/** The host stacks of a plan, by side: the sides' own, then the shared one. */
export function hostStackSpecs(plan: StagingPlan): { readonly id: string; readonly side: NodeSide; readonly hosts: readonly HostPlan[] }[] {
  if (plan.placement.kind !== 'hypervisors') return [];
  const hosts = plan.placement.hosts;
  return (['old', 'new', 'shared'] as const)
    .map((side) => ({ id: hostStackOf(side), side, hosts: hosts.filter((h) => h.side === side) }))
    .filter((spec) => spec.hosts.length > 0);
}
