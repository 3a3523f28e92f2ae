/**
 * A guest's NoCloud meta-data: who it is, its management address, and the keys
 * that let the operator in. On a hypervisor host no DHCP server knows the guests,
 * so eth0 (the management network) gets its planned address statically; the era's
 * cloud-init writes it as ifcfg-eth0 and brings it up in its local stage, before
 * the network service (cloud-init 0.7.5: sources/DataSourceNoCloud.py applies
 * `network-interfaces` from the local datasource, distros/rhel.py `_write_network`
 * turns the Debian interfaces syntax of distros/net_util.py into ifcfg keys). The
 * other interfaces are the node's own, configured by its user data as on instances.
 * No `dsmode`: 0.7.5 then claims the seed in its local stage (a `dsmode: net` there
 * trips over its own lookup). On EL6 the network service may run before that stage and
 * wait out a DHCP attempt from the image's own ifcfg-eth0 first: a slower first boot,
 * not a failed one.
 */
import { stringify } from 'yaml';
import type { NodePlan, StagingPlan } from '../plan/types';
import { gatewayOf } from './interfaces';

export interface MetaDataOptions {
  /** The cloud's resolvers as the guests reach them (AWS: the VPC's resolver at its base address + 2). */
  readonly nameservers: readonly string[];
  /** OpenSSH public keys for the image's default user (a Terraform expression where the cloud holds the key). */
  readonly publicKeys: readonly string[];
  /** DNS domain of the nodes, as their user data's `fqdn`. @default `<rehearsal id>.internal` */
  readonly domain?: string;
}

const netmaskOf = (prefix: number): string =>
  [24, 16, 8, 0].map((shift) => (prefix === 0 ? 0 : ((0xffffffff << (32 - prefix)) >>> shift) & 0xff)).join('.');

/** The `network-interfaces` text for eth0: only the keys 0.7.5's translate_network reads. */
export function managementInterface(plan: StagingPlan, node: NodePlan, nameservers: readonly string[]): string {
  const address = node.addresses.management;
  if (!address) throw new Error(`${node.name}: no management address, so no eth0 to configure`);
  const subnet = plan.networks.find((n) => n.role === 'management')!.subnets.find((s) => s.zone === node.zone);
  if (!subnet) throw new Error(`${node.name}: no management subnet in ${node.zone}`);
  const prefix = Number(subnet.cidr.split('/')[1]);
  return [
    'auto eth0',
    'iface eth0 inet static',
    `address ${address}`,
    `netmask ${netmaskOf(prefix)}`,
    // The subnet's gateway: the host answers for it (proxy ARP) and routes on to the cloud's router.
    `gateway ${gatewayOf(subnet.cidr)}`,
    ...(nameservers.length ? [`dns-nameservers ${nameservers.join(' ')}`] : []),
    '',
  ].join('\n');
}

/** The meta-data file of the guest's seed (YAML, as NoCloud loads it). */
export function nocloudMetaData(plan: StagingPlan, node: NodePlan, options: MetaDataOptions): string {
  return stringify(
    {
      'instance-id': `${plan.rehearsalId}-${node.name}`,
      // A name without a dot gets `.localdomain` from 0.7.5 (sources/__init__.py get_hostname): give the FQDN.
      'local-hostname': `${node.name}.${options.domain ?? `${plan.rehearsalId}.internal`}`,
      'network-interfaces': managementInterface(plan, node, options.nameservers),
      'public-keys': [...options.publicKeys],
    },
    { lineWidth: 0, blockQuote: 'literal' },
  );
}
