/**
 * The installer: one `puppet apply` per node of a role manifest the tool writes,
 * with the release's own OpenStack Puppet modules (RDO's openstack-puppet-modules,
 * the modules Packstack itself applies on every host it configures).
 *
 * Why not Packstack's own layout: Packstack lays a run out from its answer file,
 * and before stable/icehouse branched it had merged its per-service host keys into
 * CONFIG_CONTROLLER_HOST (the old keys are aliases that must agree, run_setup.py at
 * icehouse-eol), always puts Keystone on that host, pushes over SSH to every host it
 * names and opens 3306/5672 only to hosts of its own run. Production runs one
 * controller VM per service, which no answer file can describe. Packstack's
 * templates (packstack/puppet/templates/*.pp at icehouse-eol and liberty-eol) show
 * which module classes build each service; the manifests here declare those classes
 * per node, so each node is configured on its own, at boot, as Packstack's
 * classes would configure it, with the layout the plan gives.
 *
 * Class and parameter names are the modules' at the tag each release's RDO shipped;
 * __tests__/fixtures/puppet/classes.json holds those classes' parameter lists, read
 * from the modules' manifests, and the tests check every manifest against them.
 */
import type { NodeRole, Release } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';
import { SWIFT_OPERATOR_ROLE } from '../plan/canary';
import { addressOf, apiCell, cellEndpoints, cellOf, firstAddress, nodesOf, RABBIT_PORT, sideOf } from './endpoints';
import { placeholder, type SecretName } from './secrets';
import { tenantInterface, VLAN_BRIDGE } from './tenant-network';

export const MANIFEST_FILE = '/etc/openstack-staging/site.pp';

/** A value as a manifest writes it. */
export type PuppetValue = string | number | boolean | readonly PuppetValue[] | { readonly [key: string]: PuppetValue };

export interface ClassDeclaration {
  /** Class name, e.g. `nova::api`. */
  readonly name: string;
  readonly params: Readonly<Record<string, PuppetValue>>;
}

/** RDO's module sets: the openstack-puppet-modules package of each release's repository. */
export type ModuleSet = 'opm-2014.1' | 'opm-7';

export interface ModuleSetDescription {
  /** Tag of redhat-openstack/openstack-puppet-modules the RDO package was built from. */
  readonly tag: string;
  readonly releases: readonly Release[];
  /** RDO's package and the folder it installs the modules into (packstack/plugins/puppet_950.py). */
  readonly packages: readonly string[];
  readonly modulePath: string;
}

export const MODULE_SETS: Readonly<Record<ModuleSet, ModuleSetDescription>> = {
  'opm-2014.1': {
    tag: '2014.1.2',
    releases: ['icehouse'],
    packages: ['openstack-puppet-modules', 'puppet'],
    modulePath: '/usr/share/openstack-puppet/modules',
  },
  'opm-7': {
    tag: '7.1.5',
    releases: ['liberty'],
    packages: ['openstack-puppet-modules', 'puppet'],
    modulePath: '/usr/share/openstack-puppet/modules',
  },
};

/** The module set a release's nodes are configured with; none for a release no set is checked against. */
export function moduleSetOf(release: Release): ModuleSet | undefined {
  return (Object.keys(MODULE_SETS) as ModuleSet[]).find((set) => MODULE_SETS[set].releases.includes(release));
}

/** Releases a node may be built on: those whose module set the manifests are checked against. */
export const INSTALLABLE_RELEASES: readonly Release[] = Object.values(MODULE_SETS).flatMap((s) => s.releases);

/** What a role manifest reads: the node, its side's services, and the module set of its release. */
interface ManifestContext {
  readonly plan: StagingPlan;
  readonly node: NodePlan;
  readonly set: ModuleSet;
  /** Management address of the first node of a role on the node's side. */
  readonly first: (role: NodeRole) => string;
  /** This node's address its services bind and register with. */
  readonly self: string;
}

const secret = (name: SecretName): string => placeholder(name);
const services = 'services';
const rabbitUser = 'nova';

