/**
 * What each node role is, in one typed place: the networks it joins, the services
 * the upgrade stops and starts, the Nova services restarted when the cells
 * settings are merged, its public API and the flows into it (plan/network.ts
 * reads both). `Record<NodeRole, …>` makes a new role fill every field here; what
 * else a new role must fill (its size, its role manifest) is listed in
 * docs/adding-a-role.md, each a `Record<NodeRole, …>` too.
 *
 * Service names are RDO's of that era (openstack-nova-api.service and the like in
 * the openstack-nova, openstack-glance, openstack-swift and openstack-neutron
 * packages of RDO Icehouse and Liberty). Stopping and starting go through
 * `service`, which both CentOS 6 (SysV) and 7 (systemd) understand; a service a
 * release does not ship is skipped, not an error.
 */
import { RELEASES, type NodeRole, type Release } from '../profile/schema';
import { NETWORK_ROLES, type ApiPlan, type FlowPlan, type NetworkRole } from './types';

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
  /** The public API the edge serves from the role's nodes (a listener and a target group per side); none if the public never reaches it. */
  readonly publicApi: Omit<ApiPlan, 'role'> | undefined;
  /** Its services validate tokens with Keystone and call its admin API (5000 and 35357 to its side's Keystone). */
  readonly keystoneClient: boolean;
  /** Watched by the monitoring node: its NRPE agent, operator SSH, and its logs shipped to the monitoring node. */
  readonly monitored: boolean;
  /** Flows into the role from the roles that use it, besides the edge's, Keystone clients' and monitoring's above. */
  readonly inbound: readonly InboundFlow[];
}

/** A flow into a role, from the role (or the operators, or the edge) named by `from`. */
export type InboundFlow = Omit<FlowPlan, 'to'>;

/** A TCP flow into a role; `sameSide`: between nodes of one side only (shared nodes reach both). */
const tcp = (from: InboundFlow['from'], ports: readonly [number, number], purpose: string, sameSide = true): InboundFlow => ({
  from,
  protocol: 'tcp',
  ports,
  purpose,
  sameSide,
});
/** Tempest runs from the toolbox against the serving side, on the catalog's internal endpoints (the edge answers operators only). */
const tempest = (name: string, ports: readonly number[]): InboundFlow[] =>
  ports.map((port) => tcp('migration-toolbox', [port, port], `Tempest: ${name} API`, false));

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

/** A role none of whose services the upgrade touches (databases, brokers, the toolbox); `inbound`: who uses it. */
const quiet = (stack: RoleStack, inbound: readonly InboundFlow[] = []): RoleDescription => ({
  stack,
  networks: [],
  apiServices: [],
  services: [],
  novaServices: [],
  publicApi: undefined,
  keystoneClient: false,
  monitored: true,
  inbound,
});

