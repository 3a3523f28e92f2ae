/**
 * The planned nodes of one stack on EC2: each instance on the management subnet at
 * its fixed address, one extra interface per other network, one EBS volume per
 * planned volume (one per Swift ring device), nested virtualization where planned.
 *
 * Each kind of resource is one `for_each` over the stack's nodes rather than one
 * resource per node: Terraform still tracks every instance, volume and interface
 * by its node's name, while cdktf synthesizes a few resources instead of thousands
 * (about five times faster on a one-to-one clone).
 */
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { VolumeAttachment } from '@cdktf/provider-aws/lib/volume-attachment';
import { groupOf } from '../../plan/security';
import type { NetworkRole, NodePlan, StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import { interpolate, memberExpressions } from '../for-each';
import type { NodeHandle, UserDataFor } from '../target';
import type { AwsFoundation } from './foundation';
import { nodeTags } from './tags';

/** EBS attachment names /dev/sdf… (Nitro shows them as NVMe; the user data finds them by volume id). */
export const ebsDeviceName = (index: number): string => `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`;

export interface AwsNodesProps {
  readonly plan: StagingPlan;
  readonly config: AwsTargetConfig;
  readonly foundation: AwsFoundation;
  /** AMI of an OS. */
  readonly ami: (os: string) => string;
}

export function awsNodes(
  scope: Construct,
  nodes: readonly NodePlan[],
  userData: (node: NodePlan) => UserDataFor,
  props: AwsNodesProps,
): NodeHandle[] {
  const volumes = volumesOf(scope, nodes, props);
  const instanceIds = new Map<string, string>();
  // Nested virtualization is an override of the whole resource: one resource per kind of node.
  for (const nested of [false, true]) {
    const group = nodes.filter((n) => (n.hypervisor?.acceleration === 'nested') === nested);
    if (group.length === 0) continue;
    const id = nested ? 'nested-kvm-nodes' : 'nodes';
    const instances = instancesOf(scope, id, group, userData, volumes, props);
    if (nested) {
      // Not in the prebuilt 6.25 bindings: needs the AWS provider >= 6.33 (see the provider constraint in awsTarget).
      instances.addOverride('cpu_options.nested_virtualization', 'enabled');
    }
    const instance = memberExpressions(instances);
    for (const node of group) instanceIds.set(node.name, interpolate(instance(node.name, 'id')));
  }
  attachVolumes(scope, nodes, volumes, instanceIds);
  extraInterfaces(scope, nodes, instanceIds, props);
  return nodes.map((node) => ({ name: node.name, id: instanceIds.get(node.name)! }));
}

/** Volume id expressions by `node/volume` key, into one `for_each` resource. */
type VolumeIds = ReadonlyMap<string, string>;

function volumesOf(scope: Construct, nodes: readonly NodePlan[], { plan }: AwsNodesProps): VolumeIds {
  const entries = nodes.flatMap((node) =>
    node.volumes.map(
      (volume) =>
        [
          `${node.name}/${volume.name}`,
          { zone: node.zone, size: volume.sizeGiB, tags: { ...nodeTags(plan, node, `-${volume.name}`), purpose: volume.purpose } },
        ] as const,
    ),
  );
  if (entries.length === 0) return new Map();
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const resource = new EbsVolume(scope, 'volumes', {
    forEach: each,
    availabilityZone: each.getString('zone'),
    size: each.getNumber('size'),
    type: 'gp3',
    encrypted: true,
    tags: each.getStringMap('tags'),
  });
  const volume = memberExpressions(resource);
  return new Map(entries.map(([key]) => [key, volume(key, 'id')]));
}

function instancesOf(
  scope: Construct,
  id: string,
  nodes: readonly NodePlan[],
  userData: (node: NodePlan) => UserDataFor,
  volumes: VolumeIds,
  props: AwsNodesProps,
): Instance {
  const { plan, config, foundation: f, ami } = props;
  const byName = Object.fromEntries(
    nodes.map((node) => [
      node.name,
      {
        ami: ami(node.os),
        type: node.size.offer,
        zone: node.zone,
        subnet: f.subnet('management', node.zone),
        address: node.addresses.management,
        group: f.securityGroup(groupOf(node)),
        profile: f.instanceProfile(node.role),
        userData: userData(node)(node.volumes.map((v) => nvmePath(volumes.get(`${node.name}/${v.name}`)!))),
        root: node.rootVolumeGiB,
        tags: nodeTags(plan, node),
      },
    ]),
  );
  const each = TerraformIterator.fromMap(byName);
  return new Instance(scope, id, {
    forEach: each,
    ami: each.getString('ami'),
    instanceType: each.getString('type'),
    availabilityZone: each.getString('zone'),
    subnetId: each.getString('subnet'),
    privateIp: each.getString('address'),
    vpcSecurityGroupIds: [each.getString('group')],
    iamInstanceProfile: each.getString('profile'),
    keyName: config.keyName,
    userData: each.getString('userData'),
    rootBlockDevice: { volumeSize: each.getNumber('root'), volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
    metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
    tags: each.getStringMap('tags'),
  });
}

/** Nitro instances show EBS volumes as NVMe; udev names them by volume id without its dash. */
const nvmePath = (volumeId: string): string =>
  `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${interpolate(`replace(${volumeId}, "-", "")`)}`;

function attachVolumes(scope: Construct, nodes: readonly NodePlan[], volumes: VolumeIds, instanceIds: ReadonlyMap<string, string>): void {
  const entries = nodes.flatMap((node) =>
    node.volumes.map((volume, i) => {
      const key = `${node.name}/${volume.name}`;
      return [key, { device: ebsDeviceName(i), volume: interpolate(volumes.get(key)!), instance: instanceIds.get(node.name)! }] as const;
    }),
  );
  if (entries.length === 0) return;
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  new VolumeAttachment(scope, 'volume-attachments', {
    forEach: each,
    deviceName: each.getString('device'),
    volumeId: each.getString('volume'),
    instanceId: each.getString('instance'),
  });
}

/** One interface per network besides management, attached in the interface itself. */
function extraInterfaces(
  scope: Construct,
  nodes: readonly NodePlan[],
  instanceIds: ReadonlyMap<string, string>,
  { plan, foundation: f }: AwsNodesProps,
): void {
  const entries = nodes.flatMap((node) =>
    (Object.keys(node.addresses) as NetworkRole[])
      .filter((network) => network !== 'management')
      .map(
        (network, i) =>
          [
            `${node.name}/${network}`,
            {
              subnet: f.subnet(network, node.zone),
              address: node.addresses[network]!,
              group: f.securityGroup(groupOf(node)),
              description: `${node.name} on the ${network} network`,
              instance: instanceIds.get(node.name)!,
              index: i + 1,
              tags: nodeTags(plan, node, `-${network}`),
            },
          ] as const,
      ),
  );
  if (entries.length === 0) return;
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  new NetworkInterface(scope, 'interfaces', {
    forEach: each,
    subnetId: each.getString('subnet'),
    privateIps: [each.getString('address')],
    securityGroups: [each.getString('group')],
    description: each.getString('description'),
    attachment: [{ instance: each.getString('instance'), deviceIndex: each.getNumber('index') }],
    tags: each.getStringMap('tags'),
  });
}

/** AMI per OS: an `ami-` id is used as is, anything else is an image name pattern looked up at deploy. */
export function amiLookup(
  scope: Construct,
  imageByOs: Readonly<Record<string, string>>,
  owners: readonly string[],
): (os: string) => string {
  const cache = new Map<string, string>();
  return (os) => {
    const wanted = imageByOs[os];
    if (!wanted) throw new Error(`no image for OS ${os}: add it to imageByOs in the target config`);
    if (wanted.startsWith('ami-')) return wanted;
    if (!cache.has(os)) {
      const data = new DataAwsAmi(scope, `ami-${os}`, {
        mostRecent: true,
        owners: [...owners],
        filter: [
          { name: 'name', values: [wanted] },
          { name: 'architecture', values: ['x86_64'] },
        ],
      });
      cache.set(os, data.id);
    }
    return cache.get(os)!;
  };
}