/** `host:port` of every broker of a cell, for `rabbit_hosts`. */
const rabbitHosts = (addresses: readonly string[]): string[] => addresses.map((a) => `${a}:${RABBIT_PORT}`);

function dbUrl(service: string, secretName: SecretName, host: string): string {
  return `mysql://${service}:${secret(secretName)}@${host}/${service}`;
}

/** How the module set names Keystone's auth settings of a service. */
function authSettings(ctx: ManifestContext, style: 'host' | 'uri'): Record<string, string> {
  const keystone = ctx.first('keystone');
  if (ctx.set === 'opm-2014.1') return style === 'host' ? { auth_host: keystone } : { auth_uri: `http://${keystone}:5000/v2.0` };
  return { auth_uri: `http://${keystone}:5000/v2.0`, identity_uri: `http://${keystone}:35357` };
}

/** Where a service's database connection goes: `sql_connection` before the modules renamed it. */
const glanceDbParam = (set: ModuleSet): string => (set === 'opm-2014.1' ? 'sql_connection' : 'database_connection');

/** The databases a database node holds, each with the roles of its side that connect to it. */
const DATABASES_OF: Record<'database' | 'cell-database', readonly { service: string; secret: SecretName; clients: readonly NodeRole[] }[]> =
  {
    database: [
      { service: 'keystone', secret: 'KEYSTONE_DB_PASSWORD', clients: ['keystone'] },
      { service: 'glance', secret: 'GLANCE_DB_PASSWORD', clients: ['glance'] },
      { service: 'neutron', secret: 'NEUTRON_DB_PASSWORD', clients: ['neutron-server'] },
      { service: 'nova', secret: 'NOVA_DB_PASSWORD', clients: ['nova-api'] },
    ],
    'cell-database': [{ service: 'nova', secret: 'NOVA_DB_PASSWORD', clients: ['cell-services'] }],
  };

function databaseServer(ctx: ManifestContext, kind: 'database' | 'cell-database'): ClassDeclaration[] {
  const { plan, node } = ctx;
  const side = sideOf(node);
  // Least privilege: each service's user from its own side's nodes (of this cell) and the migration toolbox only.
  const toolbox = plan.nodes.filter((n) => n.role === 'migration-toolbox').map((n) => addressOf(n));
  const ofCell = (n: NodePlan) => kind === 'database' || n.cell === node.cell;
  const server: ClassDeclaration =
    ctx.set === 'opm-2014.1'
      ? {
          name: 'mysql::server',
          // packstack/puppet/templates/mariadb_install.pp at icehouse-eol: RDO Icehouse's MariaDB.
          params: {
            package_name: 'mariadb-galera-server',
            config_hash: { bind_address: ctx.self, default_engine: 'InnoDB', root_password: secret('DB_ROOT_PASSWORD') },
          },
        }
      : {
          name: 'mysql::server',
          // packstack/puppet/templates/mariadb_install.pp at liberty-eol.
          params: {
            package_name: 'mariadb-galera-server',
            restart: true,
            root_password: secret('DB_ROOT_PASSWORD'),
            remove_default_accounts: true,
            override_options: {
              mysqld: { bind_address: ctx.self, default_storage_engine: 'InnoDB', max_connections: '1024', wsrep_provider: 'none' },
            },
          },
        };
  const grants = DATABASES_OF[kind].map(({ service, secret: secretName, clients }) => ({
    name: `${service}::db::mysql`,
    params: {
      password: secret(secretName),
      dbname: service,
      user: service,
      charset: 'utf8',
      allowed_hosts: [
        ...clients.flatMap((role) =>
          nodesOf(plan, role, side)
            .filter(ofCell)
            .map((n) => addressOf(n)),
        ),
        ...toolbox,
      ],
    },
  }));
  return [server, ...grants];
}

function broker(ctx: ManifestContext): ClassDeclaration[] {
  const repos: Record<string, boolean> = ctx.set === 'opm-2014.1' ? { manage_repos: false } : { repos_ensure: false, manage_repos: false };
  return [
    {
      name: 'rabbitmq',
      // packstack/puppet/templates/amqp.pp: EPEL's rabbitmq-server through yum, never rabbitmq.com's repository.
      params: {
        default_user: rabbitUser,
        default_pass: secret('RABBIT_PASSWORD'),
        delete_guest_user: true,
        port: RABBIT_PORT,
        node_ip_address: ctx.self,
        package_provider: 'yum',
        admin_enable: false,
        ...repos,
      },
    },
  ];
}

