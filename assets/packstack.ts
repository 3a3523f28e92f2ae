/**
 * The configuration-management hand-off data: a Packstack answer-file fragment
 * per node, naming this host for its role and its side's endpoints for the
 * rest, so that Packstack (production's installer, modified in house) configures
 * the node as production would. Key names are upstream Packstack's for the node's
 * release (assumption: the in-house fork reads the same keys).
 */
import type { NodeRole } from '../profile/schema';
import { RELEASES, type Release } from '../profile/schema';
import type { NodePlan, StagingPlan } from '../plan/types';
import { addressOf, cellEndpoints, cellOf, firstAddress, nodesOf, sideOf } from './endpoints';
import { renderIni } from './ini';
import { placeholder, type SecretName } from './secrets';
import { ml2Answers } from './tenant-network';

export const ANSWER_FILE = '/etc/openstack-staging/packstack-answers.txt';

/** Roles configured by Packstack; the migration toolbox and monitoring are set up by their own steps. */
export const PACKSTACK_ROLES: readonly NodeRole[] = [
  'keystone',
  'glance',
  'nova-api',
  'neutron-server',
  'horizon',
  'swift-proxy',
  'database',
  'rabbitmq',
  'cell-services',
  'cell-database',
  'cell-rabbitmq',
  'swift-storage',
  'compute',
];
export const isPackstackNode = (node: NodePlan): boolean => PACKSTACK_ROLES.includes(node.role);

/** Icehouse's Packstack names a host per service; Juno merged them into controller/compute/storage hosts and renamed MySQL to MariaDB. */
type Family = 'per-service' | 'merged';
const familyOf = (release: Release): Family => (RELEASES.indexOf(release) <= RELEASES.indexOf('icehouse') ? 'per-service' : 'merged');

const HOST_KEYS: Record<Family, Record<NodeRole, readonly string[]>> = {
  'per-service': {
    keystone: ['CONFIG_KEYSTONE_HOST'],
    glance: ['CONFIG_GLANCE_HOST'],
    'nova-api': ['CONFIG_NOVA_API_HOST'],
    'cell-services': ['CONFIG_NOVA_CONDUCTOR_HOST', 'CONFIG_NOVA_SCHED_HOST'],
    'neutron-server': ['CONFIG_NEUTRON_SERVER_HOST'],
    horizon: ['CONFIG_HORIZON_HOST'],
    'swift-proxy': ['CONFIG_SWIFT_PROXY_HOSTS'],
    'swift-storage': ['CONFIG_SWIFT_STORAGE_HOSTS'],
    database: ['CONFIG_MYSQL_HOST'],
    'cell-database': ['CONFIG_MYSQL_HOST'],
    rabbitmq: ['CONFIG_AMQP_HOST'],
    'cell-rabbitmq': ['CONFIG_AMQP_HOST'],
    compute: ['CONFIG_NOVA_COMPUTE_HOSTS'],
    'migration-toolbox': [],
    monitoring: [],
  },
  merged: {
    keystone: ['CONFIG_CONTROLLER_HOST'],
    glance: ['CONFIG_CONTROLLER_HOST'],
    'nova-api': ['CONFIG_CONTROLLER_HOST'],
    'cell-services': ['CONFIG_CONTROLLER_HOST'],
    'neutron-server': ['CONFIG_CONTROLLER_HOST', 'CONFIG_NETWORK_HOSTS'],
    horizon: ['CONFIG_CONTROLLER_HOST'],
    'swift-proxy': ['CONFIG_CONTROLLER_HOST'],
    'swift-storage': ['CONFIG_STORAGE_HOST'],
    database: ['CONFIG_MARIADB_HOST'],
    'cell-database': ['CONFIG_MARIADB_HOST'],
    rabbitmq: ['CONFIG_AMQP_HOST'],
    'cell-rabbitmq': ['CONFIG_AMQP_HOST'],
    compute: ['CONFIG_COMPUTE_HOSTS'],
    'migration-toolbox': [],
    monitoring: [],
  },
};

/** Service install switches: only the role's own services are installed on the node. */
function installSwitches(family: Family, role: NodeRole): [string, string][] {
  const db = family === 'per-service' ? 'CONFIG_MYSQL_INSTALL' : 'CONFIG_MARIADB_INSTALL';
  const on: Record<string, boolean> = {
    [db]: role === 'database' || role === 'cell-database',
    CONFIG_GLANCE_INSTALL: role === 'glance',
    CONFIG_NOVA_INSTALL: role === 'nova-api' || role === 'cell-services' || role === 'compute',
    CONFIG_NEUTRON_INSTALL: role === 'neutron-server' || role === 'compute',
    CONFIG_HORIZON_INSTALL: role === 'horizon',
    CONFIG_SWIFT_INSTALL: role === 'swift-proxy' || role === 'swift-storage',
    // Production runs no Cinder; telemetry, orchestration and Packstack's Nagios are not part of the rehearsal.
    CONFIG_CINDER_INSTALL: false,
    CONFIG_CEILOMETER_INSTALL: false,
    CONFIG_HEAT_INSTALL: false,
    CONFIG_NAGIOS_INSTALL: false,
  };
  return Object.entries(on).map(([key, value]) => [key, value ? 'y' : 'n']);
}

