/** Where each stack keeps its Terraform state. */
import { LocalBackend, S3Backend, type TerraformStack } from 'cdktf';
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from './config';

/**
 * Local state in `state/<rehearsal>/<stack>.tfstate` at the project root, one folder per
 * rehearsal (two profiles deployed from one checkout never share a state), written
 * relative to the stack's directory (cdktf.out/stacks/<stack>) so the output is the same
 * on every machine.
 */
export const localStatePath = (rehearsalId: string, stackName: string): string => `../../../state/${rehearsalId}/${stackName}.tfstate`;

/** S3 with a key per stack and S3-native locking when the target names a bucket; local otherwise. */
export function configureState(stack: TerraformStack, stackName: string, plan: StagingPlan, config: TargetConfig): void {
  if (!config.state) {
    new LocalBackend(stack, { path: localStatePath(plan.rehearsalId, stackName) });
    return;
  }
  new S3Backend(stack, {
    bucket: config.state.bucket,
    key: `${config.state.keyPrefix}/${plan.rehearsalId}/${stackName}.tfstate`,
    region: config.state.region ?? config.region,
    encrypt: true,
  });
  // S3-native locking (Terraform >= 1.10); no DynamoDB table needed.
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
}
