/**
 * The hypervisor hosts of one stack on an OpenStack cloud (plan/placement.ts): a port per
 * host and network at the host's address, whose allowed address pairs admit its guests'
 * addresses there (the host routes them: assets/host-network.ts), the guests' volumes
 * attached to the host, and the host's files copied to it over SSH by Terraform once it
 * is up: the hosts hold no identity of the cloud to read a container with.
 *
 * As for nodes, each kind of resource is one `for_each`, keyed by name.
 */
import { DataResource, TerraformIterator } from 'cdktf';
import type { Construct } from 'constructs';
import { HOST_BUNDLE } from '../../assets/host-bundle';
import { ROUTED_ROLES } from '../../assets/host-network';
import { hostGroupOf } from '../../plan/security';
import { NETWORK_ROLES, type HostPlan, type NetworkRole, type NodePlan, type StagingPlan } from '../../plan/types';
import type { OpenstackTargetConfig } from '../config';
import { interpolate, memberExpressions } from '../for-each';
import type { HostUserDataFor, NodeHandle } from '../target';
import type { OpenstackFoundation } from './foundation';
import type { OpenstackNaming } from './naming';
import { attachVolumes, portArguments, virtioPath, volumesOf } from './node';
import { ComputeInstanceV2 } from '../../.gen/providers/openstack/compute-instance-v2';
import { DataOpenstackComputeKeypairV2 } from '../../.gen/providers/openstack/data-openstack-compute-keypair-v2';
import { NetworkingPortV2 } from '../../.gen/providers/openstack/networking-port-v2';

export interface OpenstackHostsProps extends OpenstackNaming {
  readonly plan: StagingPlan;
  readonly config: OpenstackTargetConfig;
  readonly foundation: OpenstackFoundation;
}

/** Where Terraform's SSH puts the bundle before the host's root renames it into place. */
const UPLOADED_BUNDLE = '/tmp/staging-host-bundle.sh';

export function openstackHosts(
  scope: Construct,
  hosts: readonly HostPlan[],
  userData: (host: HostPlan) => HostUserDataFor,
  props: OpenstackHostsProps,
): NodeHandle[] {
  const { plan, config } = props;
  const nodes = new Map(plan.nodes.map((n) => [n.name, n]));
  const guestsOf = (host: HostPlan): NodePlan[] => host.guests.map((g) => nodes.get(g)!);
  // Keyed `guest/volume` as for instance nodes (the Swift ring's devices keep their names), in the guest's zone, its host's.
  const volumes = volumesOf(scope, 'guest-volumes', hosts.flatMap(guestsOf), props);
  const ports = hostPorts(scope, hosts, guestsOf, props);
  // The key pair the hosts get by name: its public key goes into the guests' seeds, read from Nova at deploy time.
  const publicKeys = config.keyName ? [new DataOpenstackComputeKeypairV2(scope, 'operator-key', { name: config.keyName }).publicKey] : [];
  const boots = new Map(
    hosts.map((host) => [
      host.name,
      userData(host)((guest, volume) => virtioPath(volumes.get(`${guest.name}/${volume.name}`)!), publicKeys),
    ]),
  );
  const each = TerraformIterator.fromMap(
    Object.fromEntries(
      hosts.map((host) => [
        host.name,
        {
          name: host.name,
          flavor: host.size.offer,
          zone: host.zone,
          userData: boots.get(host.name)!.userData,
          metadata: { rehearsal: plan.rehearsalId, side: host.side, role: 'hypervisor', guests: String(host.guests.length) },
          tags: props.tags({ side: host.side, role: 'hypervisor' }),
          ...Object.fromEntries(NETWORK_ROLES.map((network) => [`port_${network}`, ports.get(`${host.name}/${network}`)!])),
        },
      ]),
    ),
  );
  const instance = memberExpressions(
    new ComputeInstanceV2(scope, 'hosts', {
      forEach: each,
      name: each.getString('name'),
      flavorName: each.getString('flavor'),
      imageName: config.hypervisors.hostImage,
      availabilityZone: each.getString('zone'),
      keyPair: config.keyName,
      userData: each.getString('userData'),
      // In the plan's network order: the host script names its interfaces by it (assets/host-network.ts).
      network: NETWORK_ROLES.map((network) => ({ port: each.getString(`port_${network}`) })),
      metadata: each.getStringMap('metadata'),
      tags: each.getList('tags'),
    }),
  );
  const instanceIds = new Map(hosts.map((host) => [host.name, interpolate(instance(host.name, 'id'))]));
  attachVolumes(
    scope,
    'guest-volume-attachments',
    hosts.flatMap((host) =>
      guestsOf(host).flatMap((guest) => guest.volumes.map((v) => [`${guest.name}/${v.name}`, instanceIds.get(host.name)!] as const)),
    ),
    volumes,
  );
  deliverBundles(
    scope,
    hosts.map((host) => ({ host, instance: instanceIds.get(host.name)!, bundle: boots.get(host.name)!.bundle })),
    config,
  );
  return hosts.map((host) => ({ name: host.name, id: instanceIds.get(host.name)! }));
}

