/**
 * Edge stack: the public entry. The active side is its only input that changes
 * during a rehearsal: `STAGING_ACTIVE_SIDE=new cdktf deploy edge` is the cut-over,
 * `STAGING_ACTIVE_SIDE=old cdktf deploy edge` the rollback.
 */
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Side } from '../plan/types';
import type { CloudTarget, Foundation } from '../targets/target';

export interface EdgeStackProps {
  readonly target: CloudTarget;
  readonly foundation: Foundation;
  /** Side the listeners forward to. @default the target config's activeSide */
  readonly activeSide: Side;
}

export class EdgeStack extends TerraformStack {
  public readonly activeSide: Side;
  /** Where the public APIs answer (load balancer DNS name or floating IP). */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id);
    props.target.configure(this, id);
    this.activeSide = props.activeSide;
    this.endpoint = props.target.edge(this, props.foundation, props.activeSide).endpoint;
    new TerraformOutput(this, 'endpoint', { value: this.endpoint });
    new TerraformOutput(this, 'active-side', { value: props.activeSide });
  }
}
