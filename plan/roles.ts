/**
 * What each node role is, in one typed place: the networks it joins, the services
 * the upgrade stops and starts, the Nova services restarted when the cells
 * settings are merged. `Record<NodeRole, …>` makes a new role fill every field
 * here; what else a new role must fill (its size, its role manifest, its stack,
 * its flows) is listed in docs/adding-a-role.md, each a `Record<NodeRole, …>` too
 * where the compiler can say so.
 *
 * Service names are RDO's of that era (openstack-nova-api.service and the like in
 * the openstack-nova, openstack-glance, openstack-swift and openstack-neutron
 * packages of RDO Icehouse and Liberty). Stopping and starting go through
 * `service`, which both CentOS 6 (SysV) and 7 (systemd) understand; a service a
 * release does not ship is skipped, not an error.
 */
import { RELEASES, type NodeRole, type Release } from '../profile/schema';
import { NETWORK_ROLES, type NetworkRole } from './types';

/** The node stack a role's nodes belong to: per side (control, cells, swift) or shared by both sides. */
export type RoleStack = 'control' | 'cells' | 'swift' | 'compute' | 'migration' | 'monitoring';

export interface RoleDescription {
  /** The stack its nodes are deployed in (per side where the role has a side). */
  readonly stack: RoleStack;
  /** Networks the role joins besides management (its first interface). */
  readonly networks: readonly Exclude<NetworkRole, 'management'>[];
  /** Services whose stop closes the public API: the edge's health checks then fail. */
  readonly apiServices: readonly string[];
  /** Every OpenStack service of the role, its API services included; databases and brokers stay up. */
  readonly services: readonly string[];
  /** Nova services restarted once the cells settings are merged into nova.conf. */
  readonly novaServices: readonly string[];
  /** Where a release runs the role's services differently: its own lists instead of the two above. */
  readonly byRelease?: (release: Release) => Pick<RoleDescription, 'apiServices' | 'services'>;
}

/**
 * Keystone's service per release, as RDO packages it: the eventlet `openstack-keystone`
 * before Liberty; from Liberty under httpd (mod_wsgi), the eventlet unit still installed
 * but never started, since it would take ports 5000 and 35357 from httpd.
 */
export const keystoneServices = (release: Release): readonly string[] =>
  RELEASES.indexOf(release) >= RELEASES.indexOf('liberty') ? ['httpd'] : ['openstack-keystone'];

const NOVA_API = ['openstack-nova-api', 'openstack-nova-cells'];
const NOVA_CELL = ['openstack-nova-cells', 'openstack-nova-conductor', 'openstack-nova-scheduler'];
const NOVA_COMPUTE = ['openstack-nova-compute'];
const SWIFT_STORAGE = ['account', 'container', 'object'].flatMap((server) => [
  `openstack-swift-${server}`,
  `openstack-swift-${server}-replicator`,
  `openstack-swift-${server}-auditor`,
  ...(server === 'account' ? ['openstack-swift-account-reaper'] : [`openstack-swift-${server}-updater`]),
]);

/** A role none of whose services the upgrade touches (databases, brokers, the toolbox). */
const quiet = (stack: RoleStack): RoleDescription => ({ stack, networks: [], apiServices: [], services: [], novaServices: [] });

export const ROLES: Readonly<Record<NodeRole, RoleDescription>> = {
  keystone: {
    stack: 'control',
    networks: ['api'],
    // Icehouse runs Keystone as its own daemon; Liberty's RDO (and its Puppet modules) under httpd.
    apiServices: ['openstack-keystone', 'httpd'],
    services: ['openstack-keystone', 'httpd'],
    novaServices: [],
    byRelease: (release) => ({ apiServices: keystoneServices(release), services: keystoneServices(release) }),
  },
  glance: {
    stack: 'control',
    networks: ['api'],
    apiServices: ['openstack-glance-api'],
    services: ['openstack-glance-api', 'openstack-glance-registry'],
    novaServices: [],
  },
  'nova-api': {
    stack: 'control',
    networks: ['api'],
    apiServices: ['openstack-nova-api'],
    services: [...NOVA_API, 'openstack-nova-consoleauth', 'openstack-nova-novncproxy'],
    novaServices: NOVA_API,
  },
  'neutron-server': {
    stack: 'control',
    networks: ['api', 'tenant'],
    apiServices: ['neutron-server'],
    services: ['neutron-server', 'neutron-dhcp-agent', 'neutron-openvswitch-agent'],
    novaServices: [],
  },
  horizon: { stack: 'control', networks: ['api'], apiServices: ['httpd'], services: ['httpd'], novaServices: [] },
  'swift-proxy': {
    stack: 'swift',
    networks: ['api', 'storage'],
    apiServices: ['openstack-swift-proxy'],
    services: ['openstack-swift-proxy'],
    novaServices: [],
  },
  database: quiet('control'),
  rabbitmq: quiet('control'),
  'cell-services': { stack: 'cells', networks: [], apiServices: [], services: NOVA_CELL, novaServices: NOVA_CELL },
  'cell-database': quiet('cells'),
  'cell-rabbitmq': quiet('cells'),
  'swift-storage': { stack: 'swift', networks: ['storage'], apiServices: [], services: SWIFT_STORAGE, novaServices: [] },
  compute: {
    stack: 'compute',
    networks: ['tenant'],
    apiServices: [],
    services: [...NOVA_COMPUTE, 'neutron-openvswitch-agent'],
    novaServices: NOVA_COMPUTE,
  },
  'migration-toolbox': quiet('migration'),
  monitoring: { stack: 'monitoring', networks: [], apiServices: [], services: ['nagios'], novaServices: [] },
};

/** The networks a role joins, in interface order: management first, then the others in NETWORK_ROLES order. */
export const networksOf = (role: NodeRole): NetworkRole[] =>
  NETWORK_ROLES.filter((network) => network === 'management' || (ROLES[role].networks as readonly NetworkRole[]).includes(network));
