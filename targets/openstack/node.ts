/**
 * The planned nodes of one stack on an OpenStack cloud: ports at the planned
 * addresses, one block-storage volume per planned volume, the instances with their
 * ports in the node's network order, the volumes attached.
 *
 * As on AWS, each kind of resource is one `for_each` keyed by the plan's names
 * (`openstack_compute_instance_v2.nodes["old-keystone-1"]`, ports by
 * `node/network`, volumes by `node/volume`): Terraform still tracks every member
 * alone, and cdktf synthesizes a few resources per stack instead of thousands.
 */
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { groupOf } from '../../plan/security';
import type { NetworkRole, NodePlan, StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import { interpolate, memberExpressions } from '../for-each';
import type { NodeHandle, UserDataFor } from '../target';
import type { OpenstackFoundation } from './foundation';
import type { OpenstackNaming } from './naming';
import { BlockstorageVolumeV3 } from '../../.gen/providers/openstack/blockstorage-volume-v3';
import { ComputeInstanceV2 } from '../../.gen/providers/openstack/compute-instance-v2';
import { ComputeVolumeAttachV2 } from '../../.gen/providers/openstack/compute-volume-attach-v2';
import { NetworkingPortV2 } from '../../.gen/providers/openstack/networking-port-v2';

export interface OpenstackNodesProps extends OpenstackNaming {
  readonly plan: StagingPlan;
  readonly config: OpenstackTargetConfig;
  readonly foundation: OpenstackFoundation;
}

/** Metadata of a node's instance and volumes. */
const metadataOf = (plan: StagingPlan, node: NodePlan) => ({
  rehearsal: plan.rehearsalId,
  side: node.side,
  role: node.role,
  cell: node.cell ?? 'none',
});

/** The networks of a node, in the order its ports are attached (cloud images name NICs by it). */
const networksOfNode = (node: NodePlan): NetworkRole[] => Object.keys(node.addresses) as NetworkRole[];

export function openstackNodes(
  scope: Construct,
  nodes: readonly NodePlan[],
  userData: (node: NodePlan) => UserDataFor,
  props: OpenstackNodesProps,
): NodeHandle[] {
  const volumes = volumesOf(scope, 'volumes', nodes, props);
  const ports = portsOf(scope, nodes, props);
  const instanceIds = new Map<string, string>();
  // Nodes with the same networks share one resource: their `network` blocks list the same ports.
  const shapes = new Map<string, NodePlan[]>();
  for (const node of nodes) {
    const shape = networksOfNode(node).join('-');
    const group = shapes.get(shape);
    if (group) group.push(node);
    else shapes.set(shape, [node]);
  }
  for (const [shape, group] of shapes) {
    const id = shape === 'management' ? 'nodes' : `nodes-${shape}`;
    const instance = memberExpressions(instancesOf(scope, id, group, networksOfNode(group[0]), userData, volumes, ports, props));
    for (const node of group) instanceIds.set(node.name, interpolate(instance(node.name, 'id')));
  }
  attachVolumes(
    scope,
    'volume-attachments',
    nodes.flatMap((node) => node.volumes.map((v) => [`${node.name}/${v.name}`, instanceIds.get(node.name)!] as const)),
    volumes,
  );
  return nodes.map((node) => ({ name: node.name, id: instanceIds.get(node.name)! }));
}

/** Volume id expressions by `node/volume` key. */
export type VolumeIds = ReadonlyMap<string, string>;

/** One block-storage volume per planned volume of `nodes`, in the node's zone. */
export function volumesOf(
  scope: Construct,
  id: string,
  nodes: readonly NodePlan[],
  { plan, name }: Pick<OpenstackNodesProps, 'plan' | 'name'>,
): VolumeIds {
  const entries = nodes.flatMap((node) =>
    node.volumes.map(
      (v) =>
        [
          `${node.name}/${v.name}`,
          {
            name: name(`${node.name}-${v.name}`),
            size: v.sizeGiB,
            zone: node.zone,
            metadata: { ...metadataOf(plan, node), purpose: v.purpose },
          },
        ] as const,
    ),
  );
  if (entries.length === 0) return new Map();
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const resource = new BlockstorageVolumeV3(scope, id, {
    forEach: each,
    name: each.getString('name'),
    size: each.getNumber('size'),
    availabilityZone: each.getString('zone'),
    metadata: each.getStringMap('metadata'),
  });
  const volume = memberExpressions(resource);
  return new Map(entries.map(([key]) => [key, volume(key, 'id')]));
}

/** Port id expressions by `node/network` key: the tenant ports carry tagged frames, so without port security. */
function portsOf(
  scope: Construct,
  nodes: readonly NodePlan[],
  { name, foundation: f, tags }: OpenstackNodesProps,
): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  for (const tenant of [false, true]) {
    const entries = nodes.flatMap((node) =>
      networksOfNode(node)
        .filter((network) => (network === 'tenant') === tenant)
        .map(
          (network) =>
            [
              `${node.name}/${network}`,
              {
                name: name(`${node.name}-${network}`),
                network: f.network(network),
                subnet: f.subnet(network, node.zone),
                address: node.addresses[network]!,
                ...(tenant ? {} : { group: f.securityGroup(groupOf(node)) }),
                tags: tags(node),
              },
            ] as const,
        ),
    );
    if (entries.length === 0) continue;
    const { each, common } = portArguments(entries);
    const resource = tenant
      ? new NetworkingPortV2(scope, 'tenant-ports', { ...common, portSecurityEnabled: false })
      : new NetworkingPortV2(scope, 'ports', { ...common, securityGroupIds: [each.getString('group')] });
    const port = memberExpressions(resource);
    for (const [key] of entries) ids.set(key, interpolate(port(key, 'id')));
  }
  return ids;
}

