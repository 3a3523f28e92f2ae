/**
 * Stopping and starting a role's services, from the role table (plan/roles.ts):
 * `service` is understood by CentOS 6 (SysV) and 7 (systemd) alike; a service a
 * release does not ship is skipped, not an error.
 */
import type { NodeRole, Release } from '../profile/schema';
import { ROLES } from '../plan/roles';

/** The role's lists on a release: its own where the release runs them differently (Keystone under httpd from Liberty). */
const listsOf = (role: NodeRole, release?: Release) => (release && ROLES[role].byRelease?.(release)) || ROLES[role];

/** Public API services of a role: stopping these closes the API (the load balancer's health checks fail). */
export const apiServicesOf = (role: NodeRole, release?: Release): readonly string[] => listsOf(role, release).apiServices;

/** Every OpenStack service of a role (APIs included); databases and brokers stay up. */
export const servicesOf = (role: NodeRole, release?: Release): readonly string[] => listsOf(role, release).services;

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
