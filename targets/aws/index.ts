/** The AWS realization of a plan. */
import { TerraformStack } from 'cdktf';
import { configureState } from '../state';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import type { StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import { assetObjectId, type CloudTarget } from '../target';
import { awsEdge } from './edge';
import { awsFoundation, type AwsFoundation } from './foundation';
import { awsHosts } from './hosts';
import { amiLookup, awsNodes } from './node';

/**
 * AWS provider versions the stacks are tested with: the local deploy test applies them
 * with 5.100.0 (the offline mirror) and the prebuilt bindings are 6.25's. The
 * nested-virtualization CPU option arrived in 6.33, so a plan that uses it needs that.
 */
export const AWS_PROVIDER_TESTED = '>= 5.100.0, < 7.0.0';
export const AWS_PROVIDER_NESTED_KVM = '>= 6.33.0, < 7.0.0';

/** The constraint every stack of a plan declares. */
export const awsProviderConstraint = (plan: StagingPlan): string => (nestedInstances(plan) ? AWS_PROVIDER_NESTED_KVM : AWS_PROVIDER_TESTED);

/** Whether any instance of the plan uses the nested-virtualization CPU option: a compute node, or a host that is not bare metal. */
function nestedInstances(plan: StagingPlan): boolean {
  if (plan.placement.kind === 'hypervisors') return plan.placement.hosts.some((h) => h.kvm === 'nested');
  return plan.nodes.some((n) => n.hypervisor?.acceleration === 'nested');
}

/** Services the stacks and the nodes call, all sent to one `endpoint` when the target config gives one. */
const ENDPOINT_SERVICES = ['ec2', 'elbv2', 'iam', 'kms', 's3', 'ssm', 'sts'] as const;

/** Provider settings for an AWS-compatible endpoint: every service at that URL, no look-ups AWS alone answers. */
export function endpointSettings(url: string) {
  return {
    endpoints: [Object.fromEntries(ENDPOINT_SERVICES.map((service) => [service, url]))],
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: 'true',
    s3UsePathStyle: true,
  };
}

/** Official CentOS images (the CentOS project's AWS account); override with ami- ids for your own. */
const CENTOS_OWNER = '125523088429';
/** Official Debian images (the Debian cloud team's AWS account), which the hypervisor hosts boot. */
const DEBIAN_OWNER = '136693071363';

export function awsTarget(plan: StagingPlan, config: AwsTargetConfig): CloudTarget<AwsFoundation> {
  return {
    cloud: 'aws',
    configure(stack: TerraformStack, stackName: string) {
      new AwsProvider(stack, 'aws', {
        region: config.region,
        profile: config.profile,
        defaultTags: [{ tags: { rehearsal: plan.rehearsalId, 'managed-by': 'openstack-upgrade-staging', stack: stackName } }],
        ...(config.endpoint ? endpointSettings(config.endpoint) : {}),
      });
      stack.addOverride('terraform.required_providers.aws.version', awsProviderConstraint(plan));
      configureState(stack, stackName, plan, config);
    },
    foundation: (stack) => awsFoundation(stack, plan, config),
    nodes(scope, nodes, foundation, userData) {
      // One image lookup per OS and stack: data sources cannot be shared across stacks.
      const ami = amiLookup(TerraformStack.of(scope), config.imageByOs, [CENTOS_OWNER]);
      return awsNodes(scope, nodes, userData, { plan, config, foundation, ami });
    },
    hosts(scope, hosts, foundation, userData) {
      const image = config.hypervisors.hostImage!;
      const ami = amiLookup(TerraformStack.of(scope), { 'host-debian-12': image }, [DEBIAN_OWNER])('host-debian-12');
      return awsHosts(scope, hosts, userData, { plan, config, foundation, ami });
    },
    upload(scope, foundation, key, content) {
      new S3Object(scope, assetObjectId(key), { bucket: foundation.buckets.assets, key, content, serverSideEncryption: 'AES256' });
    },
    edge: (stack, foundation, active) => awsEdge(stack, plan, config, foundation, active),
  };
}
