/**
 * AWS foundation: VPC, one subnet per network role and zone, a NAT gateway for
 * package downloads, one security group per role and side with only the planned
 * flows, buckets for dumps, backups and assets, and the nodes' instance profiles.
 */
import { MapTerraformIterator, TerraformIterator, TerraformOutput, type TerraformStack } from 'cdktf';
import { Ec2InstanceConnectEndpoint } from '@cdktf/provider-aws/lib/ec2-instance-connect-endpoint';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { awsSecretsParameter } from '../../assets/secrets';
import { ingressMembers, securityGroups } from '../../plan/security';
import type { StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import type { Foundation } from '../target';
import { emulatorLacks } from './emulators';
import { awsBucketPrefix } from './naming';
import { tagsFor } from './tags';

export interface AwsFoundation extends Foundation {
  readonly vpcId: string;
  /** Instance profile per node role group: the toolbox may write dumps, others only read assets. */
  instanceProfile(role: string): string;
}

const shared = (plan: StagingPlan, name: string, role: string) => tagsFor(plan, { name, side: 'shared', role });

export function awsFoundation(stack: TerraformStack, plan: StagingPlan, config: AwsTargetConfig): AwsFoundation {
  const vpc = new Vpc(stack, 'vpc', {
    cidrBlock: config.networkCidr,
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags: shared(plan, 'vpc', 'network'),
  });
  const subnets = new Map<string, Subnet>();
  for (const network of plan.networks) {
    for (const s of network.subnets) {
      subnets.set(
        `${network.role}/${s.zone}`,
        new Subnet(stack, `subnet-${network.role}-${s.zone}`, {
          vpcId: vpc.id,
          cidrBlock: s.cidr,
          availabilityZone: s.zone,
          mapPublicIpOnLaunch: false,
          tags: shared(plan, `${network.role}-${s.zone}`, 'network'),
        }),
      );
    }
  }
  routes(stack, plan, vpc, subnets);
  const access = operatorAccess(stack, plan, config, vpc, subnets);
  const groups = groupsAndRules(stack, plan, config, vpc, access);
  const buckets = bucketsOf(stack, plan);
  const profiles = instanceProfiles(stack, plan, buckets);
  // One reference per subnet, shared by every node that uses it (synthesis resolves it once per call).
  const subnetIds = new Map([...subnets].map(([key, subnet]) => [key, subnet.id]));
  return {
    vpcId: vpc.id,
    subnet: (network, zone) => subnetIds.get(`${network}/${zone}`)!,
    securityGroup: (group) => groups.get(group)!,
    buckets: { dumps: buckets.dumps.bucket, backups: buckets.backups.bucket, assets: buckets.assets.bucket },
    instanceProfile: (role) => (role === 'migration-toolbox' ? profiles.toolbox : profiles.node),
  };
}

/** The API network is public (load balancer); the others leave through one NAT gateway. */
function routes(stack: TerraformStack, plan: StagingPlan, vpc: Vpc, subnets: Map<string, Subnet>): void {
  const igw = new InternetGateway(stack, 'igw', { vpcId: vpc.id, tags: shared(plan, 'igw', 'network') });
  const publicRt = new RouteTable(stack, 'rt-public', {
    vpcId: vpc.id,
    route: [{ cidrBlock: '0.0.0.0/0', gatewayId: igw.id }],
    tags: shared(plan, 'rt-public', 'network'),
  });
  const firstApi = plan.networks.find((n) => n.role === 'api')!.subnets[0];
  const eip = new Eip(stack, 'nat-ip', { domain: 'vpc', tags: shared(plan, 'nat-ip', 'network') });
  const nat = new NatGateway(stack, 'nat', {
    allocationId: eip.id,
    subnetId: subnets.get(`api/${firstApi.zone}`)!.id,
    tags: shared(plan, 'nat', 'network'),
  });
  const privateRt = new RouteTable(stack, 'rt-private', {
    vpcId: vpc.id,
    route: [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }],
    tags: shared(plan, 'rt-private', 'network'),
  });
  for (const [key, subnet] of subnets) {
    new RouteTableAssociation(stack, `rta-${key.replace('/', '-')}`, {
      subnetId: subnet.id,
      routeTableId: key.startsWith('api/') ? publicRt.id : privateRt.id,
    });
  }
}

/**
 * Operators reach the private nodes through an EC2 Instance Connect Endpoint: no
 * bastion to patch, no public address on any node, access granted by IAM. The
 * foundation outputs an SSH configuration that tunnels through it.
 */