/** A port's members (name, network, subnet, address, tags by key): the `for_each` and the arguments every port resource takes. */
export function portArguments(entries: readonly (readonly [string, object])[]) {
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const common = {
    forEach: each,
    name: each.getString('name'),
    networkId: each.getString('network'),
    fixedIp: [{ subnetId: each.getString('subnet'), ipAddress: each.getString('address') }],
    tags: each.getList('tags'),
  };
  return { each, common };
}

/** virtio disks appear under /dev/disk/by-id with the first 20 characters of the volume id. */
export const virtioPath = (volumeId: string): string => `/dev/disk/by-id/virtio-${interpolate(`substr(${volumeId}, 0, 20)`)}`;

function instancesOf(
  scope: Construct,
  id: string,
  nodes: readonly NodePlan[],
  networks: readonly NetworkRole[],
  userData: (node: NodePlan) => UserDataFor,
  volumes: VolumeIds,
  ports: ReadonlyMap<string, string>,
  { plan, config, tags }: OpenstackNodesProps,
): ComputeInstanceV2 {
  const byName = Object.fromEntries(
    nodes.map((node) => [
      node.name,
      {
        name: node.name,
        flavor: node.size.offer,
        image: config.imageByOs[node.os],
        zone: node.zone,
        userData: userData(node)(node.volumes.map((v) => virtioPath(volumes.get(`${node.name}/${v.name}`)!))),
        metadata: metadataOf(plan, node),
        tags: tags(node),
        ...Object.fromEntries(networks.map((network) => [`port_${network}`, ports.get(`${node.name}/${network}`)!])),
      },
    ]),
  );
  const each = TerraformIterator.fromMap(byName);
  return new ComputeInstanceV2(scope, id, {
    forEach: each,
    name: each.getString('name'),
    flavorName: each.getString('flavor'),
    imageName: each.getString('image'),
    availabilityZone: each.getString('zone'),
    keyPair: config.keyName,
    userData: each.getString('userData'),
    network: networks.map((network) => ({ port: each.getString(`port_${network}`) })),
    metadata: each.getStringMap('metadata'),
    tags: each.getList('tags'),
  });
}

/** Attaches each volume (by `node/volume` key) to the instance given beside its key. */
export function attachVolumes(
  scope: Construct,
  id: string,
  attachments: readonly (readonly [key: string, instance: string])[],
  volumes: VolumeIds,
): void {
  if (attachments.length === 0) return;
  const each = TerraformIterator.fromMap(
    Object.fromEntries(attachments.map(([key, instance]) => [key, { instance, volume: interpolate(volumes.get(key)!) }])),
  );
  new ComputeVolumeAttachV2(scope, id, {
    forEach: each,
    instanceId: each.getString('instance'),
    volumeId: each.getString('volume'),
  });
}
