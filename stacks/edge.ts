/**
 * Edge stack: the public entry. The side it serves is its `active_side` variable,
 * the only input that changes during a rehearsal: a plan with `active_side=new` is
 * the cut-over, one with `active_side=old` the rollback. Both are prepared while the
 * API still serves and applied at the switch (`npm run stacks -- plan edge --var
 * active_side=new --out FILE`, then `npm run stacks -- apply-plan edge --plan FILE`);
 * `npx cdktf deploy edge --var active_side=new` does the same in one go.
 */
import { Op, TerraformOutput, TerraformStack, TerraformVariable, Token, conditional } from 'cdktf';
import type { Construct } from 'constructs';
import { SIDES, type Side } from '../plan/types';
import type { ActiveSide, CloudTarget, Foundation } from '../targets/target';
import { ACTIVE_SIDE_VARIABLE } from './edge-variable';

export interface EdgeStackProps<F extends Foundation> {
  readonly target: CloudTarget<F>;
  readonly foundation: F;
  /** Default of the `active_side` variable. @default the target config's activeSide */
  readonly activeSide: Side;
}

export class EdgeStack<F extends Foundation = Foundation> extends TerraformStack {
  /** Where the public APIs answer (load balancer DNS name or floating IP). */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps<F>) {
    super(scope, id);
    props.target.configure(this, id);
    const variable = new TerraformVariable(this, ACTIVE_SIDE_VARIABLE, {
      type: 'string',
      default: props.activeSide,
      description: 'the side the edge sends users to: old or new',
      validation: [
        {
          condition: `\${contains(${JSON.stringify(SIDES)}, var.${ACTIVE_SIDE_VARIABLE})}`,
          errorMessage: 'active_side must be old or new.',
        },
      ],
    });
    variable.overrideLogicalId(ACTIVE_SIDE_VARIABLE);
    const active: ActiveSide = {
      name: variable.stringValue,
      choose: (old, neu) => Token.asString(conditional(Op.eq(variable.stringValue, 'new'), neu, old)),
    };
    this.endpoint = props.target.edge(this, props.foundation, active).endpoint;
    new TerraformOutput(this, 'endpoint', { value: this.endpoint });
    new TerraformOutput(this, 'active-side', { value: active.name });
  }
}
