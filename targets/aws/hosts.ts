/**
 * The hypervisor hosts of one stack on EC2 (plan/placement.ts): each host on its own
 * management address, one interface per network holding the host's address first and
 * its guests' after it (the host routes them to the guests: assets/host-network.ts), the
 * guests' EBS volumes attached to the host, nested virtualization on the hosts that are
 * not bare metal. As for nodes, each kind of resource is one `for_each`, keyed by name.
 */
import { TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { DataAwsKeyPair } from '@cdktf/provider-aws/lib/data-aws-key-pair';
import { NetworkInterface } from '@cdktf/provider-aws/lib/network-interface';
import { hostGroupOf } from '../../plan/security';
import { ROUTED_ROLES } from '../../assets/host-network';
import { NETWORK_ROLES, type HostPlan, type NetworkRole, type NodePlan, type StagingPlan } from '../../plan/types';
import type { AwsTargetConfig } from '../config';
import { interpolate, memberExpressions } from '../for-each';
import type { HostUserDataFor, NodeHandle } from '../target';
import type { AwsFoundation } from './foundation';
import { attachVolumes, ebsVolumes, launch, nvmePath } from './machines';
import { nodeTags, tagsFor } from './tags';

export interface AwsHostsProps {
  readonly plan: StagingPlan;
  readonly config: AwsTargetConfig;
  readonly foundation: AwsFoundation;
  /** The hosts' AMI (Debian 12). */
  readonly ami: string;
}

const hostTags = (plan: StagingPlan, host: HostPlan, suffix = '') =>
  tagsFor(plan, { name: host.name + suffix, side: host.side, role: 'hypervisor' });

export function awsHosts(
  scope: Construct,
  hosts: readonly HostPlan[],
  userData: (host: HostPlan) => HostUserDataFor,
  props: AwsHostsProps,
): NodeHandle[] {
  const { plan } = props;
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  const guestsOf = (host: HostPlan): NodePlan[] => host.guests.map((g) => nodes.get(g)!);
  // Every guest volume keyed `guest/volume` as for instance nodes (the Swift ring's devices keep their names), in its host's zone.
  const volumes = ebsVolumes(
    scope,
    'guest-volumes',
    hosts.flatMap((host) =>
      guestsOf(host).flatMap((guest) =>
        guest.volumes.map(
          (volume) =>
            [
              `${guest.name}/${volume.name}`,
              {
                zone: host.zone,
                size: volume.sizeGiB,
                tags: { ...nodeTags(plan, guest, `-${volume.name}`), purpose: volume.purpose, host: host.name },
              },
            ] as const,
        ),
      ),
    ),
  );
  const interfaces = hostInterfaces(scope, hosts, guestsOf, props);
  // The key pair the instances get by name: its public key goes into the guests' seeds, read from EC2 at deploy time.
  const keyName = props.config.keyName;
  const publicKeys = keyName ? [new DataAwsKeyPair(scope, 'operator-key', { keyName, includePublicKey: true }).publicKey] : [];
  const instanceIds = new Map<string, string>();
  // Nested virtualization is an override of the whole resource: one resource per kind of host.
  for (const kvm of ['hardware', 'nested'] as const) {
    const group = hosts.filter((h) => h.kvm === kvm);
    if (group.length === 0) continue;
    const byName = Object.fromEntries(
      group.map((host) => [
        host.name,
        {
          ami: props.ami,
          type: host.size.offer,
          zone: host.zone,
          interfaces: NETWORK_ROLES.map((network, index) => ({ id: interfaces.get(`${host.name}/${network}`)!, index })),
          // The host reads its files from the assets bucket; the toolbox's host also carries the toolbox's rights.
          profile: props.foundation.instanceProfile(
            guestsOf(host).some((g) => g.role === 'migration-toolbox') ? 'migration-toolbox' : 'hypervisor',
          ),
          // The hosts fetch their files from the bucket (AWS_FACTS.hostFileDelivery): no bundle to deliver.
          userData: userData(host)((guest, volume) => nvmePath(volumes.get(`${guest.name}/${volume.name}`)!), publicKeys).userData,
          root: host.rootVolumeGiB,
          tags: hostTags(plan, host),
        },
      ]),
    );
    // Two hops: a guest's token reply crosses its host (assets/host-firewall.ts), as a container's does.
    const ids = launch(scope, kvm === 'nested' ? 'nested-kvm-hosts' : 'metal-hosts', byName, {
      keyName: props.config.keyName,
      nested: kvm === 'nested',
      metadataHops: 2,
    });
    for (const [name, id] of ids) instanceIds.set(name, id);
  }
  attachVolumes(
    scope,
    'guest-volume-attachments',
    hosts.flatMap((host) =>
      guestsOf(host)
        .flatMap((guest) => guest.volumes.map((volume) => `${guest.name}/${volume.name}`))
        .map((key, index) => [key, { volume: volumes.get(key)!, instance: instanceIds.get(host.name)!, index }] as const),
    ),
  );
  return hosts.map((host) => ({ name: host.name, id: instanceIds.get(host.name)! }));
}

/**
 * One interface per host and network: the host's address first (the primary), then each
 * guest's on that network as secondary addresses, so that the cloud delivers the guests'
 * traffic to their host. The tenant interface carries the hosts' trunk only: the guests'
 * tenant NICs are bridge ports without an address there. Guarded by the side's host
 * group; the host keeps each guest's own.
 */
function hostInterfaces(
  scope: Construct,
  hosts: readonly HostPlan[],
  guestsOf: (host: HostPlan) => NodePlan[],
  { plan, foundation: f }: AwsHostsProps,
): ReadonlyMap<string, string> {
  const entries = hosts.flatMap((host) =>
    NETWORK_ROLES.map((network) => {
      const routed = (ROUTED_ROLES as readonly NetworkRole[]).includes(network);
      const guests = guestsOf(host).filter((g) => routed && g.addresses[network] !== undefined);
      return [
        `${host.name}/${network}`,
        {
          subnet: f.subnet(network, host.zone),
          addresses: [host.addresses[network], ...guests.map((g) => g.addresses[network]!)],
          group: f.securityGroup(hostGroupOf(host.side)),
          description: `${host.name} on the ${network} network, with ${guests.length} guests`,
          tags: hostTags(plan, host, `-${network}`),
        },
      ] as const;
    }),
  );
  const each = TerraformIterator.fromMap(Object.fromEntries(entries));
  const resource = new NetworkInterface(scope, 'host-interfaces', {
    forEach: each,
    subnetId: each.getString('subnet'),
    // An ordered list, so that the host's own address is the primary one.
    privateIpListEnabled: true,
    privateIpList: each.getList('addresses'),
    securityGroups: [each.getString('group')],
    description: each.getString('description'),
    tags: each.getStringMap('tags'),
  });
  const member = memberExpressions(resource);
  return new Map(entries.map(([key]) => [key, interpolate(member(key, 'id'))]));
}
