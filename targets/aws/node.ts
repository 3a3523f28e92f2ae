/**
 * One planned node on EC2: the instance on the management subnet at its fixed
 * address, one extra interface per other network, one EBS volume per planned
 * volume (one per Swift ring device), nested virtualization where planned.
 */
import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { VolumeAttachment } from '@cdktf/provider-aws/lib/volume-attachment';
import { groupOf } from '../../plan/security';
import type { NetworkRole, NodePlan, StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import type { NodeHandle, UserDataFor } from '../target';
import type { AwsFoundation } from './foundation';
import { nodeTags } from './tags';

/** EBS attachment names /dev/sdf… (Nitro shows them as NVMe; `devicePath` maps them back). */
export const ebsDeviceName = (index: number): string => `/dev/sd${String.fromCharCode('f'.charCodeAt(0) + index)}`;

export function awsNode(scope: Construct, plan: StagingPlan, config: AwsTargetConfig, node: NodePlan, f: AwsFoundation, userData: UserDataFor, ami: (os: string) => string): NodeHandle {
  const volumes = node.volumes.map(
    (volume) =>
      new EbsVolume(scope, `${node.name}-${volume.name}`, {
        availabilityZone: node.zone,
        size: volume.sizeGiB,
        type: 'gp3',
        encrypted: true,
        tags: { ...nodeTags(plan, node, `-${volume.name}`), purpose: volume.purpose },
      }),
  );
  const instance = new Instance(scope, node.name, {
    ami: ami(node.os),
    instanceType: node.size.offer,
    availabilityZone: node.zone,
    subnetId: f.subnet('management', node.zone),
    privateIp: node.addresses.management,
    vpcSecurityGroupIds: [f.securityGroup(groupOf(node))],
    iamInstanceProfile: f.instanceProfile(node.role),
    keyName: config.keyName,
    userData: userData(volumes.map(nvmePath)),
    rootBlockDevice: { volumeSize: node.rootVolumeGiB, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
    metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
    tags: nodeTags(plan, node),
  });
  if (node.hypervisor?.acceleration === 'nested') {
    // Not in the prebuilt 6.25 bindings: needs the AWS provider >= 6.33 (see the provider constraint in awsTarget).
    instance.addOverride('cpu_options.nested_virtualization', 'enabled');
  }
  volumes.forEach((ebs, i) => {
    new VolumeAttachment(scope, `${node.name}-${node.volumes[i].name}-attach`, { deviceName: ebsDeviceName(i), volumeId: ebs.id, instanceId: instance.id });
  });
  const extra = (Object.keys(node.addresses) as NetworkRole[]).filter((n) => n !== 'management');
  extra.forEach((network, i) => {
    // Attached in the interface itself: one resource per interface, not two.
    new NetworkInterface(scope, `${node.name}-${network}`, {
      subnetId: f.subnet(network, node.zone),
      privateIps: [node.addresses[network]!],
      securityGroups: [f.securityGroup(groupOf(node))],
      description: `${node.name} on the ${network} network`,
      attachment: [{ instance: instance.id, deviceIndex: i + 1 }],
      tags: nodeTags(plan, node, `-${network}`),
    });
  });
  return { name: node.name, id: instance.id };
}

/** Nitro instances show EBS volumes as NVMe; udev names them by volume id without its dash. */
const nvmePath = (ebs: EbsVolume): string => `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${Fn.replace(ebs.id, '-', '')}`;

/** AMI per OS: an `ami-` id is used as is, anything else is an image name pattern looked up at deploy. */
export function amiLookup(scope: Construct, imageByOs: Readonly<Record<string, string>>, owners: readonly string[]): (os: string) => string {
  const cache = new Map<string, string>();
  return (os) => {
    const wanted = imageByOs[os];
    if (!wanted) throw new Error(`no image for OS ${os}: add it to imageByOs in the target config`);
    if (wanted.startsWith('ami-')) return wanted;
    if (!cache.has(os)) {
      const data = new DataAwsAmi(scope, `ami-${os}`, { mostRecent: true, owners: [...owners], filter: [{ name: 'name', values: [wanted] }, { name: 'architecture', values: ['x86_64'] }] });
      cache.set(os, data.id);
    }
    return cache.get(os)!;
  };
}

