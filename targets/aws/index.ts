/** The AWS realization of a plan. */
import { TerraformStack } from 'cdktf';
import { configureState } from '../state';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import type { StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import { assetObjectId, type CloudTarget, type Foundation } from '../target';
import { awsEdge } from './edge';
import { awsFoundation, type AwsFoundation } from './foundation';
import { amiLookup, awsNodes } from './node';

/** The nested-virtualization CPU option arrived in the AWS provider 6.33; the prebuilt bindings pin 6.25. */
export const AWS_PROVIDER_CONSTRAINT = '>= 6.33.0, < 7.0.0';

/** Official CentOS images (the CentOS project's AWS account); override with ami- ids for your own. */
const CENTOS_OWNER = '125523088429';

export function awsTarget(plan: StagingPlan, config: AwsTargetConfig): CloudTarget {
  return {
    cloud: 'aws',
    configure(stack: TerraformStack, stackName: string) {
      new AwsProvider(stack, 'aws', {
        region: config.region,
        profile: config.profile,
        defaultTags: [{ tags: { rehearsal: plan.rehearsalId, 'managed-by': 'openstack-upgrade-staging', stack: stackName } }],
      });
      stack.addOverride('terraform.required_providers.aws.version', AWS_PROVIDER_CONSTRAINT);
      configureState(stack, stackName, plan, config);
    },
    foundation: (stack) => awsFoundation(stack, plan, config),
    nodes(scope, nodes, foundation, userData) {
      // One image lookup per OS and stack: data sources cannot be shared across stacks.
      const ami = amiLookup(TerraformStack.of(scope), config.imageByOs, [CENTOS_OWNER]);
      return awsNodes(scope, nodes, userData, { plan, config, foundation: foundation as AwsFoundation, ami });
    },
    upload(scope, foundation, key, content) {
      new S3Object(scope, assetObjectId(key), { bucket: foundation.buckets.assets, key, content, serverSideEncryption: 'AES256' });
    },
    edge: (stack, foundation: Foundation, active) => awsEdge(stack, plan, config, foundation as AwsFoundation, active),
  };
}