function keystone(ctx: ManifestContext): ClassDeclaration[] {
  const { self, set } = ctx;
  const db = dbUrl('keystone', 'KEYSTONE_DB_PASSWORD', cellEndpoints(ctx.plan, apiCell(ctx.plan), sideOf(ctx.node)).databases[0]);
  // Each service's user and endpoints, registered from the Keystone node as Packstack's keystone_*.pp do.
  const auth = (name: string, password: SecretName, port: number, path: string, address: string): ClassDeclaration => ({
    name: `${name}::keystone::auth`,
    params: {
      password: secret(password),
      ...(set === 'opm-2014.1'
        ? { public_address: address, admin_address: address, internal_address: address }
        : {
            public_url: `http://${address}:${port}${path}`,
            internal_url: `http://${address}:${port}${path}`,
            admin_url: `http://${address}:${port}${path}`,
          }),
    },
  });
  const swift = ctx.first('swift-proxy');
  return [
    {
      name: 'keystone',
      params: {
        admin_token: secret('KEYSTONE_ADMIN_TOKEN'),
        database_connection: db,
        // Liberty's RDO runs Keystone under httpd (plan/roles.ts keystoneServices).
        ...(set === 'opm-2014.1' ? {} : { service_name: 'httpd' }),
      },
    },
    ...(set === 'opm-2014.1'
      ? []
      : [
          { name: 'apache', params: { purge_configs: false } },
          { name: 'keystone::wsgi::apache', params: { ssl: false } },
        ]),
    {
      name: 'keystone::roles::admin',
      params: { email: 'root@localhost', password: secret('KEYSTONE_ADMIN_PASSWORD'), admin_tenant: 'admin' },
    },
    {
      name: 'keystone::endpoint',
      params:
        set === 'opm-2014.1'
          ? { public_address: self, admin_address: self, internal_address: self }
          : {
              public_url: `http://${self}:5000`,
              internal_url: `http://${self}:5000`,
              admin_url: `http://${self}:35357`,
            },
    },
    auth('glance', 'GLANCE_KS_PASSWORD', 9292, '', ctx.first('glance')),
    {
      ...auth('nova', 'NOVA_KS_PASSWORD', 8774, '/v2/%(tenant_id)s', ctx.first('nova-api')),
      params: {
        ...auth('nova', 'NOVA_KS_PASSWORD', 8774, '/v2/%(tenant_id)s', ctx.first('nova-api')).params,
        configure_ec2_endpoint: false,
      },
    },
    auth('neutron', 'NEUTRON_KS_PASSWORD', 9696, '', ctx.first('neutron-server')),
    {
      ...auth('swift', 'SWIFT_KS_PASSWORD', 8080, '/v1/AUTH_%(tenant_id)s', swift),
      params: { ...auth('swift', 'SWIFT_KS_PASSWORD', 8080, '/v1/AUTH_%(tenant_id)s', swift).params, configure_s3_endpoint: false },
    },
  ];
}

function glance(ctx: ManifestContext): ClassDeclaration[] {
  const db = dbUrl('glance', 'GLANCE_DB_PASSWORD', cellEndpoints(ctx.plan, apiCell(ctx.plan), sideOf(ctx.node)).databases[0]);
  const common = {
    keystone_password: secret('GLANCE_KS_PASSWORD'),
    keystone_tenant: services,
    keystone_user: 'glance',
    ...authSettings(ctx, 'host'),
    [glanceDbParam(ctx.set)]: db,
  };
  // The Swift store is merged into glance-api.conf afterwards (assets/glance.ts), as each release reads it.
  return [
    { name: 'glance::api', params: { ...common, pipeline: 'keystone' } },
    { name: 'glance::registry', params: common },
  ];
}

