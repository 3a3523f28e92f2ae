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
import { NETWORK_ROLES, type NetworkRole, type NodePlan, type StagingPlan } from '../../plan/types';
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
  const interfaces = interfacesOf(scope, nodes, props);
  const instanceIds = new Map<string, string>();
  // Nested virtualization is an override of the whole resource: one resource per kind of node.
  for (const nested of [false, true]) {
    const group = nodes.filter((n) => (n.hypervisor?.acceleration === 'nested') === nested);
    if (group.length === 0) continue;
    const id = nested ? 'nested-kvm-nodes' : 'nodes';
    const instances = instancesOf(scope, id, group, userData, volumes, interfaces, props);
    if (nested) {
      // Not in the prebuilt 6.25 bindings: needs the AWS provider >= 6.33 (see the provider constraint in awsTarget).
      instances.addOverride('cpu_options.nested_virtualization', 'enabled');
    }
    const instance = memberExpressions(instances);
    for (const node of group) instanceIds.set(node.name, interpolate(instance(node.name, 'id')));
  }
  attachVolumes(scope, nodes, volumes, instanceIds);
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
  interfaces: InterfaceIds,
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
        interfaces: networksOf(node).map((network, index) => ({ id: interfaces.get(`${node.name}/${network}`)!, index })),
        profile: f.instanceProfile(node.role),
        userData: userData(node)(node.volumes.map((v) => nvmePath(volumes.get(`${node.name}/${v.name}`)!))),
        root: node.rootVolumeGiB,
        tags: nodeTags(plan, node),
      },
    ]),
  );
  const each = TerraformIterator.fromMap(byName);
  const instances = new Instance(scope, id, {
    forEach: each,
    ami: each.getString('ami'),
    instanceType: each.getString('type'),
    availabilityZone: each.getString('zone'),
    iamInstanceProfile: each.getString('profile'),
    keyName: config.keyName,
    userData: each.getString('userData'),
    rootBlockDevice: { volumeSize: each.getNumber('root'), volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
    metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
    tags: each.getStringMap('tags'),
  });
  // Every interface is attached at launch, the management one as the primary: the OS sees them all at
  // its first boot, and terminating the instance releases them without a detach to wait for.
  instances.addOverride('dynamic.network_interface', {
    for_each: '${each.value.interfaces}',
    content: { network_interface_id: '${network_interface.value.id}', device_index: '${network_interface.value.index}' },
  });
  return instances;
}

/** Nitro instances show EBS volumes as NVMe; udev names them by volume id without its dash (a volume id expression in). */
export const nvmePath = (volumeId: string): string =>
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

/** Interface id expressions by `node/network` key, into one `for_each` resource. */
type InterfaceIds = ReadonlyMap<string, string>;

/** The networks a node joins, management first (the primary interface, device 0). */
const networksOf = (node: NodePlan): NetworkRole[] => NETWORK_ROLES.filter((network) => node.addresses[network] !== undefined);

/** One interface per network the node joins, at its planned address, guarded by the node's security group. */
function interfacesOf(scope: Construct, nodes: readonly NodePlan[], { plan, foundation: f }: AwsNodesProps): InterfaceIds {
  const entries = nodes.flatMap((node) =>
    networksOf(node).map(
      (network) =>
        [
          `${node.name}/${network}`,
          {
            subnet: f.subnet(network, node.zone),
            address: node.addresses[network]!,
            group: f.securityGroup(groupOf(node)),
            description: `${node.name} on the ${network} network`,
            tags: nodeTags(plan, node, `-${network}`),
          },
        ] as const,
    ),
  );
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const resource = new NetworkInterface(scope, 'interfaces', {
    forEach: each,
    subnetId: each.getString('subnet'),
    privateIps: [each.getString('address')],
    securityGroups: [each.getString('group')],
    description: each.getString('description'),
    tags: each.getStringMap('tags'),
  });
  const member = memberExpressions(resource);
  return new Map(entries.map(([key]) => [key, interpolate(member(key, 'id'))]));
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
