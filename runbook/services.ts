/**
 * OpenStack services per role, as RDO of that era names them. Stopping and
 * starting go through `service`, which both CentOS 6 (SysV) and 7 (systemd)
 * understand; a service a release does not ship is skipped, not an error.
 */
import type { NodeRole } from '../profile/schema';
import { NOVA_SERVICES } from '../assets/handoff';

/** Public API services: stopping these closes the API (the load balancer's health checks fail). */
export const API_SERVICES: Partial<Record<NodeRole, readonly string[]>> = {
  // Icehouse runs Keystone as its own daemon; Liberty's Packstack runs it under httpd.
  keystone: ['openstack-keystone', 'httpd'],
  glance: ['openstack-glance-api'],
  'nova-api': ['openstack-nova-api'],
  'neutron-server': ['neutron-server'],
  horizon: ['httpd'],
  'swift-proxy': ['openstack-swift-proxy'],
};

/** Every OpenStack service of a role (APIs included); databases and brokers stay up. */
export const OPENSTACK_SERVICES: Partial<Record<NodeRole, readonly string[]>> = {
  ...API_SERVICES,
  glance: ['openstack-glance-api', 'openstack-glance-registry'],
  'nova-api': [...NOVA_SERVICES['nova-api'], 'openstack-nova-consoleauth', 'openstack-nova-novncproxy'],
  'neutron-server': ['neutron-server', 'neutron-dhcp-agent', 'neutron-openvswitch-agent'],
  'cell-services': NOVA_SERVICES['cell-services'],
  'swift-storage': [
    'openstack-swift-account',
    'openstack-swift-account-replicator',
    'openstack-swift-account-auditor',
    'openstack-swift-account-reaper',
    'openstack-swift-container',
    'openstack-swift-container-replicator',
    'openstack-swift-container-auditor',
    'openstack-swift-container-updater',
    'openstack-swift-object',
    'openstack-swift-object-replicator',
    'openstack-swift-object-auditor',
    'openstack-swift-object-updater',
  ],
  compute: [...NOVA_SERVICES.compute, 'neutron-openvswitch-agent'],
  monitoring: ['nagios'],
};

/** Shell lines that stop or start services, skipping those not installed on the node. */
export function serviceLines(action: 'stop' | 'start', services: readonly string[]): string[] {
  const list = [...new Set(services)].join(' ');
  return [
    `services=(${list})`,
    'for svc in "${services[@]}"; do',
    '  if [ -e "/usr/lib/systemd/system/$svc.service" ] || [ -e "/etc/init.d/$svc" ]; then',
    `    service "$svc" ${action}`,
    '  fi',
    'done',
  ];
}
