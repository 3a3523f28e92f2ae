/** Foundation stack: networks, security groups and buckets every other stack uses. */
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { CloudTarget, Foundation } from '../targets/target';

export interface FoundationStackProps<F extends Foundation> {
  /** The cloud that realizes the plan. */
  readonly target: CloudTarget<F>;
}

export class FoundationStack<F extends Foundation = Foundation> extends TerraformStack {
  /** References the node and edge stacks consume (cross-stack outputs), in the cloud's own terms. */
  public readonly foundation: F;

  constructor(scope: Construct, id: string, props: FoundationStackProps<F>) {
    super(scope, id);
    props.target.configure(this, id);
    this.foundation = props.target.foundation(this);
  }
}