/** The `nova` class: the node's cell broker (nova-cells talks to the parent's over its own link), Glance. */
function novaBase(ctx: ManifestContext, database: boolean): ClassDeclaration {
  const { databases, brokers } = cellEndpoints(ctx.plan, cellOf(ctx.plan, ctx.node), sideOf(ctx.node));
  return {
    name: 'nova',
    params: {
      ...(database ? { database_connection: dbUrl('nova', 'NOVA_DB_PASSWORD', databases[0]) } : {}),
      rabbit_hosts: rabbitHosts(brokers),
      rabbit_userid: rabbitUser,
      rabbit_password: secret('RABBIT_PASSWORD'),
      glance_api_servers: `${ctx.first('glance')}:9292`,
    },
  };
}

function novaNeutron(ctx: ManifestContext): ClassDeclaration {
  return {
    name: 'nova::network::neutron',
    params: {
      neutron_admin_password: secret('NEUTRON_KS_PASSWORD'),
      neutron_auth_strategy: 'keystone',
      neutron_url: `http://${ctx.first('neutron-server')}:9696`,
      neutron_admin_tenant_name: services,
      neutron_admin_auth_url: `http://${ctx.first('keystone')}:35357/v2.0`,
    },
  };
}

function novaApi(ctx: ManifestContext): ClassDeclaration[] {
  return [
    novaBase(ctx, true),
    // sync_db: the API node creates its release's schema at boot; the runbook then restores production's over it.
    {
      name: 'nova::api',
      params: { enabled: true, admin_password: secret('NOVA_KS_PASSWORD'), sync_db: true, ...authSettings(ctx, 'host') },
    },
    novaNeutron(ctx),
  ];
}

function cellServices(ctx: ManifestContext): ClassDeclaration[] {
  return [
    novaBase(ctx, true),
    { name: 'nova::conductor', params: { enabled: true } },
    { name: 'nova::scheduler', params: { enabled: true } },
  ];
}

/** The ML2 VLAN settings of production's physnets, bridged to the node's tenant interface (Packstack's neutron_ovs_agent*.pp). */
function ovsAgent(ctx: ManifestContext): ClassDeclaration[] {
  const { plan, node } = ctx;
  const iface = tenantInterface(plan, node);
  if (!iface || plan.neutron.isolation !== 'vlan' || plan.neutron.physnets.length === 0) return [];
  // One tenant interface: the first physnet is bridged to it (production's other physnets keep their ranges).
  const physnet = plan.neutron.physnets[0].name;
  return [
    {
      name: 'neutron::agents::ml2::ovs',
      params: { enabled: true, bridge_mappings: [`${physnet}:${VLAN_BRIDGE}`], bridge_uplinks: [`${VLAN_BRIDGE}:${iface}`] },
    },
  ];
}

/** The `neutron` class: the API cell's broker, which every Neutron agent and the server share. */
function neutronBase(ctx: ManifestContext): ClassDeclaration {
  const { brokers } = cellEndpoints(ctx.plan, apiCell(ctx.plan), sideOf(ctx.node));
  return {
    name: 'neutron',
    params: {
      rabbit_hosts: rabbitHosts(brokers),
      rabbit_user: rabbitUser,
      rabbit_password: secret('RABBIT_PASSWORD'),
      core_plugin: 'neutron.plugins.ml2.plugin.Ml2Plugin',
      // Production uses Neutron for addresses only: no L3 or other service plugin.
      service_plugins: [],
      allow_overlapping_ips: true,
    },
  };
}

function ml2Plugin(ctx: ManifestContext): ClassDeclaration {
  const { neutron } = ctx.plan;
  const vlan = neutron.isolation === 'vlan';
  return {
    name: 'neutron::plugins::ml2',
    params: {
      type_drivers: [neutron.isolation],
      tenant_network_types: [neutron.isolation],
      mechanism_drivers: ['openvswitch'],
      ...(vlan ? { network_vlan_ranges: neutron.physnets.flatMap((p) => p.vlanRanges.map((r) => `${p.name}:${r}`)) } : {}),
      enable_security_group: true,
    },
  };
}