export const ROLES: Readonly<Record<NodeRole, RoleDescription>> = {
  keystone: {
    stack: 'control',
    networks: ['api'],
    // Icehouse runs Keystone as its own daemon; Liberty's RDO (and its Puppet modules) under httpd.
    apiServices: ['openstack-keystone', 'httpd'],
    services: ['openstack-keystone', 'httpd'],
    novaServices: [],
    byRelease: (release) => ({ apiServices: keystoneServices(release), services: keystoneServices(release) }),
    publicApi: { name: 'keystone', port: 5000, healthPath: '/v3' },
    keystoneClient: false,
    monitored: true,
    inbound: tempest('keystone', [5000, 35357]),
  },
  glance: {
    stack: 'control',
    networks: ['api'],
    apiServices: ['openstack-glance-api'],
    services: ['openstack-glance-api', 'openstack-glance-registry'],
    novaServices: [],
    publicApi: { name: 'glance', port: 9292, healthPath: '/versions' },
    keystoneClient: true,
    monitored: true,
    inbound: [
      tcp('horizon', [9292, 9292], 'dashboard'),
      tcp('compute', [9292, 9292], 'image download to local qcow2 cache'),
      tcp('nova-api', [9292, 9292], 'image metadata'),
      ...tempest('glance', [9292]),
    ],
  },
  'nova-api': {
    stack: 'control',
    networks: ['api'],
    apiServices: ['openstack-nova-api'],
    services: [...NOVA_API, 'openstack-nova-consoleauth', 'openstack-nova-novncproxy'],
    novaServices: NOVA_API,
    publicApi: { name: 'nova', port: 8774, healthPath: '/' },
    keystoneClient: true,
    monitored: true,
    inbound: [tcp('horizon', [8774, 8774], 'dashboard'), ...tempest('nova', [8774])],
  },
  'neutron-server': {
    stack: 'control',
    networks: ['api', 'tenant'],
    apiServices: ['neutron-server'],
    services: ['neutron-server', 'neutron-dhcp-agent', 'neutron-openvswitch-agent'],
    novaServices: [],
    publicApi: { name: 'neutron', port: 9696, healthPath: '/' },
    keystoneClient: true,
    monitored: true,
    inbound: [
      tcp('horizon', [9696, 9696], 'dashboard'),
      tcp('compute', [9696, 9696], 'port binding'),
      tcp('nova-api', [9696, 9696], 'network info'),
      { from: 'compute', protocol: 'udp', ports: [4789, 4789], purpose: 'DHCP agent on the tenant overlay', sameSide: true },
      ...tempest('neutron', [9696]),
    ],
  },
  horizon: {
    stack: 'control',
    networks: ['api'],
    apiServices: ['httpd'],
    services: ['httpd'],
    novaServices: [],
    publicApi: { name: 'horizon', port: 80, healthPath: '/dashboard/auth/login/' },
    keystoneClient: true,
    monitored: true,
    // Tempest tests the APIs, not the dashboard.
    inbound: [],
  },
  'swift-proxy': {
    stack: 'swift',
    networks: ['api', 'storage'],
    apiServices: ['openstack-swift-proxy'],
    services: ['openstack-swift-proxy'],
    novaServices: [],
    publicApi: { name: 'swift', port: 8080, healthPath: '/healthcheck' },
    keystoneClient: true,
    monitored: true,
    inbound: [tcp('glance', [8080, 8080], 'Glance images stored in Swift'), ...tempest('swift', [8080])],
  },
  database: quiet('control', [
    tcp('keystone', [3306, 3306], 'keystone DB'),
    tcp('glance', [3306, 3306], 'glance DB'),
    tcp('neutron-server', [3306, 3306], 'neutron DB'),
    tcp('nova-api', [3306, 3306], 'API cell DB'),
    // The toolbox restores dumps into the new side and reads the old side's: it reaches both.
    tcp('migration-toolbox', [3306, 3306], 'dump and migrate the API-level databases', false),
  ]),
  rabbitmq: quiet('control', [
    tcp('nova-api', [5672, 5672], 'API cell message queue'),
    tcp('neutron-server', [5672, 5672], 'neutron agents queue'),
    tcp('compute', [5672, 5672], 'neutron agent on compute'),
    tcp('cell-services', [5672, 5672], 'child nova-cells to the parent cell broker'),
  ]),
  'cell-services': {
    stack: 'cells',
    networks: [],
    apiServices: [],
    services: NOVA_CELL,
    novaServices: NOVA_CELL,
    publicApi: undefined,
    keystoneClient: true,
    monitored: true,
    inbound: [],
  },
  'cell-database': quiet('cells', [
    tcp('cell-services', [3306, 3306], 'cell DB (nova-conductor)'),
    tcp('migration-toolbox', [3306, 3306], 'dump and migrate every cell database', false),
  ]),
  'cell-rabbitmq': quiet('cells', [
    tcp('cell-services', [5672, 5672], 'cell message queue'),
    tcp('compute', [5672, 5672], 'nova-compute to its cell broker'),
  ]),
  'swift-storage': {
    stack: 'swift',
    networks: ['storage'],
    apiServices: [],
    services: SWIFT_STORAGE,
    novaServices: [],
    publicApi: undefined,
    keystoneClient: false,
    monitored: true,
    inbound: [
      tcp('swift-proxy', [6000, 6002], 'object, container and account servers'),
      tcp('swift-storage', [6000, 6002], 'replication'),
      // Across sides too: the upgrade copies the old side's devices to the new side with rsync.
      tcp('swift-storage', [873, 873], 'rsync replication and the cross-side data copy', false),
    ],
  },
  compute: {
    stack: 'compute',
    networks: ['tenant'],
    apiServices: [],
    services: [...NOVA_COMPUTE, 'neutron-openvswitch-agent'],
    novaServices: NOVA_COMPUTE,
    publicApi: undefined,
    keystoneClient: true,
    monitored: true,
    inbound: [
      tcp('compute', [16509, 16509], 'libvirt live migration control'),
      tcp('compute', [49152, 49215], 'libvirt live migration data'),
      { from: 'compute', protocol: 'udp', ports: [4789, 4789], purpose: 'VXLAN overlay carrying tenant VLANs', sameSide: true },
      { from: 'neutron-server', protocol: 'udp', ports: [4789, 4789], purpose: 'DHCP agent on the tenant overlay', sameSide: true },
    ],
  },
  'migration-toolbox': quiet('migration'),
  monitoring: {
    stack: 'monitoring',
    networks: [],
    apiServices: [],
    services: ['nagios'],
    novaServices: [],
    publicApi: undefined,
    keystoneClient: true,
    // It is the monitoring: operators reach it and its web UI directly.
    monitored: false,
    inbound: [tcp('admin', [22, 22], 'operator SSH'), tcp('admin', [80, 80], 'monitoring web UI')],
  },
};

/** The networks a role joins, in interface order: management first, then the others in NETWORK_ROLES order. */
export const networksOf = (role: NodeRole): NetworkRole[] =>
  NETWORK_ROLES.filter((network) => network === 'management' || (ROLES[role].networks as readonly NetworkRole[]).includes(network));
