/** Foundation stack: networks, security groups and buckets every other stack uses. */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { CloudTarget, Foundation } from '../targets/target';

export interface FoundationStackProps {
  /** The cloud that realizes the plan. */
  readonly target: CloudTarget;
}

export class FoundationStack extends TerraformStack {
  /** References the node and edge stacks consume (cross-stack outputs). */
  public readonly foundation: Foundation;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id);
    props.target.configure(this, id);
    this.foundation = props.target.foundation(this);
  }
}