function neutronServer(ctx: ManifestContext): ClassDeclaration[] {
  const db = dbUrl('neutron', 'NEUTRON_DB_PASSWORD', cellEndpoints(ctx.plan, apiCell(ctx.plan), sideOf(ctx.node)).databases[0]);
  const keystone = ctx.first('keystone');
  return [
    neutronBase(ctx),
    {
      name: 'neutron::server',
      params: {
        enabled: true,
        auth_password: secret('NEUTRON_KS_PASSWORD'),
        database_connection: db,
        sync_db: true,
        ...authSettings(ctx, 'host'),
      },
    },
    ml2Plugin(ctx),
    {
      name: 'neutron::server::notifications',
      params: {
        nova_url: `http://${ctx.first('nova-api')}:8774/v2`,
        nova_admin_auth_url: `http://${keystone}:35357/v2.0`,
        nova_admin_username: 'nova',
        nova_admin_tenant_name: services,
        nova_admin_password: secret('NOVA_KS_PASSWORD'),
      },
    },
    // The server node is the network node: its DHCP agent serves the tenant networks over the overlay.
    ...ovsAgent(ctx),
    { name: 'neutron::agents::dhcp', params: { enabled: true } },
  ];
}

function compute(ctx: ManifestContext): ClassDeclaration[] {
  return [
    novaBase(ctx, false),
    { name: 'nova::compute', params: { enabled: true, vncserver_proxyclient_address: ctx.self } },
    {
      name: 'nova::compute::libvirt',
      params: { libvirt_virt_type: ctx.node.hypervisor?.virtType ?? 'kvm', vncserver_listen: '0.0.0.0', migration_support: true },
    },
    novaNeutron(ctx),
    neutronBase(ctx),
    ...ovsAgent(ctx),
  ];
}

function horizon(ctx: ManifestContext): ClassDeclaration[] {
  const keystone = ctx.first('keystone');
  return [
    {
      name: 'horizon',
      params: {
        secret_key: secret('HORIZON_SECRET_KEY'),
        keystone_default_role: '_member_',
        ...(ctx.set === 'opm-2014.1'
          ? { keystone_host: keystone, fqdn: '*' }
          : { keystone_url: `http://${keystone}:5000/v2.0`, allowed_hosts: '*' }),
      },
    },
    // Horizon's session cache, for itself only.
    { name: 'memcached', params: { listen_ip: '127.0.0.1' } },
  ];
}

/** The proxy's pipeline: Packstack's swift_proxy.pp, without the middlewares production's clients do not use. */
const PROXY_FILTERS = ['catch_errors', 'healthcheck', 'cache', 'authtoken', 'keystone'] as const;

function swiftProxy(ctx: ManifestContext): ClassDeclaration[] {
  const keystone = ctx.first('keystone');
  const authtoken: Record<string, string> =
    ctx.set === 'opm-2014.1'
      ? { auth_host: keystone }
      : { auth_uri: `http://${keystone}:5000/v2.0`, identity_uri: `http://${keystone}:35357` };
  return [
    { name: 'swift', params: { swift_hash_suffix: secret('SWIFT_HASH_SUFFIX') } },
    { name: 'memcached', params: { listen_ip: '127.0.0.1' } },
    {
      name: 'swift::proxy',
      params: { proxy_local_net_ip: ctx.self, pipeline: [...PROXY_FILTERS, 'proxy-server'], account_autocreate: true },
    },
    ...PROXY_FILTERS.filter((f) => f !== 'authtoken' && f !== 'keystone').map((f) => ({ name: `swift::proxy::${f}`, params: {} })),
    {
      name: 'swift::proxy::authtoken',
      params: { admin_user: 'swift', admin_tenant_name: services, admin_password: secret('SWIFT_KS_PASSWORD'), ...authtoken },
    },
    { name: 'swift::proxy::keystone', params: { operator_roles: ['admin', SWIFT_OPERATOR_ROLE] } },
  ];
}