function operatorAccess(
  stack: TerraformStack,
  plan: StagingPlan,
  config: AwsTargetConfig,
  vpc: Vpc,
  subnets: Map<string, Subnet>,
): SecurityGroup {
  const sg = new SecurityGroup(stack, 'sg-operator-access', {
    name: `${plan.rehearsalId}-operator-access`,
    description: `operators' SSH path into rehearsal ${plan.rehearsalId}`,
    vpcId: vpc.id,
    tags: shared(plan, 'operator-access', 'access'),
  });
  new VpcSecurityGroupEgressRule(stack, 'sg-operator-access-out-22', {
    securityGroupId: sg.id,
    ipProtocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidrIpv4: config.networkCidr,
    description: 'SSH to the staging nodes',
    tags: shared(plan, 'operator-access out tcp/22', 'access'),
  });
  if (emulatorLacks(config, Ec2InstanceConnectEndpoint.tfResourceType)) return sg;
  const zone = config.availabilityZones[0];
  const endpoint = new Ec2InstanceConnectEndpoint(stack, 'operator-access', {
    subnetId: subnets.get(`management/${zone}`)!.id,
    securityGroupIds: [sg.id],
    preserveClientIp: false,
    tags: shared(plan, 'operator-access', 'access'),
  });
  const proxy = `  ProxyCommand aws ec2-instance-connect open-tunnel --region ${config.region} --instance-connect-endpoint-id ${endpoint.id} --private-ip-address %h --remote-port %p`;
  // KVM guests are reached at their own addresses too (the tunnel goes by address, not by instance); their hosts run Debian.
  const hosts = plan.placement.kind === 'hypervisors' ? plan.placement.hosts.map((h) => h.addresses.management) : [];
  new TerraformOutput(stack, 'ssh-config', {
    description: 'SSH configuration reaching every node through the Instance Connect Endpoint; Include it from ~/.ssh/config',
    value: [
      `# Staging nodes of ${plan.rehearsalId}, through the EC2 Instance Connect Endpoint (operators need ec2-instance-connect:OpenTunnel).`,
      `Host ${plan.nodes.map((n) => n.addresses.management).join(' ')}`,
      '  User centos',
      proxy,
      ...(hosts.length
        ? [`# Their hypervisor hosts (Debian's cloud images log in as admin).`, `Host ${hosts.join(' ')}`, '  User admin', proxy]
        : []),
      '',
    ].join('\n'),
  });
  return sg;
}

/** Security group ids by group name (one reference each, shared by its rules). */
function groupsAndRules(
  stack: TerraformStack,
  plan: StagingPlan,
  config: AwsTargetConfig,
  vpc: Vpc,
  access: SecurityGroup,
): Map<string, string> {
  const groups = new Map<string, string>();
  const vpcId = vpc.id;
  const http: Record<string, object> = {};
  const staging: Record<string, object> = {};
  for (const group of securityGroups(plan)) {
    const sg = new SecurityGroup(stack, `sg-${group}`, {
      name: `${plan.rehearsalId}-${group}`,
      description: `${group} nodes of rehearsal ${plan.rehearsalId}`,
      vpcId,
      tags: groupTags(plan, group, group),
    });
    const id = sg.id;
    groups.set(group, id);
    // Outbound: package archives over HTTP(S), and the VPC (the inbound rules are the gate).
    for (const port of [80, 443])
      http[`${group} tcp/${port}`] = { group: id, port, tags: groupTags(plan, group, `${group} out tcp/${port}`) };
    staging[group] = { group: id, tags: groupTags(plan, group, `${group} out staging`) };
  }
  // Rules are `for_each` resources keyed by what they allow: a handful of resources, not hundreds.
  const out = TerraformIterator.fromMap(http);
  new VpcSecurityGroupEgressRule(stack, 'egress-package-archives', {
    forEach: out,
    securityGroupId: out.getString('group'),
    ipProtocol: 'tcp',
    fromPort: out.getNumber('port'),
    toPort: out.getNumber('port'),
    cidrIpv4: '0.0.0.0/0',
    description: 'package archives',
    tags: out.getStringMap('tags'),
  });
  const internal = TerraformIterator.fromMap(staging);
  new VpcSecurityGroupEgressRule(stack, 'egress-staging-network', {
    forEach: internal,
    securityGroupId: internal.getString('group'),
    ipProtocol: '-1',
    cidrIpv4: config.networkCidr,
    description: 'staging network',
    tags: internal.getStringMap('tags'),
  });

  const { fromGroups, fromCidrs } = ingressMembers(plan, config.adminCidrs, {
    group: (name) => groups.get(name)!,
    operatorAccess: access.id,
    extra: (key, group) => ({ tags: groupTags(plan, group, key) }),
  });
  const byGroup = TerraformIterator.fromMap(fromGroups);
  new VpcSecurityGroupIngressRule(stack, 'ingress-from-groups', {
    forEach: byGroup,
    ...ingress(byGroup),
    referencedSecurityGroupId: byGroup.getString('source'),
  });
  const byCidr = TerraformIterator.fromMap(fromCidrs);
  new VpcSecurityGroupIngressRule(stack, 'ingress-from-cidrs', {
    forEach: byCidr,
    ...ingress(byCidr),
    cidrIpv4: byCidr.getString('source'),
  });
  return groups;
}