/** Where the node's clients find their side's services; the node's own role keys then point at itself. */
function endpointKeys(plan: StagingPlan, node: NodePlan, family: Family): Map<string, string> {
  const side = sideOf(node);
  const { databases, brokers } = cellEndpoints(plan, cellOf(plan, node), side);
  const keys = new Map<string, string>();
  if (family === 'per-service') {
    keys.set('CONFIG_KEYSTONE_HOST', firstAddress(plan, 'keystone', side));
    keys.set('CONFIG_GLANCE_HOST', firstAddress(plan, 'glance', side));
    keys.set('CONFIG_NOVA_API_HOST', firstAddress(plan, 'nova-api', side));
    keys.set('CONFIG_NEUTRON_SERVER_HOST', firstAddress(plan, 'neutron-server', side));
    keys.set(
      'CONFIG_SWIFT_PROXY_HOSTS',
      nodesOf(plan, 'swift-proxy', side)
        .map((n) => addressOf(n))
        .join(','),
    );
    keys.set('CONFIG_MYSQL_HOST', databases[0]);
  } else {
    keys.set('CONFIG_CONTROLLER_HOST', firstAddress(plan, 'keystone', side));
    keys.set('CONFIG_MARIADB_HOST', databases[0]);
  }
  keys.set('CONFIG_AMQP_HOST', brokers[0]);
  // Storage servers bind where the rings point: the storage network.
  const self = addressOf(node, node.role === 'swift-storage' ? 'storage' : 'management');
  for (const key of HOST_KEYS[family][node.role]) keys.set(key, self);
  return keys;
}

function passwordKeys(family: Family): [string, string][] {
  const map: [string, SecretName][] = [
    [family === 'per-service' ? 'CONFIG_MYSQL_PW' : 'CONFIG_MARIADB_PW', 'DB_ROOT_PASSWORD'],
    ['CONFIG_KEYSTONE_ADMIN_PW', 'KEYSTONE_ADMIN_PASSWORD'],
    ['CONFIG_KEYSTONE_DB_PW', 'KEYSTONE_DB_PASSWORD'],
    ['CONFIG_GLANCE_DB_PW', 'GLANCE_DB_PASSWORD'],
    ['CONFIG_GLANCE_KS_PW', 'GLANCE_KS_PASSWORD'],
    ['CONFIG_NOVA_DB_PW', 'NOVA_DB_PASSWORD'],
    ['CONFIG_NOVA_KS_PW', 'NOVA_KS_PASSWORD'],
    ['CONFIG_NEUTRON_DB_PW', 'NEUTRON_DB_PASSWORD'],
    ['CONFIG_NEUTRON_KS_PW', 'NEUTRON_KS_PASSWORD'],
    ['CONFIG_SWIFT_KS_PW', 'SWIFT_KS_PASSWORD'],
    ['CONFIG_SWIFT_HASH', 'SWIFT_HASH_SUFFIX'],
    ['CONFIG_AMQP_AUTH_PASSWORD', 'RABBIT_PASSWORD'],
  ];
  return map.map(([key, secret]) => [key, placeholder(secret)]);
}

/** The answer-file fragment of one node. */
export function packstackAnswers(plan: StagingPlan, node: NodePlan): string {
  const family = familyOf(node.release);
  const entries: [string, string][] = [
    ['CONFIG_SSH_KEY', '/root/.ssh/id_rsa.pub'],
    ...endpointKeys(plan, node, family),
    ...installSwitches(family, node.role),
    ...ml2Answers(plan, node),
    ['CONFIG_AMQP_ENABLE_AUTH', 'y'],
    ['CONFIG_AMQP_AUTH_USER', 'nova'],
    ...passwordKeys(family),
  ];
  const header = [
    `Packstack answer-file fragment of ${node.name}: ${node.role} on the ${sideOf(node)} side, ${node.release} on ${node.os}.`,
    `Key names of upstream Packstack for ${node.release} (assumption: the in-house Packstack reads the same).`,
    'Placeholders {{...}} are filled at boot from the secrets file; no secret is written here before that.',
  ];
  return renderIni([['general', entries]], header, '=');
}
