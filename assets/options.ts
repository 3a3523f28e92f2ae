/**
 * Asset options from a target config: its package archives, its user-data
 * limit, how its nodes get secrets and bucket files. Stacks override the device
 * mapping with the real volume paths; the `assets` command keeps stand-ins.
 */
import type { StagingPlan } from '../plan/types';
import type { SecretStore } from '../targets/cloud-facts';
import type { TargetConfig } from '../targets/config';
import { factsOf } from '../targets/facts';
import { reviewDevicePath } from './devices';
import { guestDevicePath } from './libvirt';
import { awsSecretsParameter } from './secrets';
import { awsBucketFetch, type PartsOptions } from './user-data-limit';

/** AWS nodes read one SecureString parameter (KEY=VALUE lines) with their instance profile and the AWS CLI. */
export const awsSecretsCommand = (plan: StagingPlan): string =>
  `aws ssm get-parameter --region ${plan.region} --with-decryption --name ${awsSecretsParameter(plan.rehearsalId)} --query Parameter.Value --output text`;

/**
 * How a node gets its secrets and, when its user data is over the limit, its files.
 * Nodes with an identity of the cloud (an instance profile) fetch both themselves;
 * elsewhere the runbook copies the secrets file over SSH, and the user data is in
 * limit (the target refuses a plan whose user data is not).
 */
const NODE_FETCH: Record<SecretStore, (plan: StagingPlan, assetsBucket: string) => Partial<PartsOptions>> = {
  'ssm-parameter': (plan, bucket) => ({ secretsCommand: awsSecretsCommand(plan), bucketFetch: awsBucketFetch(bucket, plan.region) }),
  'file-over-ssh': () => ({}),
};

/**
 * Defaults for a plan on its target. `assetsBucket` is the bucket name where known (deploy
 * time); for review a stand-in names it.
 */
export function assetOptionsFor(
  plan: StagingPlan,
  target: TargetConfig,
  overrides: Partial<PartsOptions> & { assetsBucket?: string } = {},
): PartsOptions {
  const { assetsBucket, ...rest } = overrides;
  const facts = factsOf(target.cloud);
  // A KVM guest sees its volumes as serial-named virtio disks, and its document is a NoCloud seed, which has no size limit.
  const guests = plan.placement.kind === 'hypervisors';
  return {
    packageArchives: target.packageArchives,
    osArchives: target.osArchives,
    epelArchives: target.epelArchives,
    source: target.source,
    devicePath: guests ? guestDevicePath : reviewDevicePath(target.cloud),
    limit: guests ? Number.MAX_SAFE_INTEGER : facts.userDataLimit,
    ...NODE_FETCH[facts.secretStore](plan, assetsBucket ?? `ASSETS-BUCKET-OF-${plan.rehearsalId}`),
    ...('profile' in target || 'endpoint' in target
      ? {
          operatorAws: {
            ...('profile' in target && target.profile ? { profile: target.profile } : {}),
            ...('endpoint' in target && target.endpoint ? { endpoint: target.endpoint } : {}),
          },
        }
      : {}),
    ...rest,
  };
}