/**
 * One port per host and network at the host's address. On the routed networks its allowed
 * address pairs are its guests' addresses there (Neutron admits them with port security on,
 * bounded by `max_allowed_address_pair`, which the packing kept to), guarded by the side's
 * host group; the tenant port carries the hosts' trunk only, without port security, as a
 * node's does.
 */
function hostPorts(
  scope: Construct,
  hosts: readonly HostPlan[],
  guestsOf: (host: HostPlan) => NodePlan[],
  { foundation: f, name, tags, config }: OpenstackHostsProps,
): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  for (const routed of [true, false]) {
    const networks = NETWORK_ROLES.filter((n) => (ROUTED_ROLES as readonly NetworkRole[]).includes(n) === routed);
    const entries = hosts.flatMap((host) =>
      networks.map((network) => {
        const pairs = routed ? guestsOf(host).flatMap((g) => (g.addresses[network] ? [g.addresses[network]] : [])) : [];
        if (pairs.length > config.maxAllowedAddressPairs) {
          // The packing bounds a host's guests by it (targets/openstack/facts.ts): this would be a planner fault.
          throw new Error(`${host.name}: ${pairs.length} guest addresses on ${network}, over maxAllowedAddressPairs`);
        }
        return [
          `${host.name}/${network}`,
          {
            name: name(`${host.name}-${network}`),
            network: f.network(network),
            subnet: f.subnet(network, host.zone),
            address: host.addresses[network],
            pairs,
            group: f.securityGroup(hostGroupOf(host.side)),
            tags: tags({ side: host.side, role: 'hypervisor' }),
          },
        ] as const;
      }),
    );
    if (entries.length === 0) continue;
    const { each, common } = portArguments(entries);
    const pairs = TerraformIterator.fromList(each.getList('pairs'));
    const resource = routed
      ? new NetworkingPortV2(scope, 'host-ports', {
          ...common,
          securityGroupIds: [each.getString('group')],
          allowedAddressPairs: pairs.dynamic({ ip_address: pairs.value }),
        })
      : new NetworkingPortV2(scope, 'host-tenant-ports', { ...common, portSecurityEnabled: false });
    const port = memberExpressions(resource);
    for (const [key] of entries) ids.set(key, interpolate(port(key, 'id')));
  }
  return ids;
}

/**
 * Copies each host's bundle to it once it answers SSH (through the operators' agent, and
 * their bastion where the config names one), renamed into place whole: the host's first
 * boot waits for it (assets/host-bootstrap.ts). Again when the host is replaced, as its
 * user data would be on another cloud; a changed bundle reaches a running host by
 * replacing the host.
 */
function deliverBundles(
  scope: Construct,
  hosts: readonly { host: HostPlan; instance: string; bundle?: string }[],
  { hostLogin }: OpenstackTargetConfig,
): void {
  const each = TerraformIterator.fromMap(
    Object.fromEntries(
      hosts.map(({ host, instance, bundle }) => {
        if (bundle === undefined) throw new Error(`${host.name}: the OpenStack hosts get their files in a bundle, and it has none`);
        return [host.name, { instance, address: host.addresses.management, bundle }];
      }),
    ),
  );
  const connection = {
    type: 'ssh' as const,
    host: each.getString('address'),
    user: hostLogin.user,
    agent: 'true',
    // The host boots and installs its packages before its SSH answers.
    timeout: '15m',
    ...(hostLogin.bastionHost ? { bastionHost: hostLogin.bastionHost } : {}),
    ...(hostLogin.bastionUser ? { bastionUser: hostLogin.bastionUser } : {}),
  };
  new DataResource(scope, 'host-files', {
    forEach: each,
    triggersReplace: { instance: each.getString('instance') },
    connection,
    provisioners: [
      { type: 'file', content: each.getString('bundle'), destination: UPLOADED_BUNDLE },
      {
        type: 'remote-exec',
        inline: [
          `sudo install -D -m 0600 -o root -g root ${UPLOADED_BUNDLE} ${HOST_BUNDLE}.part`,
          `sudo mv ${HOST_BUNDLE}.part ${HOST_BUNDLE}`,
          `rm -f ${UPLOADED_BUNDLE}`,
        ],
      },
    ],
  });
}
