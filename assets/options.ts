/**
 * Asset options from a target config: its package archives, its user-data
 * limit, how its nodes get secrets and bucket files. Stacks override the device
 * mapping with the real volume paths; the `assets` command keeps stand-ins.
 */
import type { StagingPlan } from '../plan/types';
import type { TargetConfig } from '../targets/config';
import { reviewDevicePath } from './devices';
import { awsSecretsParameter } from './secrets';
import { AWS_USER_DATA_LIMIT, awsBucketFetch, type PartsOptions } from './user-data-limit';

/** Nova's user_data takes 65535 bytes of base64, so 49149 raw bytes. */
export const OPENSTACK_USER_DATA_LIMIT = 49149;

/** AWS nodes read one SecureString parameter (KEY=VALUE lines) with their instance profile and the AWS CLI. */
export const awsSecretsCommand = (plan: StagingPlan): string =>
  `aws ssm get-parameter --region ${plan.region} --with-decryption --name ${awsSecretsParameter(plan.rehearsalId)} --query Parameter.Value --output text`;

/**
 * Defaults for a plan on its target. `assetsBucket` is the bucket name where known (deploy
 * time); for review a stand-in names it. OpenStack nodes get their secrets copied over SSH
 * by the runbook (no secret store is assumed on a public cloud).
 */
export function assetOptionsFor(
  plan: StagingPlan,
  target: TargetConfig,
  overrides: Partial<PartsOptions> & { assetsBucket?: string } = {},
): PartsOptions {
  const { assetsBucket, ...rest } = overrides;
  const aws = target.cloud === 'aws';
  return {
    packageArchives: target.packageArchives,
    source: target.source,
    devicePath: reviewDevicePath(target.cloud),
    limit: aws ? AWS_USER_DATA_LIMIT : OPENSTACK_USER_DATA_LIMIT,
    ...(aws
      ? {
          secretsCommand: awsSecretsCommand(plan),
          bucketFetch: awsBucketFetch(assetsBucket ?? `ASSETS-BUCKET-OF-${plan.rehearsalId}`, plan.region),
        }
      : {}),
    ...rest,
  };
}