function swiftStorage(ctx: ManifestContext): ClassDeclaration[] {
  return [
    { name: 'swift', params: { swift_hash_suffix: secret('SWIFT_HASH_SUFFIX') } },
    // The rings are the tool's own (assets/rings.ts), installed with the node's files: no ring sync from a proxy.
    { name: 'swift::storage::all', params: { storage_local_net_ip: ctx.self, devices: '/srv/node', mount_check: true } },
  ];
}

/** Each role's manifest; the toolbox and monitoring are set up by their own steps, not by Puppet. */
const ROLE_MANIFESTS: Readonly<Record<NodeRole, ((ctx: ManifestContext) => ClassDeclaration[]) | undefined>> = {
  keystone,
  glance,
  'nova-api': novaApi,
  'neutron-server': neutronServer,
  horizon,
  'swift-proxy': swiftProxy,
  database: (ctx) => databaseServer(ctx, 'database'),
  rabbitmq: broker,
  'cell-services': cellServices,
  'cell-database': (ctx) => databaseServer(ctx, 'cell-database'),
  'cell-rabbitmq': broker,
  'swift-storage': swiftStorage,
  compute,
  'migration-toolbox': undefined,
  monitoring: undefined,
};

/** Whether Puppet configures the node's role. */
export const isPuppetNode = (node: Pick<NodePlan, 'role'>): boolean => ROLE_MANIFESTS[node.role] !== undefined;

/** The classes one node's manifest declares, in order. */
export function classesOf(plan: StagingPlan, node: NodePlan): ClassDeclaration[] {
  const build = ROLE_MANIFESTS[node.role];
  if (!build) return [];
  const set = moduleSetOf(node.release);
  if (!set)
    throw new Error(`${node.name} runs ${node.release}, for which no Puppet module set is checked (${INSTALLABLE_RELEASES.join(', ')})`);
  const side = sideOf(node);
  return build({
    plan,
    node,
    set,
    first: (role) => firstAddress(plan, role, side),
    // Storage servers bind where the rings point: the storage network.
    self: addressOf(node, node.role === 'swift-storage' ? 'storage' : 'management'),
  });
}

/** A single-quoted Puppet string: only `\` and `'` are special in it. */
const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function renderValue(value: PuppetValue, indent = '  '): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => renderValue(v, indent)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, PuppetValue>);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${entries.map(([k, v]) => `${inner}${quote(k)} => ${renderValue(v, inner)},`).join('\n')}\n${indent}}`;
}

function renderClass(decl: ClassDeclaration): string {
  const entries = Object.entries(decl.params);
  if (entries.length === 0) return `class { ${quote(`::${decl.name}`)}: }`;
  const width = Math.max(...entries.map(([k]) => k.length));
  return [`class { ${quote(`::${decl.name}`)}:`, ...entries.map(([k, v]) => `  ${k.padEnd(width)} => ${renderValue(v, '  ')},`), '}'].join(
    '\n',
  );
}

/** The manifest of one node, as `puppet apply` reads it. */
export function roleManifest(plan: StagingPlan, node: NodePlan): string {
  const set = moduleSetOf(node.release);
  const header = [
    `# Role manifest of ${node.name}: ${node.role} on the ${sideOf(node)} side, ${node.release} on ${node.os}.`,
    `# Classes of RDO's openstack-puppet-modules ${set ? MODULE_SETS[set].tag : '?'}, applied on this node alone (assets/puppet.ts).`,
    '# Placeholders {{...}} are filled at boot from the secrets file; no secret is written here before that.',
  ];
  return [...header, '', ...classesOf(plan, node).map(renderClass), ''].join('\n');
}

/** The command that applies the manifest with the release's modules. */
export function puppetApplyCommand(node: NodePlan): string {
  const set = moduleSetOf(node.release);
  if (!set) throw new Error(`${node.name}: no Puppet module set for ${node.release}`);
  return `puppet_apply ${MODULE_SETS[set].modulePath} ${MANIFEST_FILE}`;
}

/** Packages the node installs before the hand-off runs Puppet. */
export function puppetPackages(node: NodePlan): readonly string[] {
  const set = moduleSetOf(node.release);
  return set ? MODULE_SETS[set].packages : [];
}