/** Tags of a security group and of its rules: the side and role of the nodes it guards. */
const groupTags = (plan: StagingPlan, group: string, name: string) =>
  tagsFor(plan, {
    name,
    side: /^(hypervisors-)?old(-|$)/.test(group) ? 'old' : /^(hypervisors-)?new(-|$)/.test(group) ? 'new' : 'shared',
    role: group.startsWith('hypervisors-') ? 'hypervisor' : group.replace(/^(old|new)-/, ''),
  });

const ingress = (each: MapTerraformIterator) => ({
  tags: each.getStringMap('tags'),
  securityGroupId: each.getString('group'),
  ipProtocol: each.getString('protocol'),
  fromPort: each.getNumber('from'),
  toPort: each.getNumber('to'),
  description: each.getString('description'),
});

type Buckets = Record<'dumps' | 'backups' | 'assets', S3Bucket> & { readonly productionDataKey: KmsKey };

function bucketsOf(stack: TerraformStack, plan: StagingPlan): Buckets {
  // Production's databases and configuration, copied: under a key of the rehearsal's own, which only
  // the toolbox's role may use (the account's administrators keep the key policy's default access).
  const productionDataKey = new KmsKey(stack, 'production-data', {
    description: `production dumps and backups of rehearsal ${plan.rehearsalId}`,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    tags: shared(plan, 'production-data', 'storage'),
  });
  const make = (purpose: 'dumps' | 'backups' | 'assets'): S3Bucket => {
    // A prefix, not a name: bucket names are global; the suffix is drawn at deploy time.
    const bucket = new S3Bucket(stack, `bucket-${purpose}`, {
      bucketPrefix: awsBucketPrefix(plan.rehearsalId, purpose),
      // Kept production data is never emptied by Terraform: the teardown takes it out of state first.
      forceDestroy: purpose === 'assets' || !plan.keepBackups,
      tags: shared(plan, purpose, 'storage'),
    });
    new S3BucketPublicAccessBlock(stack, `bucket-${purpose}-private`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(stack, `bucket-${purpose}-sse`, {
      bucket: bucket.id,
      rule: [
        purpose === 'assets'
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }
          : {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: productionDataKey.arn },
              bucketKeyEnabled: true,
            },
      ],
    });
    new S3BucketVersioningA(stack, `bucket-${purpose}-versions`, {
      bucket: bucket.id,
      versioningConfiguration: { status: purpose === 'backups' ? 'Enabled' : 'Suspended' },
    });
    return bucket;
  };
  return { dumps: make('dumps'), backups: make('backups'), assets: make('assets'), productionDataKey };
}

function instanceProfiles(stack: TerraformStack, plan: StagingPlan, buckets: Buckets): { node: string; toolbox: string } {
  const assume = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
  // The one SecureString parameter `secrets/create-secrets.sh` creates; nodes only read it.
  const secrets = `arn:aws:ssm:${plan.region}:*:parameter${awsSecretsParameter(plan.rehearsalId)}`;
  const make = (id: string, statements: object[]) => {
    const role = new IamRole(stack, `role-${id}`, {
      name: `${plan.rehearsalId}-${id}`,
      assumeRolePolicy: assume,
      tags: shared(plan, id, 'iam'),
    });
    new IamRolePolicy(stack, `role-${id}-policy`, {
      role: role.id,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    });
    return new IamInstanceProfile(stack, `profile-${id}`, {
      name: `${plan.rehearsalId}-${id}`,
      role: role.name,
      tags: shared(plan, id, 'iam'),
    }).name;
  };
  const readAssets = { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`${buckets.assets.arn}/*`] };
  const readSecrets = { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [secrets] };
  return {
    node: make('node', [readAssets, readSecrets]),
    toolbox: make('toolbox', [
      readAssets,
      readSecrets,
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        Resource: [buckets.dumps.arn, `${buckets.dumps.arn}/*`, buckets.backups.arn, `${buckets.backups.arn}/*`],
      },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: [buckets.productionDataKey.arn] },
    ]),
  };
}
