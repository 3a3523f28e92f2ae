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
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { groupOf } from '../../plan/security';
import { NETWORK_ROLES, type NetworkRole, type NodePlan, type StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import { interpolate, memberExpressions } from '../for-each';
import type { NodeHandle, UserDataFor } from '../target';
import type { AwsFoundation } from './foundation';
import { attachVolumes, ebsVolumeDevice, ebsVolumes, launch } from './machines';
import { nodeTags } from './tags';

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
  const { plan, config, foundation: f, ami } = props;
  const volumes = ebsVolumes(
    scope,
    'volumes',
    nodes.flatMap((node) =>
      node.volumes.map(
        (volume) =>
          [
            `${node.name}/${volume.name}`,
            { zone: node.zone, size: volume.sizeGiB, tags: { ...nodeTags(plan, node, `-${volume.name}`), purpose: volume.purpose } },
          ] as const,
      ),
    ),
  );
  const interfaces = interfacesOf(scope, nodes, props);
  const instanceIds = new Map<string, string>();
  // Nested virtualization is an override of the whole resource: one resource per kind of node.
  for (const nested of [false, true]) {
    const group = nodes.filter((n) => (n.hypervisor?.acceleration === 'nested') === nested);
    if (group.length === 0) continue;
    const byName = Object.fromEntries(
      group.map((node) => [
        node.name,
        {
          ami: ami(node.os),
          type: node.size.offer,
          zone: node.zone,
          interfaces: networksOf(node).map((network, index) => ({ id: interfaces.get(`${node.name}/${network}`)!, index })),
          profile: f.instanceProfile(node.role),
          userData: userData(node)(node.volumes.map((v, i) => ebsVolumeDevice(node.size.offer, i, volumes.get(`${node.name}/${v.name}`)!))),
          root: node.rootVolumeGiB,
          tags: nodeTags(plan, node),
        },
      ]),
    );
    const ids = launch(scope, nested ? 'nested-kvm-nodes' : 'nodes', byName, { keyName: config.keyName, nested, metadataHops: 1 });
    for (const [name, id] of ids) instanceIds.set(name, id);
  }
  attachVolumes(
    scope,
    'volume-attachments',
    nodes.flatMap((node) =>
      node.volumes.map((volume, index) => {
        const key = `${node.name}/${volume.name}`;
        return [key, { volume: volumes.get(key)!, instance: instanceIds.get(node.name)!, index }] as const;
      }),
    ),
  );
  return nodes.map((node) => ({ name: node.name, id: instanceIds.get(node.name)! }));
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
