/**
 * What the EC2 instances of nodes and of hypervisor hosts share: encrypted gp3
 * volumes, their attachments, and instances launched with every interface attached
 * and IMDSv2 required, each kind of resource one `for_each` keyed by name.
 */
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { EbsVolume } from '@cdktf/provider-aws/lib/ebs-volume';
import { Instance } from '@cdktf/provider-aws/lib/instance';
import { VolumeAttachment } from '@cdktf/provider-aws/lib/volume-attachment';
import { interpolate, memberExpressions } from '../for-each';
import { ebsDeviceName, NVME_BY_ID_PREFIX } from './disks';
import { AWS_FACTS } from './facts';

/** Nitro instances show EBS volumes as NVMe; udev names them by volume id without its dash (a volume id expression in). */
export const nvmePath = (volumeId: string): string => `${NVME_BY_ID_PREFIX}${interpolate(`replace(${volumeId}, "-", "")`)}`;

/** Where an instance of a type finds its `index`-th volume (a volume id expression in): by id on Nitro, by attachment name on Xen. */
export const ebsVolumeDevice = (instanceType: string, index: number, volumeId: string): string =>
  AWS_FACTS.volumeDevice(instanceType, index, interpolate(`replace(${volumeId}, "-", "")`));

export interface VolumeSpec {
  readonly zone: string;
  readonly size: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** One `for_each` of encrypted gp3 volumes; the id expression of each, by key. */
export function ebsVolumes(scope: Construct, id: string, entries: readonly (readonly [string, VolumeSpec])[]): ReadonlyMap<string, string> {
  if (entries.length === 0) return new Map();
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const resource = new EbsVolume(scope, id, {
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

/** Each volume (an id expression) attached to an instance (an id interpolation), as device `index` of that instance. */
export function attachVolumes(
  scope: Construct,
  id: string,
  entries: readonly (readonly [string, { readonly volume: string; readonly instance: string; readonly index: number }])[],
): void {
  if (entries.length === 0) return;
  const members = entries.map(([key, a]) => [key, { device: ebsDeviceName(a.index), volume: interpolate(a.volume), instance: a.instance }]);
  const each = TerraformIterator.fromMap(Object.fromEntries(members));
  new VolumeAttachment(scope, id, {
    forEach: each,
    deviceName: each.getString('device'),
    volumeId: each.getString('volume'),
    instanceId: each.getString('instance'),
  });
}

export interface MachineSpec {
  readonly ami: string;
  readonly type: string;
  readonly zone: string;
  /** Interface ids by device index, the first the primary. */
  readonly interfaces: readonly { readonly id: string; readonly index: number }[];
  readonly profile: string;
  readonly userData: string;
  readonly root: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface LaunchOptions {
  readonly keyName?: string;
  /** Nested virtualization (not in the prebuilt 6.25 bindings: the AWS provider >= 6.33, see awsTarget's constraint). */
  readonly nested: boolean;
  /** Network hops of an IMDSv2 token reply: 1 for an instance's own processes, 2 where a host passes its guests' requests on. */
  readonly metadataHops: 1 | 2;
}

/** One `for_each` of instances; the id interpolation of each, by name. */
export function launch(
  scope: Construct,
  id: string,
  byName: Readonly<Record<string, MachineSpec>>,
  options: LaunchOptions,
): Map<string, string> {
  const each = TerraformIterator.fromMap(byName);
  const instances = new Instance(scope, id, {
    forEach: each,
    ami: each.getString('ami'),
    instanceType: each.getString('type'),
    availabilityZone: each.getString('zone'),
    iamInstanceProfile: each.getString('profile'),
    keyName: options.keyName,
    userData: each.getString('userData'),
    rootBlockDevice: { volumeSize: each.getNumber('root'), volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
    metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: options.metadataHops },
    tags: each.getStringMap('tags'),
  });
  // Every interface is attached at launch, the first as the primary: the OS sees them all at its first
  // boot, and terminating the instance releases them without a detach to wait for.
  instances.addOverride('dynamic.network_interface', {
    for_each: '${each.value.interfaces}',
    content: { network_interface_id: '${network_interface.value.id}', device_index: '${network_interface.value.index}' },
  });
  if (options.nested) instances.addOverride('cpu_options.nested_virtualization', 'enabled');
  const instance = memberExpressions(instances);
  return new Map(Object.keys(byName).map((name) => [name, interpolate(instance(name, 'id'))]));
}
